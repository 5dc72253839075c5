// What a role may do: per-entity rights with a scope, per-field hidden/read-only.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "core/result.hpp"

namespace voronka::access {

enum class Scope { kNone, kOwn, kTeam, kAll };

enum class Action { kRead, kCreate, kEdit, kDelete };

struct EntityRights {
    Scope read = Scope::kNone;
    Scope create = Scope::kNone;
    Scope edit = Scope::kNone;
    Scope remove = Scope::kNone;
    std::set<std::string> hidden_fields;
    std::set<std::string> read_only_fields;

    Scope For(Action action) const;
};

struct Permissions {
    std::string role;
    EntityRights default_rights;                   // for entities not listed
    std::map<std::string, EntityRights> entities;  // by entity name
    bool manage_users = false;                     // users, teams, roles, tokens of others
    bool manage_metadata = false;                  // custom fields, pipelines
    bool view_audit = false;

    const EntityRights& For(std::string_view entity) const;
};

// Built-in roles: admin (everything), manager (all records, no user/field management),
// user (own and team records). Unknown names get no rights.
std::shared_ptr<const Permissions> BuiltinRole(std::string_view role);

bool IsBuiltinRole(std::string_view role);

std::string_view ScopeName(Scope scope);

// The fields of each entity a role rule may name (built-in and custom), by entity name.
using FieldCatalog = std::map<std::string, std::set<std::string>, std::less<>>;

// Parses custom role rules strictly:
//   {"entities": {"deals": {"read": "team", "create": "own", "edit": "own", "delete": "none",
//                           "hidden_fields": ["amount"], "read_only_fields": ["probability"]}},
//    "default": {"read": ..., "create": ..., "edit": ..., "delete": ...},
//    "manage_users": false, "manage_metadata": false, "view_audit": false}
// Every key is optional (scopes default to "none", flags to false); an unknown key, entity,
// field or scope is kInvalid with the JSON path of each offender ("rules.entities.deals.read").
// A null catalog accepts any entity and field name: for rules that were validated when stored.
core::Result<Permissions> ParseRules(const core::Json& rules, const FieldCatalog* catalog);

// The rules JSON of a permission set, in the shape ParseRules accepts.
core::Json RulesToJson(const Permissions& permissions);

}  // namespace voronka::access
