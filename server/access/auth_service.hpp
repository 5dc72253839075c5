// Tenants, users, teams, API tokens and browser sessions; resolves every request's caller.
#pragma once

#include <optional>
#include <string>

#include "access/permissions.hpp"
#include "access/request_context.hpp"
#include "access/role_service.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "storage/database.hpp"

namespace voronka::access {

using core::Json;
using core::Result;
using core::Status;
using storage::Connection;

struct NewUser {
    int64_t tenant_id = 0;
    std::string email;
    std::string password;
    std::string role = "user";  // a built-in name, or a custom role's id or name
    std::string name;
    std::string team_id;
};

struct IssuedToken {
    std::string id;
    std::string token;  // shown once; only its SHA-256 is stored
};

struct LoginResult {
    std::string session_token;  // the cookie value
    std::string csrf_token;     // echoed by the browser in X-CSRF-Token on writes
    RequestContext context;
    int64_t expires_at = 0;
};

// Argon2id with RFC 9106's second recommended option scaled to a server: t=3, m=64 MiB, p=1
// would cost ~100 ms; we use t=2, m=19 MiB, p=1 (OWASP's minimum for Argon2id) to keep logins
// under 50 ms on a 2-core machine. The encoded hash carries its parameters, so they can rise.
std::string HashPassword(std::string_view password);
bool VerifyPassword(std::string_view encoded, std::string_view password);

class AuthService {
public:
    AuthService(storage::Database& db, const core::Clock& clock);

    // Creates a tenant and its first admin. Emails are unique across the server (kConflict).
    Result<std::pair<int64_t, std::string>> CreateTenant(
        Connection& tx,
        std::string_view name,
        std::string_view admin_email,
        std::string_view admin_password
    );

    Result<std::string> CreateUser(Connection& tx, const NewUser& user);

    Result<IssuedToken> CreateToken(
        Connection& tx,
        int64_t tenant_id,
        std::string_view user_id,
        std::string_view name,
        bool read_only,
        std::optional<int64_t> expires_at,
        std::optional<int64_t> rate_limit = std::nullopt  // requests per minute, else the server's
    );

    // Resolves Authorization: Bearer or the session cookie. kUnauthenticated when absent,
    // unknown, expired, of a deactivated user or a suspended tenant; kForbidden on a cookie
    // write without the session's CSRF token.
    Result<RequestContext> Authenticate(
        std::string_view authorization,
        std::string_view cookie_header,
        std::string_view csrf_header,
        std::string_view method,
        std::string_view remote_address
    );

    // Email + password -> session. Throttled per account and per address: after 10 failures in
    // 15 minutes, kRateLimited (retry_after_seconds set).
    Result<LoginResult> Login(
        std::string_view email,
        std::string_view password,
        std::string_view remote_address,
        std::string_view user_agent,
        int64_t* retry_after_seconds
    );

    Status Logout(const RequestContext& ctx, std::string_view cookie_header);

    // Records an audit event (own transaction).
    void Audit(
        int64_t tenant_id,
        std::string_view actor_id,
        std::string_view action,
        const Json& detail,
        std::string_view remote_address
    );

    Result<std::optional<std::pair<int64_t, std::string>>> FindUserByEmail(
        Connection& c, std::string_view email
    );

    storage::Database& db() { return db_; }

    const core::Clock& clock() const { return clock_; }

    RoleService& roles() { return roles_; }

    static std::string SessionFromCookie(std::string_view cookie_header);

private:
    storage::Database& db_;
    const core::Clock& clock_;
    RoleService roles_;
};

bool IsValidEmail(std::string_view email);

// Bounds of a token's own rate limit, in requests per minute (as `serve --rate-limit`).
inline constexpr int64_t kMinTokenRateLimit = 1;
inline constexpr int64_t kMaxTokenRateLimit = 1000000;

// An IANA time zone ICU knows ("Europe/Moscow"); not an offset or abbreviation.
bool IsValidTimeZone(std::string_view zone);

}  // namespace voronka::access
