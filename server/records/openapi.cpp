// OpenAPI 3.1 from the route table and entity metadata: a route added anywhere is documented.
#include "records/record_routes.hpp"

namespace voronka::records {

namespace {

Json SchemaFor(const FieldDef& f) {
    Json s;
    switch (f.type) {
        case FieldType::kText:
        case FieldType::kPhone:
        case FieldType::kReference:
        case FieldType::kUser:
            s = {{"type", {"string", "null"}}};
            break;
        case FieldType::kEmail:
            s = {{"type", {"string", "null"}}, {"format", "email"}};
            break;
        case FieldType::kUrl:
            s = {{"type", {"string", "null"}}, {"format", "uri"}};
            break;
        case FieldType::kMoney:
            s = {{"type", {"string", "null"}}, {"pattern", "^-?[0-9]+(\\.[0-9]+)?$"}, {"description", "Exact decimal amount"}};
            break;
        case FieldType::kCurrency:
            s = {{"type", {"string", "null"}}, {"pattern", "^[A-Z]{3}$"}};
            break;
        case FieldType::kInteger:
            s = {{"type", {"integer", "null"}}};
            break;
        case FieldType::kNumber:
            s = {{"type", {"number", "null"}}};
            break;
        case FieldType::kBool:
            s = {{"type", {"boolean", "null"}}};
            break;
        case FieldType::kDate:
            s = {{"type", {"string", "null"}}, {"format", "date"}};
            break;
        case FieldType::kDateTime:
            s = {{"type", {"string", "null"}}, {"format", "date-time"}};
            break;
        case FieldType::kEnum: {
            Json values = f.options;
            values.push_back(nullptr);
            s = {{"enum", values}};
            break;
        }
        case FieldType::kMultiEnum:
            s = {{"type", {"array", "null"}}, {"items", {{"enum", f.options}}}};
            break;
        case FieldType::kJson:
            s = Json::object();
            break;
    }
    if (!f.label.empty()) {
        s["title"] = f.label;
    }
    if (f.read_only) {
        s["readOnly"] = true;
    }
    return s;
}

std::string SchemaName(const std::string& entity) {
    std::string out;
    bool upper = true;
    for (char c : entity) {
        if (c == '_' || c == '-') {
            upper = true;
            continue;
        }
        out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
        upper = false;
    }
    return out;
}

Json EntitySchema(const EntityDef& def) {
    Json properties = {
        {"id", {{"type", "string"}, {"readOnly", true}}},
        {"version", {{"type", "integer"}, {"readOnly", true}}},
        {"created_at", {{"type", "string"}, {"format", "date-time"}, {"readOnly", true}}},
        {"updated_at", {{"type", "string"}, {"format", "date-time"}, {"readOnly", true}}},
        {"created_by", {{"type", {"string", "null"}}, {"readOnly", true}}},
        {"updated_by", {{"type", {"string", "null"}}, {"readOnly", true}}},
        {"deleted_at", {{"type", "string"}, {"format", "date-time"}, {"readOnly", true}}},
    };
    Json custom = {{"type", "object"}, {"properties", Json::object()}, {"additionalProperties", false}};
    Json required = Json::array();
    for (const FieldDef& f : def.fields) {
        if (f.custom) {
            custom["properties"][f.name] = SchemaFor(f);
        } else {
            properties[f.name] = SchemaFor(f);
        }
        if (f.required && !f.custom) {
            required.push_back(f.name);
        }
    }
    properties["custom"] = custom;
    Json schema = {{"type", "object"}, {"title", def.label}, {"properties", properties}};
    if (!required.empty()) {
        schema["required"] = required;
    }
    return schema;
}

std::vector<std::string> PathParams(const std::string& pattern) {
    std::vector<std::string> out;
    for (size_t open = pattern.find('{'); open != std::string::npos; open = pattern.find('{', open + 1)) {
        const size_t close = pattern.find('}', open);
        out.push_back(pattern.substr(open + 1, close - open - 1));
    }
    return out;
}

std::string Lower(std::string s) {
    for (char& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

Json Operation(const http::RouteInfo& route, const std::string& path, const std::string& entity) {
    Json op = {
        {"summary", route.summary.empty() ? route.method + " " + route.pattern : route.summary},
        {"tags", Json::array({route.tag.empty() ? "platform" : route.tag})},
    };
    op["responses"]["default"]["description"] = "Problem";
    op["responses"]["default"]["content"]["application/problem+json"]["schema"]["$ref"] =
        "#/components/schemas/Problem";
    std::string id = Lower(route.method);
    for (char c : path) {
        id.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
    }
    op["operationId"] = id;
    Json params = Json::array();
    for (const auto& p : PathParams(path)) {
        params.push_back({{"name", p}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
    }
    if (!params.empty()) {
        op["parameters"] = params;
    }
    const std::string schema_ref = entity.empty() ? "" : "#/components/schemas/" + SchemaName(entity);
    Json ok = {{"description", "OK"}};
    if (!schema_ref.empty() && route.pattern == "/api/v1/{entity}" && route.method == "GET") {
        ok["content"] = {{"application/json", {{"schema", {{"type", "object"}, {"properties", {{"data", {{"type", "array"}, {"items", {{"$ref", schema_ref}}}}}, {"next_cursor", {{"type", {"string", "null"}}}}}}}}}}};
        op["parameters"].push_back({{"name", "limit"}, {"in", "query"}, {"schema", {{"type", "integer"}, {"minimum", 1}, {"maximum", 500}}}});
        op["parameters"].push_back({{"name", "cursor"}, {"in", "query"}, {"schema", {{"type", "string"}}}});
        op["parameters"].push_back({{"name", "sort"}, {"in", "query"}, {"schema", {{"type", "string"}}}, {"example", "-updated_at"}});
        op["parameters"].push_back({{"name", "filter"}, {"in", "query"}, {"style", "deepObject"}, {"explode", true}, {"schema", {{"type", "object"}}}, {"description", "filter[field]=v or filter[field][op]=v; ops eq ne lt lte gt gte in contains starts empty"}});
    } else if (!schema_ref.empty() && route.method != "DELETE" && route.pattern.find("/history") == std::string::npos) {
        ok["content"] = {{"application/json", {{"schema", {{"$ref", schema_ref}}}}}};
    } else if (!route.response_name.empty()) {
        ok["content"] = {{"application/json", {{"schema", {{"$ref", "#/components/schemas/" + route.response_name}}}}}};
    } else if (route.method != "DELETE") {
        ok["content"] = {{"application/json", {{"schema", {{"type", "object"}}}}}};
    }
    const std::string code = route.method == "DELETE" ? "204" : (route.method == "POST" && route.pattern == "/api/v1/{entity}") ? "201" : "200";
    if (code == "204") {
        ok.erase("content");
    }
    op["responses"][code] = ok;
    if ((route.method == "POST" || route.method == "PATCH") && !schema_ref.empty() &&
        route.pattern.find("/revert") == std::string::npos && route.pattern.find("/restore") == std::string::npos) {
        op["requestBody"] = {{"required", true}, {"content", {{"application/json", {{"schema", {{"$ref", schema_ref}}}}}}}};
    } else if (route.method == "POST" || route.method == "PATCH" || route.method == "PUT") {
        op["requestBody"] = {{"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    }
    if (route.policy == http::Policy::kPublic) {
        op["security"] = Json::array();
    }
    return op;
}

}  // namespace

Json BuildOpenApi(const http::Router& router, const std::vector<std::shared_ptr<const EntityDef>>& entities) {
    Json error_item = {{"type", "object"}};
    error_item["properties"]["field"] = {{"type", "string"}};
    error_item["properties"]["message"] = {{"type", "string"}};
    Json problem = {{"type", "object"}};
    for (const char* text : {"type", "title", "detail", "instance"}) {
        problem["properties"][text] = {{"type", "string"}};
    }
    problem["properties"]["status"] = {{"type", "integer"}};
    problem["properties"]["errors"] = {{"type", "array"}, {"items", error_item}};
    Json schemas = Json::object();
    schemas["Problem"] = problem;
    for (const auto& def : entities) {
        schemas[SchemaName(def->name)] = EntitySchema(*def);
    }
    for (const auto& [name, schema] : router.Components()) {
        schemas[name] = schema;
    }
    Json paths = Json::object();
    for (const http::RouteInfo& route : router.Routes()) {
        if (route.method == "HEAD") {
            continue;
        }
        if (!route.response_name.empty()) {
            schemas[route.response_name] = route.response_schema;
        }
        const std::string method = Lower(route.method);
        if (route.pattern.find("{entity}") != std::string::npos) {
            // Generic record routes are listed once per entity, so every concrete path exists.
            for (const auto& def : entities) {
                std::string path = route.pattern;
                path.replace(path.find("{entity}"), 8, def->name);
                paths[path][method] = Operation(route, path, def->name);
            }
        } else {
            paths[route.pattern][method] = Operation(route, route.pattern, "");
        }
    }
    return {
        {"openapi", "3.1.0"},
        {"info", {{"title", "Voronka CRM API"}, {"version", "1.0.0"}, {"description", "Records, search, history and administration of a Voronka CRM. Errors are RFC 9457 problem+json."}}},
        {"servers", Json::array({{{"url", "/"}}})},
        {"security", Json::array({{{"bearer", Json::array()}}, {{"session", Json::array()}}})},
        {"paths", paths},
        {"components",
         {{"schemas", schemas},
          {"securitySchemes",
           {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
            {"session", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "voronka_session"}}}}}}},
    };
}

}  // namespace voronka::records
