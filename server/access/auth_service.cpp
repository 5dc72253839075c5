// Credentials and callers: Argon2id passwords, hashed tokens and sessions, login throttling.
#include "access/auth_service.hpp"

#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include "core/id.hpp"
#include "core/text.hpp"
#include "storage/tenant_scope.hpp"
#include <argon2.h>

namespace voronka::access {

using core::Error;

namespace {

constexpr uint32_t kArgonTime = 2;
constexpr uint32_t kArgonMemoryKib = 19456;
constexpr uint32_t kArgonLanes = 1;
constexpr int64_t kSessionMicros = 14LL * 24 * 3600 * 1000000;
constexpr int64_t kThrottleWindowMicros = 15LL * 60 * 1000000;
constexpr int kThrottleFailures = 10;

std::string LowerAscii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace

bool IsValidEmail(std::string_view email) {
    const auto at = email.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= email.size() || email.size() > 254 ||
        email.find('@', at + 1) != std::string_view::npos) {
        return false;
    }
    const auto domain = email.substr(at + 1);
    if (domain.find('.') == std::string_view::npos || domain.front() == '.' ||
        domain.back() == '.') {
        return false;
    }
    for (char c : email) {
        if (static_cast<unsigned char>(c) <= ' ') {
            return false;
        }
    }
    return core::IsValidUtf8(email);
}

bool IsValidTimeZone(std::string_view zone) {
    if (zone.empty() || zone.size() > 64 || !core::IsValidUtf8(zone)) {
        return false;
    }
    icu::UnicodeString canonical;
    UBool is_system = false;
    UErrorCode status = U_ZERO_ERROR;
    icu::TimeZone::getCanonicalID(
        icu::UnicodeString::fromUTF8(
            icu::StringPiece(zone.data(), static_cast<int32_t>(zone.size()))
        ),
        canonical,
        is_system,
        status
    );
    // Only region zones: "GMT+3" style custom ids are not system zones.
    return U_SUCCESS(status) && is_system && zone.find('/') != std::string_view::npos;
}

std::string HashPassword(std::string_view password) {
    std::string salt(16, '\0');
    const std::string random = core::RandomToken(16);
    salt.assign(random.begin(), random.begin() + 16);
    const size_t length =
        argon2_encodedlen(kArgonTime, kArgonMemoryKib, kArgonLanes, 16, 32, Argon2_id);
    std::string encoded(length, '\0');
    const int rc = argon2id_hash_encoded(
        kArgonTime,
        kArgonMemoryKib,
        kArgonLanes,
        password.data(),
        password.size(),
        salt.data(),
        salt.size(),
        32,
        encoded.data(),
        encoded.size()
    );
    if (rc != ARGON2_OK) {
        return {};
    }
    encoded.resize(std::strlen(encoded.c_str()));
    return encoded;
}

bool VerifyPassword(std::string_view encoded, std::string_view password) {
    const std::string enc(encoded);
    return argon2id_verify(enc.c_str(), password.data(), password.size()) == ARGON2_OK;
}

AuthService::AuthService(storage::Database& db, const core::Clock& clock)
    : db_(db), clock_(clock), roles_(clock) {}

Result<std::pair<int64_t, std::string>> AuthService::CreateTenant(
    Connection& tx,
    std::string_view name,
    std::string_view admin_email,
    std::string_view admin_password
) {
    const std::string tenant_name = core::Trim(name);
    if (tenant_name.empty() || tenant_name.size() > 200 || !core::IsValidUtf8(tenant_name)) {
        return Error::InvalidField("name", "is required (1 to 200 bytes)");
    }
    storage::Rows created;
    {
        // The new tenant is nobody's scope yet.
        const storage::SystemScope creating_tenant;
        VK_ASSIGN_OR_RETURN(
            created,
            tx.Query(
                "INSERT INTO tenants (name, created_at) VALUES ($1, $2) RETURNING id",
                {tenant_name, clock_.NowMicros()}
            )
        );
    }
    const int64_t tenant_id = storage::AsInt(created.rows[0][0]);
    // The first admin belongs to the new tenant; the caller's scope resumes afterwards.
    const storage::TenantScope new_tenant(tenant_id);
    NewUser admin;
    admin.tenant_id = tenant_id;
    admin.email = std::string(admin_email);
    admin.password = std::string(admin_password);
    admin.role = "admin";
    admin.name = "Administrator";
    VK_ASSIGN_OR_RETURN(std::string user_id, CreateUser(tx, admin));
    return std::make_pair(tenant_id, user_id);
}

Result<std::string> AuthService::CreateUser(Connection& tx, const NewUser& user) {
    std::vector<core::FieldError> errors;
    const std::string email = LowerAscii(core::Trim(user.email));
    if (!IsValidEmail(email)) {
        errors.push_back({"email", "is not a valid email address"});
    }
    if (user.password.size() < 8 || user.password.size() > 512) {
        errors.push_back({"password", "must be 8 to 512 characters"});
    }
    std::string role = user.role;
    if (!IsBuiltinRole(role)) {
        auto assignable = roles_.Assignable(tx, user.tenant_id, Json(role), "role");
        if (!assignable) {
            errors.push_back({"role", "must be admin, manager, user or a role of this company"});
        } else {
            role = *assignable;
        }
    }
    if (user.name.size() > 200 || !core::IsValidUtf8(user.name)) {
        errors.push_back({"name", "must be up to 200 bytes of text"});
    }
    if (!user.team_id.empty()) {
        VK_ASSIGN_OR_RETURN(
            storage::Rows team,
            tx.Query(
                "SELECT 1 FROM teams WHERE tenant_id = $1 AND id = $2",
                {user.tenant_id, user.team_id}
            )
        );
        if (team.empty()) {
            errors.push_back({"team_id", "is not a team of this company"});
        }
    }
    if (!errors.empty()) {
        return Error::Invalid("Validation failed", std::move(errors));
    }
    storage::Rows taken;
    {
        // Emails are unique across the server, so the check looks at every tenant's users.
        const storage::SystemScope all_tenants;
        VK_ASSIGN_OR_RETURN(taken, tx.Query("SELECT 1 FROM users WHERE email = $1", {email}));
    }
    if (!taken.empty()) {
        return Error::Conflict(
            "A user with this email already exists", {{"email", "is already taken"}}
        );
    }
    const std::string id = core::NewId();
    const int64_t now = clock_.NowMicros();
    auto inserted = tx.Execute(
        "INSERT INTO users (tenant_id, id, email, name, password_hash, role, team_id, created_at, "
        "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        {user.tenant_id,
         id,
         email,
         user.name.empty() ? email : user.name,
         HashPassword(user.password),
         role,
         user.team_id.empty() ? storage::Value(nullptr) : storage::Value(user.team_id),
         now}
    );
    if (!inserted) {
        return std::move(inserted).error();
    }
    return id;
}

