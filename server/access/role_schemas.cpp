// JSON Schemas of roles as the role routes answer them, published in OpenAPI so the web app's
// types are generated from them.
#include "access/role_routes.hpp"

namespace voronka::access {

namespace {

const char* const kSchemas = R"json({
  "RoleScope": {"enum": ["none", "own", "team", "all"]},
  "RoleEntityRules": {"type": "object", "required": ["read", "create", "edit", "delete"], "properties": {
    "read": {"$ref": "#/components/schemas/RoleScope"}, "create": {"$ref": "#/components/schemas/RoleScope"},
    "edit": {"$ref": "#/components/schemas/RoleScope"}, "delete": {"$ref": "#/components/schemas/RoleScope"},
    "hidden_fields": {"type": "array", "items": {"type": "string"}},
    "read_only_fields": {"type": "array", "items": {"type": "string"}}}},
  "RoleRules": {"type": "object", "required": ["entities", "default", "manage_users", "manage_metadata", "view_audit"],
    "properties": {
      "entities": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/RoleEntityRules"}},
      "default": {"$ref": "#/components/schemas/RoleEntityRules"},
      "manage_users": {"type": "boolean"}, "manage_metadata": {"type": "boolean"}, "view_audit": {"type": "boolean"}}},
  "Role": {"type": "object", "required": ["id", "name", "description", "builtin", "rules", "version"], "properties": {
    "id": {"type": "string", "description": "admin, manager, user or the id of a custom role"},
    "name": {"type": "string"}, "description": {"type": ["string", "null"]},
    "builtin": {"type": "boolean"}, "rules": {"$ref": "#/components/schemas/RoleRules"},
    "version": {"type": "integer"},
    "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
    "users": {"type": "integer", "description": "Users holding the role"}}},
  "RoleList": {"type": "object", "required": ["data"], "properties": {
    "data": {"type": "array", "items": {"$ref": "#/components/schemas/Role"}}}}
})json";

}  // namespace

void DescribeRoleRoutes(http::Router& router) {
    const core::Json schemas = core::Json::parse(kSchemas);
    router.Describe("GET", "/api/v1/roles", "RoleList", schemas.at("RoleList"));
    router.Describe("GET", "/api/v1/roles/{id}", "Role", schemas.at("Role"));
    router.Describe("PATCH", "/api/v1/roles/{id}", "Role", schemas.at("Role"));
    for (const char* name : {"RoleScope", "RoleEntityRules", "RoleRules"}) {
        router.DescribeComponent(name, schemas.at(name));
    }
}

}  // namespace voronka::access
