// Who is asking: the tenant and user every domain call is made for, resolved by auth middleware.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace voronka::access {

struct Permissions;  // access/permissions.hpp

enum class AuthKind { kNone, kToken, kSession, kOperator };

struct RequestContext {
    int64_t tenant_id = 0;  // 0 only for public routes and the operator
    std::string user_id;
    std::string role;  // "admin", "manager", "user" or a custom role name
    std::string team_id;
    AuthKind auth = AuthKind::kNone;
    bool read_only = false;    // read-only API token
    int64_t meta_version = 0;  // tenant's metadata version, for cache validation
    std::shared_ptr<const Permissions> permissions;
    std::string credential_id;  // "token:<id>" or "session:<id>"; the rate-limit key
    int64_t rate_limit = 0;     // the API token's own requests per minute; 0: the server's
    std::string csrf_token;     // the session's, for cookie sessions only
    std::string remote_address;
    std::string user_agent;
};

// 403 for a read-only API token; what every writing route checks first.
inline core::Status RequireWritable(const RequestContext& ctx) {
    if (ctx.read_only) {
        return core::Error::Forbidden("This API token is read-only");
    }
    return core::Ok();
}

}  // namespace voronka::access