Result<IssuedToken> AuthService::CreateToken(
    Connection& tx,
    int64_t tenant_id,
    std::string_view user_id,
    std::string_view name,
    bool read_only,
    std::optional<int64_t> expires_at,
    std::optional<int64_t> rate_limit
) {
    if (name.size() > 200 || !core::IsValidUtf8(name)) {
        return Error::InvalidField("name", "must be up to 200 bytes of text");
    }
    if (rate_limit && (*rate_limit < kMinTokenRateLimit || *rate_limit > kMaxTokenRateLimit)) {
        return Error::InvalidField("rate_limit", "must be 1 to 1000000 requests per minute");
    }
    IssuedToken token{core::NewId(), "vk_" + core::RandomToken(32)};
    auto inserted = tx.Execute(
        "INSERT INTO api_tokens (token_hash, tenant_id, id, user_id, name, read_only, expires_at, "
        "created_at, rate_limit) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        {core::Sha256Hex(token.token),
         tenant_id,
         token.id,
         std::string(user_id),
         std::string(name),
         int64_t{read_only ? 1 : 0},
         expires_at ? storage::Value(*expires_at) : storage::Value(nullptr),
         clock_.NowMicros(),
         rate_limit ? storage::Value(*rate_limit) : storage::Value(nullptr)}
    );
    if (!inserted) {
        return std::move(inserted).error();
    }
    return token;
}

