// Custom roles: per-tenant permission rules stored as JSON, resolved for every request through a
// cache that a tenant-wide version bump invalidates, so a change applies to the next request.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "access/permissions.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "storage/database.hpp"

namespace voronka::access {

// Role JSON (API form): {"id", "name", "description", "builtin", "rules", "version", "users"}.
// Built-in roles use their name as id and cannot be changed. Custom roles are stored in `roles`
// and assigned by id (users.role holds a built-in name or a custom role's id).
class RoleService {
public:
    explicit RoleService(const core::Clock& clock);

    // Permissions for a user's stored role value. `roles_version` is the tenant's current
    // tenants.roles_version; a cached entry of an older version is reloaded. A role that no
    // longer exists gets no rights.
    core::Result<std::shared_ptr<const Permissions>> Resolve(
        storage::Connection& c, int64_t tenant_id, std::string_view role, int64_t roles_version
    );

    // The value to store in users.role for a requested role: a built-in name as is, a custom
    // role given by id or by name (case-insensitive) as its id. kInvalid on `field` otherwise.
    core::Result<std::string> Assignable(
        storage::Connection& c, int64_t tenant_id, const core::Json& value, std::string_view field
    );

    // Built-in roles first, then custom roles by name.
    core::Result<core::Json> List(storage::Connection& c, int64_t tenant_id);

    core::Result<core::Json> Get(storage::Connection& c, int64_t tenant_id, std::string_view id);

    // {"name", "description"?, "rules"}: rules validated against `catalog`. kConflict when the
    // name is taken (built-in names included).
    core::Result<core::Json> Create(
        storage::Connection& tx,
        int64_t tenant_id,
        const core::Json& input,
        const FieldCatalog& catalog
    );

    // Partial update of name, description and rules. kForbidden for a built-in role.
    core::Result<core::Json> Update(
        storage::Connection& tx,
        int64_t tenant_id,
        std::string_view id,
        const core::Json& input,
        const FieldCatalog& catalog
    );

    // kConflict while any user has the role; kForbidden for a built-in role.
    core::Status Delete(storage::Connection& tx, int64_t tenant_id, std::string_view id);

private:
    struct CacheEntry {
        int64_t roles_version;
        std::shared_ptr<const Permissions> permissions;
    };

    core::Status BumpVersion(storage::Connection& tx, int64_t tenant_id);

    const core::Clock& clock_;
    std::mutex mutex_;
    std::map<std::pair<int64_t, std::string>, CacheEntry> cache_;
};

}  // namespace voronka::access
