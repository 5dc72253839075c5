// Custom role storage and resolution; validation of rules lives in permissions.cpp.
#include "access/role_service.hpp"

#include "core/id.hpp"
#include "core/text.hpp"

namespace voronka::access {

using core::Error;
using core::Json;
using core::Result;
using core::Status;
using storage::Connection;

namespace {

constexpr size_t kMaxCachedRoles = 10000;
constexpr const char* kRoleColumns =
    "r.id, r.name, r.description, r.rules, r.version, r.created_at, r.updated_at, "
    "(SELECT COUNT(*) FROM users u WHERE u.tenant_id = r.tenant_id AND u.role = r.id)";

const char* BuiltinDescription(std::string_view role) {
    if (role == "admin") {
        return "Everything, including users, roles and custom fields";
    }
    if (role == "manager") {
        return "All records and the audit log; no user or field management";
    }
    return "Own and team records";
}

Json BuiltinJson(std::string_view name) {
    return {
        {"id", name},
        {"name", name},
        {"description", BuiltinDescription(name)},
        {"builtin", true},
        {"rules", RulesToJson(*BuiltinRole(name))},
        {"version", 1},
    };
}

Json RoleJson(const std::vector<storage::Value>& row) {
    return {
        {"id", storage::AsText(row[0])},
        {"name", storage::AsText(row[1])},
        {"description", storage::AsText(row[2])},
        {"builtin", false},
        {"rules", Json::parse(storage::AsText(row[3]), nullptr, false)},
        {"version", storage::AsInt(row[4])},
        {"created_at", core::FormatTimestamp(storage::AsInt(row[5]))},
        {"updated_at", core::FormatTimestamp(storage::AsInt(row[6]))},
        {"users", storage::AsInt(row[7])},
    };
}

std::string NameKey(std::string_view name) { return core::FoldCase(core::NormalizeNfc(name)); }

// Validates name, description and rules present in `input`; fills the stored forms.
Status ValidateInput(
    const Json& input,
    bool create,
    const FieldCatalog& catalog,
    std::optional<std::string>& name,
    std::optional<std::string>& description,
    std::optional<std::string>& rules
) {
    if (!input.is_object()) {
        return Error::Invalid("The request body must be a JSON object");
    }
    std::vector<core::FieldError> errors;
    for (const auto& [key, value] : input.items()) {
        if (key == "name") {
            const std::string n =
                value.is_string() ? core::NormalizeNfc(core::Trim(value.get<std::string>())) : "";
            if (n.empty() || n.size() > 100 || !core::IsValidUtf8(n)) {
                errors.push_back({key, "must be 1 to 100 bytes of text"});
            } else if (IsBuiltinRole(NameKey(n))) {
                errors.push_back({key, "is the name of a built-in role"});
            } else {
                name = n;
            }
        } else if (key == "description") {
            if (!value.is_string() || value.get<std::string>().size() > 1000 ||
                !core::IsValidUtf8(value.get<std::string>())) {
                errors.push_back({key, "must be up to 1000 bytes of text"});
            } else {
                description = value.get<std::string>();
            }
        } else if (key == "rules") {
            auto parsed = ParseRules(value, &catalog);
            if (!parsed) {
                for (auto& fe : parsed.error().fields) {
                    errors.push_back(std::move(fe));
                }
            } else {
                rules = RulesToJson(*parsed).dump();
            }
        } else {
            errors.push_back({key, "is not a property of a role (use name, description, rules)"});
        }
    }
    if (create && !input.contains("name") && input.is_object()) {
        errors.push_back({"name", "is required"});
    }
    if (create && !input.contains("rules") && input.is_object()) {
        errors.push_back({"rules", "is required"});
    }
    if (!errors.empty()) {
        return Error::Invalid("The role is not valid", std::move(errors));
    }
    return core::Ok();
}

Status NameFree(Connection& tx, int64_t tenant_id, const std::string& name, std::string_view id) {
    VK_ASSIGN_OR_RETURN(
        storage::Rows taken,
        tx.Query(
            "SELECT id FROM roles WHERE tenant_id = $1 AND name_key = $2 AND id <> $3",
            {tenant_id, NameKey(name), std::string(id)}
        )
    );
    if (!taken.empty()) {
        return Error::Conflict("A role with this name exists", {{"name", "is already taken"}});
    }
    return core::Ok();
}

Result<storage::Rows> LoadRole(Connection& c, int64_t tenant_id, std::string_view id) {
    return c.Query(
        std::string("SELECT ") + kRoleColumns +
            " FROM roles r WHERE r.tenant_id = $1 AND r.id = $2",
        {tenant_id, std::string(id)}
    );
}

}  // namespace

RoleService::RoleService(const core::Clock& clock) : clock_(clock) {}

Result<std::shared_ptr<const Permissions>> RoleService::Resolve(
    Connection& c, int64_t tenant_id, std::string_view role, int64_t roles_version
) {
    if (IsBuiltinRole(role)) {
        return BuiltinRole(role);
    }
    const auto key = std::make_pair(tenant_id, std::string(role));
    {
        std::lock_guard lock(mutex_);
        auto it = cache_.find(key);
        if (it != cache_.end() && it->second.roles_version == roles_version) {
            return it->second.permissions;
        }
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        c.Query(
            "SELECT name, rules FROM roles WHERE tenant_id = $1 AND id = $2",
            {tenant_id, std::string(role)}
        )
    );
    std::shared_ptr<const Permissions> resolved = BuiltinRole("none");
    if (!rows.empty()) {
        auto parsed =
            ParseRules(Json::parse(storage::AsText(rows.rows[0][1]), nullptr, false), nullptr);
        if (parsed) {
            auto p = std::make_shared<Permissions>(std::move(parsed).value());
            p->role = storage::AsText(rows.rows[0][0]);
            resolved = std::move(p);
        }
    }
    std::lock_guard lock(mutex_);
    if (cache_.size() >= kMaxCachedRoles) {
        cache_.clear();
    }
    cache_[key] = {roles_version, resolved};
    return resolved;
}

Result<std::string> RoleService::Assignable(
    Connection& c, int64_t tenant_id, const Json& value, std::string_view field
) {
    if (!value.is_string() || value.get<std::string>().empty() ||
        value.get<std::string>().size() > 100) {
        return Error::InvalidField(std::string(field), "must be a role name or id");
    }
    const std::string requested = value.get<std::string>();
    if (IsBuiltinRole(requested)) {
        return requested;
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        c.Query(
            "SELECT id FROM roles WHERE tenant_id = $1 AND (id = $2 OR name_key = $3)",
            {tenant_id, requested, NameKey(requested)}
        )
    );
    if (rows.empty()) {
        return Error::InvalidField(std::string(field), "is not a role of this company");
    }
    return storage::AsText(rows.rows[0][0]);
}

Result<Json> RoleService::List(Connection& c, int64_t tenant_id) {
    Json data = Json::array();
    for (const char* name : {"admin", "manager", "user"}) {
        data.push_back(BuiltinJson(name));
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        c.Query(
            std::string("SELECT ") + kRoleColumns +
                " FROM roles r WHERE r.tenant_id = $1 ORDER BY r.name_key, r.id",
            {tenant_id}
        )
    );
    for (const auto& row : rows.rows) {
        data.push_back(RoleJson(row));
    }
    return Json{{"data", std::move(data)}};
}

Result<Json> RoleService::Get(Connection& c, int64_t tenant_id, std::string_view id) {
    if (IsBuiltinRole(id)) {
        return BuiltinJson(id);
    }
    if (!core::IsIdShaped(id)) {
        return Error::NotFound();
    }
    VK_ASSIGN_OR_RETURN(storage::Rows rows, LoadRole(c, tenant_id, id));
    if (rows.empty()) {
        return Error::NotFound();
    }
    return RoleJson(rows.rows[0]);
}

Status RoleService::BumpVersion(Connection& tx, int64_t tenant_id) {
    VK_ASSIGN_OR_RETURN(
        int64_t n,
        tx.Execute(
            "UPDATE tenants SET roles_version = roles_version + 1 WHERE id = $1", {tenant_id}
        )
    );
    (void)n;
    return core::Ok();
}

Result<Json> RoleService::Create(
    Connection& tx, int64_t tenant_id, const Json& input, const FieldCatalog& catalog
) {
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<std::string> rules;
    VK_RETURN_IF_ERROR(ValidateInput(input, true, catalog, name, description, rules));
    VK_RETURN_IF_ERROR(NameFree(tx, tenant_id, *name, ""));
    const std::string id = core::NewId();
    const int64_t now = clock_.NowMicros();
    VK_ASSIGN_OR_RETURN(
        int64_t n,
        tx.Execute(
            "INSERT INTO roles (tenant_id, id, name, name_key, description, rules, version, "
            "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)",
            {tenant_id, id, *name, NameKey(*name), description.value_or(""), *rules, now}
        )
    );
    (void)n;
    VK_RETURN_IF_ERROR(BumpVersion(tx, tenant_id));
    return Get(tx, tenant_id, id);
}

Result<Json> RoleService::Update(
    Connection& tx,
    int64_t tenant_id,
    std::string_view id,
    const Json& input,
    const FieldCatalog& catalog
) {
    if (IsBuiltinRole(id)) {
        return Error::Forbidden("Built-in roles cannot be changed");
    }
    VK_ASSIGN_OR_RETURN(Json current, Get(tx, tenant_id, id));
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<std::string> rules;
    VK_RETURN_IF_ERROR(ValidateInput(input, false, catalog, name, description, rules));
    if (name) {
        VK_RETURN_IF_ERROR(NameFree(tx, tenant_id, *name, id));
    }
    const std::string new_name = name.value_or(current["name"].get<std::string>());
    VK_ASSIGN_OR_RETURN(
        int64_t n,
        tx.Execute(
            "UPDATE roles SET name = $3, name_key = $4, description = $5, rules = $6, "
            "version = version + 1, updated_at = $7 WHERE tenant_id = $1 AND id = $2",
            {tenant_id,
             std::string(id),
             new_name,
             NameKey(new_name),
             description.value_or(current["description"].get<std::string>()),
             rules.value_or(current["rules"].dump()),
             clock_.NowMicros()}
        )
    );
    (void)n;
    VK_RETURN_IF_ERROR(BumpVersion(tx, tenant_id));
    return Get(tx, tenant_id, id);
}

Status RoleService::Delete(Connection& tx, int64_t tenant_id, std::string_view id) {
    if (IsBuiltinRole(id)) {
        return Error::Forbidden("Built-in roles cannot be deleted");
    }
    VK_ASSIGN_OR_RETURN(Json current, Get(tx, tenant_id, id));
    if (current["users"].get<int64_t>() > 0) {
        return Error::Conflict(
            "The role is assigned to " + std::to_string(current["users"].get<int64_t>()) +
                " user(s); give them another role first",
            {{"id", "is in use"}}
        );
    }
    VK_ASSIGN_OR_RETURN(
        int64_t n,
        tx.Execute(
            "DELETE FROM roles WHERE tenant_id = $1 AND id = $2", {tenant_id, std::string(id)}
        )
    );
    (void)n;
    return BumpVersion(tx, tenant_id);
}

}  // namespace voronka::access