std::string AuthService::SessionFromCookie(std::string_view cookie_header) {
    constexpr std::string_view kName = "voronka_session=";
    size_t pos = 0;
    while (pos < cookie_header.size()) {
        while (pos < cookie_header.size() &&
               (cookie_header[pos] == ' ' || cookie_header[pos] == ';')) {
            ++pos;
        }
        size_t end = cookie_header.find(';', pos);
        if (end == std::string_view::npos) {
            end = cookie_header.size();
        }
        const auto item = cookie_header.substr(pos, end - pos);
        if (item.starts_with(kName)) {
            return std::string(item.substr(kName.size()));
        }
        pos = end + 1;
    }
    return {};
}

Result<RequestContext> AuthService::Authenticate(
    std::string_view authorization,
    std::string_view cookie_header,
    std::string_view csrf_header,
    std::string_view method,
    std::string_view remote_address
) {
    RequestContext ctx;
    ctx.remote_address = std::string(remote_address);
    std::string secret;
    bool via_session = false;
    if (authorization.size() > 7 && LowerAscii(authorization.substr(0, 7)) == "bearer ") {
        secret = core::Trim(authorization.substr(7));
    } else if (!authorization.empty()) {
        return Error::Unauthenticated("Use Authorization: Bearer <token>");
    } else {
        secret = SessionFromCookie(cookie_header);
        via_session = true;
    }
    if (secret.empty() || secret.size() > 200) {
        return Error::Unauthenticated();
    }
    const std::string hash = core::Sha256Hex(secret);
    const int64_t now = clock_.NowMicros();
    storage::Rows rows;
    // The credential is what tells the tenant: the lookup precedes any tenant scope.
    const storage::SystemScope credential_lookup;
    VK_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
        auto found =
            via_session
                ? c.Query(
                      "SELECT s.tenant_id, s.user_id, u.role, u.team_id, t.meta_version, 0, "
                      "s.csrf_token, "
                      "s.expires_at, t.roles_version, s.id, 0 FROM sessions s JOIN users u ON "
                      "u.tenant_id = s.tenant_id AND u.id = "
                      "s.user_id JOIN tenants t ON t.id = s.tenant_id WHERE s.session_hash = $1 "
                      "AND "
                      "u.active = 1 AND t.status = 'active'",
                      {hash}
                  )
                : c.Query(
                      "SELECT k.tenant_id, k.user_id, u.role, u.team_id, t.meta_version, "
                      "k.read_only, '', "
                      "k.expires_at, t.roles_version, k.id, k.rate_limit FROM api_tokens k JOIN "
                      "users u ON "
                      "u.tenant_id = k.tenant_id AND u.id = "
                      "k.user_id JOIN tenants t ON t.id = k.tenant_id WHERE k.token_hash = $1 AND "
                      "u.active = 1 AND t.status = 'active'",
                      {hash}
                  );
        if (!found) {
            return std::move(found).error();
        }
        rows = std::move(found).value();
        if (!rows.empty()) {
            // Resolved in the same snapshot as roles_version, so the cache cannot go stale.
            const auto& r = rows.rows[0];
            VK_ASSIGN_OR_RETURN(
                ctx.permissions,
                roles_.Resolve(c, storage::AsInt(r[0]), storage::AsText(r[2]), storage::AsInt(r[8]))
            );
        }
        return core::Ok();
    }));
    if (rows.empty()) {
        return Error::Unauthenticated("The token or session is not valid");
    }
    const auto& row = rows.rows[0];
    if (!storage::IsNull(row[7]) && storage::AsInt(row[7]) <= now) {
        return Error::Unauthenticated("The token or session has expired");
    }
    if (via_session && method != "GET" && method != "HEAD" && method != "OPTIONS") {
        // Cookie-authenticated writes must echo the session's CSRF token (double submit).
        if (csrf_header.empty() || csrf_header != storage::AsText(row[6])) {
            return Error::Forbidden("Missing or wrong X-CSRF-Token header");
        }
    }
    ctx.tenant_id = storage::AsInt(row[0]);
    ctx.user_id = storage::AsText(row[1]);
    ctx.role = storage::AsText(row[2]);
    ctx.team_id = storage::AsText(row[3]);
    ctx.meta_version = storage::AsInt(row[4]);
    ctx.read_only = storage::AsInt(row[5]) != 0;
    ctx.auth = via_session ? AuthKind::kSession : AuthKind::kToken;
    ctx.credential_id = (via_session ? "session:" : "token:") + storage::AsText(row[9]);
    ctx.rate_limit = storage::AsInt(row[10]);
    if (via_session) {
        ctx.csrf_token = storage::AsText(row[6]);
    }
    return ctx;
}

