// Built-in role definitions; custom roles are stored per tenant and parsed into the same shape.
#include "access/permissions.hpp"

#include <optional>
#include <vector>

namespace voronka::access {

Scope EntityRights::For(Action action) const {
    switch (action) {
        case Action::kRead:
            return read;
        case Action::kCreate:
            return create;
        case Action::kEdit:
            return edit;
        case Action::kDelete:
            return remove;
    }
    return Scope::kNone;
}

const EntityRights& Permissions::For(std::string_view entity) const {
    auto it = entities.find(std::string(entity));
    return it == entities.end() ? default_rights : it->second;
}

namespace {

std::shared_ptr<const Permissions> Make(std::string role, Scope scope, bool admin, bool manager) {
    auto p = std::make_shared<Permissions>();
    p->role = std::move(role);
    p->default_rights = {scope, scope, scope, scope, {}, {}};
    p->manage_users = admin;
    p->manage_metadata = admin;
    p->view_audit = admin || manager;
    return p;
}

}  // namespace

std::shared_ptr<const Permissions> BuiltinRole(std::string_view role) {
    static const auto kAdmin = Make("admin", Scope::kAll, true, false);
    static const auto kManager = Make("manager", Scope::kAll, false, true);
    static const auto kUser = Make("user", Scope::kTeam, false, false);
    static const auto kNone = Make("none", Scope::kNone, false, false);
    if (role == "admin") {
        return kAdmin;
    }
    if (role == "manager") {
        return kManager;
    }
    if (role == "user") {
        return kUser;
    }
    return kNone;
}

bool IsBuiltinRole(std::string_view role) {
    return role == "admin" || role == "manager" || role == "user";
}

std::string_view ScopeName(Scope scope) {
    switch (scope) {
        case Scope::kNone:
            return "none";
        case Scope::kOwn:
            return "own";
        case Scope::kTeam:
            return "team";
        case Scope::kAll:
            return "all";
    }
    return "none";
}

namespace {

using core::FieldError;
using core::Json;

std::optional<Scope> ParseScope(const Json& value) {
    if (!value.is_string()) {
        return std::nullopt;
    }
    const auto& s = value.get_ref<const std::string&>();
    for (Scope scope : {Scope::kNone, Scope::kOwn, Scope::kTeam, Scope::kAll}) {
        if (s == ScopeName(scope)) {
            return scope;
        }
    }
    return std::nullopt;
}

// One entity's (or the default's) rights. The default cannot name fields (they differ by
// entity): allow_fields is false for it. `fields` null accepts any name (stored rules).
EntityRights ParseRights(
    const Json& value,
    const std::string& path,
    bool allow_fields,
    const std::set<std::string>* fields,
    std::vector<FieldError>& errors
) {
    EntityRights rights;
    if (!value.is_object()) {
        errors.push_back({path, "must be an object"});
        return rights;
    }
    for (const auto& [key, item] : value.items()) {
        const std::string at = path + "." + key;
        Scope* scope = key == "read"     ? &rights.read
                       : key == "create" ? &rights.create
                       : key == "edit"   ? &rights.edit
                       : key == "delete" ? &rights.remove
                                         : nullptr;
        if (scope) {
            auto parsed = ParseScope(item);
            if (!parsed) {
                errors.push_back({at, "must be none, own, team or all"});
            } else {
                *scope = *parsed;
            }
            continue;
        }
        if (key != "hidden_fields" && key != "read_only_fields") {
            errors.push_back(
                {at,
                 "is not a rule (use read, create, edit, delete, hidden_fields, read_only_fields)"}
            );
            continue;
        }
        if (!allow_fields) {
            errors.push_back({at, "field rules belong to a named entity"});
            continue;
        }
        if (!item.is_array() || item.size() > 200) {
            errors.push_back({at, "must be an array of field names"});
            continue;
        }
        auto& target = key == "hidden_fields" ? rights.hidden_fields : rights.read_only_fields;
        for (size_t i = 0; i < item.size(); ++i) {
            const std::string item_path = at + "[" + std::to_string(i) + "]";
            if (!item[i].is_string() || (fields && !fields->contains(item[i].get<std::string>()))) {
                errors.push_back({item_path, "is not a field of this entity"});
                continue;
            }
            target.insert(item[i].get<std::string>());
        }
    }
    return rights;
}

Json RightsToJson(const EntityRights& rights, bool with_fields) {
    Json out = {
        {"read", ScopeName(rights.read)},
        {"create", ScopeName(rights.create)},
        {"edit", ScopeName(rights.edit)},
        {"delete", ScopeName(rights.remove)},
    };
    if (with_fields) {
        out["hidden_fields"] = rights.hidden_fields;
        out["read_only_fields"] = rights.read_only_fields;
    }
    return out;
}

}  // namespace

core::Result<Permissions> ParseRules(const core::Json& rules, const FieldCatalog* catalog) {
    if (!rules.is_object()) {
        return core::Error::InvalidField("rules", "must be an object");
    }
    Permissions p;
    std::vector<FieldError> errors;
    for (const auto& [key, value] : rules.items()) {
        const std::string path = "rules." + key;
        if (key == "manage_users" || key == "manage_metadata" || key == "view_audit") {
            if (!value.is_boolean()) {
                errors.push_back({path, "must be true or false"});
                continue;
            }
            bool& flag = key == "manage_users"      ? p.manage_users
                         : key == "manage_metadata" ? p.manage_metadata
                                                    : p.view_audit;
            flag = value.get<bool>();
        } else if (key == "default") {
            p.default_rights = ParseRights(value, path, false, nullptr, errors);
        } else if (key == "entities") {
            if (!value.is_object()) {
                errors.push_back({path, "must be an object keyed by entity"});
                continue;
            }
            for (const auto& [entity, rights] : value.items()) {
                const std::set<std::string>* fields = nullptr;
                if (catalog) {
                    auto it = catalog->find(entity);
                    if (it == catalog->end()) {
                        errors.push_back({path + "." + entity, "is not an entity"});
                        continue;
                    }
                    fields = &it->second;
                }
                p.entities[entity] = ParseRights(rights, path + "." + entity, true, fields, errors);
            }
        } else {
            errors.push_back(
                {path,
                 "is not a rule (use entities, default, manage_users, manage_metadata, "
                 "view_audit)"}
            );
        }
    }
    if (!errors.empty()) {
        return core::Error::Invalid("The role rules are not valid", std::move(errors));
    }
    return p;
}

core::Json RulesToJson(const Permissions& permissions) {
    Json entities = Json::object();
    for (const auto& [name, rights] : permissions.entities) {
        entities[name] = RightsToJson(rights, true);
    }
    return {
        {"entities", std::move(entities)},
        {"default", RightsToJson(permissions.default_rights, false)},
        {"manage_users", permissions.manage_users},
        {"manage_metadata", permissions.manage_metadata},
        {"view_audit", permissions.view_audit},
    };
}

}  // namespace voronka::access