Result<LoginResult> AuthService::Login(
    std::string_view email_input,
    std::string_view password,
    std::string_view remote_address,
    std::string_view user_agent,
    int64_t* retry_after_seconds
) {
    const std::string email = LowerAscii(core::Trim(email_input));
    const int64_t now = clock_.NowMicros();
    const std::string account_key = "account:" + email;
    const std::string address_key = "address:" + std::string(remote_address);
    storage::Rows throttle;
    storage::Rows user;
    std::optional<storage::SystemScope> sign_in_lookup;  // the email tells the tenant
    sign_in_lookup.emplace();
    VK_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
        VK_ASSIGN_OR_RETURN(
            throttle,
            c.Query(
                "SELECT key, COUNT(*), MIN(at) FROM login_failures WHERE key IN ($1, $2) AND at > "
                "$3 GROUP BY key",
                {account_key, address_key, now - kThrottleWindowMicros}
            )
        );
        VK_ASSIGN_OR_RETURN(
            user,
            c.Query(
                "SELECT u.tenant_id, u.id, u.password_hash, u.role, u.team_id, t.meta_version, "
                "t.roles_version FROM users u "
                "JOIN tenants t ON t.id = u.tenant_id WHERE u.email = $1 AND u.active = 1 AND "
                "t.status = 'active'",
                {email}
            )
        );
        return core::Ok();
    }));
    for (const auto& row : throttle.rows) {
        if (storage::AsInt(row[1]) >= kThrottleFailures) {
            const int64_t wait =
                (storage::AsInt(row[2]) + kThrottleWindowMicros - now) / 1000000 + 1;
            if (retry_after_seconds) {
                *retry_after_seconds = wait;
            }
            return Error::RateLimited("Too many failed sign-in attempts; try again later");
        }
    }
    sign_in_lookup.reset();
    // Everything after the lookup acts for the account's tenant (none when it is unknown).
    const storage::TenantScope account_tenant(user.empty() ? 0 : storage::AsInt(user.rows[0][0]));
    const bool ok = !user.empty() && VerifyPassword(storage::AsText(user.rows[0][2]), password);
    if (!ok) {
        (void)db_.Write([&](Connection& tx) -> Status {
            for (const auto& key : {account_key, address_key}) {
                auto r =
                    tx.Execute("INSERT INTO login_failures (key, at) VALUES ($1, $2)", {key, now});
                if (!r) {
                    return std::move(r).error();
                }
            }
            return core::Ok();
        });
        if (!user.empty()) {
            Audit(
                storage::AsInt(user.rows[0][0]),
                storage::AsText(user.rows[0][1]),
                "login.failure",
                Json{{"user_agent", std::string(user_agent)}},
                remote_address
            );
        }
        return Error::Unauthenticated("Wrong email or password");
    }
    LoginResult result;
    result.session_token = core::RandomToken(32);
    result.csrf_token = core::RandomToken(24);
    result.expires_at = now + kSessionMicros;
    const auto& row = user.rows[0];
    result.context.tenant_id = storage::AsInt(row[0]);
    result.context.user_id = storage::AsText(row[1]);
    result.context.role = storage::AsText(row[3]);
    result.context.team_id = storage::AsText(row[4]);
    result.context.meta_version = storage::AsInt(row[5]);
    result.context.auth = AuthKind::kSession;
    result.context.csrf_token = result.csrf_token;
    const std::string session_id = core::NewId();
    result.context.credential_id = "session:" + session_id;
    VK_RETURN_IF_ERROR(db_.Read([&](Connection& c) -> Status {
        VK_ASSIGN_OR_RETURN(
            result.context.permissions,
            roles_.Resolve(c, result.context.tenant_id, result.context.role, storage::AsInt(row[6]))
        );
        return core::Ok();
    }));
    VK_RETURN_IF_ERROR(db_.Write([&](Connection& tx) -> Status {
        auto r = tx.Execute(
            "INSERT INTO sessions (session_hash, tenant_id, id, user_id, csrf_token, user_agent, "
            "remote_address, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            {core::Sha256Hex(result.session_token),
             result.context.tenant_id,
             session_id,
             result.context.user_id,
             result.csrf_token,
             std::string(user_agent.substr(0, 300)),
             std::string(remote_address),
             now,
             result.expires_at}
        );
        if (!r) {
            return std::move(r).error();
        }
        auto cleared = tx.Execute("DELETE FROM login_failures WHERE key = $1", {account_key});
        return cleared ? core::Ok() : Status(std::move(cleared).error());
    }));
    Audit(
        result.context.tenant_id,
        result.context.user_id,
        "login.success",
        Json{{"user_agent", std::string(user_agent)}},
        remote_address
    );
    return result;
}

Status AuthService::Logout(const RequestContext& ctx, std::string_view cookie_header) {
    const std::string secret = SessionFromCookie(cookie_header);
    if (secret.empty()) {
        return core::Ok();
    }
    return db_.Write([&](Connection& tx) -> Status {
        auto r = tx.Execute(
            "DELETE FROM sessions WHERE session_hash = $1 AND tenant_id = $2",
            {core::Sha256Hex(secret), ctx.tenant_id}
        );
        return r ? core::Ok() : Status(std::move(r).error());
    });
}

void AuthService::Audit(
    int64_t tenant_id,
    std::string_view actor_id,
    std::string_view action,
    const Json& detail,
    std::string_view remote_address
) {
    (void)db_.Write([&](Connection& tx) -> Status {
        auto r = tx.Execute(
            "INSERT INTO audit_log (tenant_id, at, actor_id, action, detail, remote_address) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            {tenant_id,
             clock_.NowMicros(),
             actor_id.empty() ? storage::Value(nullptr) : storage::Value(std::string(actor_id)),
             std::string(action),
             detail.dump(-1, ' ', false, Json::error_handler_t::replace),
             std::string(remote_address)}
        );
        return r ? core::Ok() : Status(std::move(r).error());
    });
}

Result<std::optional<std::pair<int64_t, std::string>>> AuthService::FindUserByEmail(
    Connection& c, std::string_view email
) {
    // Emails are unique across the server; the answer names the tenant.
    const storage::SystemScope all_tenants;
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        c.Query("SELECT tenant_id, id FROM users WHERE email = $1", {LowerAscii(core::Trim(email))})
    );
    if (rows.empty()) {
        return std::optional<std::pair<int64_t, std::string>>();
    }
    return std::optional<std::pair<int64_t, std::string>>(
        std::make_pair(storage::AsInt(rows.rows[0][0]), storage::AsText(rows.rows[0][1]))
    );
}

}  // namespace voronka::access
