// Thin handlers over AuthService; every query names the caller's tenant.
#include "access/access_routes.hpp"

#include "access/operator_routes.hpp"
#include "access/request_body.hpp"
#include "core/clock.hpp"
#include "core/id.hpp"
#include "core/text.hpp"

namespace voronka::access {

using core::Error;
using http::Policy;
using http::Request;
using http::Response;

namespace {

std::string StringField(const Json& body, const char* name) {
    auto it = body.find(name);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Json UserJson(const std::vector<storage::Value>& row) {
    return {
        {"id", storage::AsText(row[0])},
        {"email", storage::AsText(row[1])},
        {"name", storage::AsText(row[2])},
        {"role", storage::AsText(row[3])},
        {"team_id", storage::IsNull(row[4]) ? Json(nullptr) : Json(storage::AsText(row[4]))},
        {"active", storage::AsInt(row[5]) != 0},
        {"locale", storage::AsText(row[6])},
        {"time_zone", storage::AsText(row[7])},
        {"role_name", storage::AsText(storage::IsNull(row[8]) ? row[3] : row[8])},
    };
}

// Users with their role's display name (custom roles are stored by id).
constexpr const char* kUserColumns =
    "u.id, u.email, u.name, u.role, u.team_id, u.active, u.locale, u.time_zone, r.name";
constexpr const char* kUserFrom =
    " FROM users u LEFT JOIN roles r ON r.tenant_id = u.tenant_id AND r.id = u.role";

// Profile properties a user may set on themselves (PATCH /me) or an admin on anyone.
void ValidateProfile(
    const std::string& key, const Json& value, std::vector<core::FieldError>& errors
) {
    if (!value.is_string()) {
        errors.push_back({key, "must be a string"});
        return;
    }
    const auto& text = value.get_ref<const std::string&>();
    if (key == "name" &&
        (core::Trim(text).empty() || text.size() > 200 || !core::IsValidUtf8(text))) {
        errors.push_back({key, "must be 1 to 200 bytes of text"});
    } else if (key == "locale" && text != "ru" && text != "uk" && text != "en") {
        errors.push_back({key, "must be ru, uk or en"});
    } else if (key == "time_zone" && !IsValidTimeZone(text)) {
        errors.push_back({key, "must be an IANA time zone such as Europe/Moscow"});
    }
}

// Deletes one of the caller's own credentials (an API token or a session) by id; another
// user's or company's id is simply not found. `table` is a fixed name, never client input.
Result<Response> RevokeOwn(
    AuthService& auth, const RequestContext& ctx, const char* table, const std::string& id
) {
    VK_RETURN_IF_ERROR(RequireWritable(ctx));
    VK_ASSIGN_OR_RETURN(int64_t n, storage::WriteReturning<int64_t>(auth.db(), [&](Connection& tx) {
                            return tx.Execute(
                                std::string("DELETE FROM ") + table +
                                    " WHERE tenant_id = $1 AND user_id = $2 AND id = $3",
                                {ctx.tenant_id, ctx.user_id, id}
                            );
                        }));
    if (n == 0) {
        return Error::NotFound();
    }
    return Response::NoContent();
}

}  // namespace

http::Authenticator MakeAuthenticator(AuthService& auth) {
    return [&auth](const Request& req, Policy policy) -> Result<RequestContext> {
        if (policy == Policy::kOperator) {
            return AuthenticateOperator(auth.db(), req.Header("authorization"));
        }
        VK_ASSIGN_OR_RETURN(
            RequestContext ctx,
            auth.Authenticate(
                req.Header("authorization"),
                req.Header("cookie"),
                req.Header("x-csrf-token"),
                req.method,
                req.remote_address
            )
        );
        ctx.user_agent = req.Header("user-agent");
        if (policy == Policy::kAdmin && !(ctx.permissions && ctx.permissions->manage_users)) {
            return Error::Forbidden("Only administrators can do this");
        }
        return ctx;
    };
}

void RegisterAccessRoutes(http::Router& router, AuthService& auth) {
    auto& db = auth.db();

    router.Add(
        "POST",
        "/api/v1/auth/login",
        Policy::kPublic,
        [&auth](const RequestContext&, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(Json body, ObjectBody(req));
            const std::string email = StringField(body, "email");
            const std::string password = StringField(body, "password");
            std::vector<core::FieldError> errors;
            if (email.empty()) {
                errors.push_back({"email", "is required"});
            }
            if (password.empty()) {
                errors.push_back({"password", "is required"});
            }
            if (!errors.empty()) {
                return Error::Invalid("Email and password are required", std::move(errors));
            }
            int64_t retry_after = 0;
            auto login = auth.Login(
                email, password, req.remote_address, req.Header("user-agent"), &retry_after
            );
            if (!login) {
                if (login.error().code == core::ErrorCode::kRateLimited) {
                    Response r = http::ProblemResponse(login.error());
                    r.SetHeader("Retry-After", std::to_string(retry_after));
                    return r;
                }
                return std::move(login).error();
            }
            Response r = Response::JsonBody(
                200,
                {
                    {"user_id", login->context.user_id},
                    {"role", login->context.role},
                    {"csrf_token", login->csrf_token},
                    {"expires_at", core::FormatTimestamp(login->expires_at)},
                }
            );
            r.SetHeader(
                "Set-Cookie",
                "voronka_session=" + login->session_token +
                    "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(14 * 24 * 3600)
            );
            return r;
        },
        "Sign in with email and password (sets the session cookie)",
        "auth"
    );

    router.Add(
        "POST",
        "/api/v1/auth/logout",
        Policy::kAuthenticated,
        [&auth](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(auth.Logout(ctx, req.Header("cookie")));
            Response r = Response::NoContent();
            r.SetHeader(
                "Set-Cookie", "voronka_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
            );
            return r;
        },
        "Sign out",
        "auth"
    );

    router.Add(
        "GET",
        "/api/v1/me",
        Policy::kAuthenticated,
        [&db](const RequestContext& ctx, const Request&) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(
                storage::Rows rows,
                storage::ReadReturning<storage::Rows>(
                    db,
                    [&](Connection& c) {
                        return c.Query(
                            std::string("SELECT ") + kUserColumns + kUserFrom +
                                " WHERE u.tenant_id = $1 AND u.id = $2",
                            {ctx.tenant_id, ctx.user_id}
                        );
                    }
                )
            );
            if (rows.empty()) {
                return Error::Unauthenticated();
            }
            Json me = UserJson(rows.rows[0]);
            me["tenant_id"] = ctx.tenant_id;
            me["permissions"] = {
                {"manage_users", ctx.permissions && ctx.permissions->manage_users},
                {"manage_metadata", ctx.permissions && ctx.permissions->manage_metadata},
                {"view_audit", ctx.permissions && ctx.permissions->view_audit},
                {"read_only", ctx.read_only},
                {"rules", ctx.permissions ? RulesToJson(*ctx.permissions) : Json(nullptr)},
            };
            if (ctx.auth == AuthKind::kSession) {
                // A new browser tab has the cookie but not the login response: it reads this to
                // write.
                me["csrf_token"] = ctx.csrf_token;
            }
            return Response::JsonBody(200, me);
        },
        "The signed-in user",
        "auth"
    );

    router.Add(
        "PATCH",
        "/api/v1/me",
        Policy::kAuthenticated,
        [&auth](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(Json body, ObjectBody(req));
            std::vector<core::FieldError> errors;
            for (const auto& [key, value] : body.items()) {
                if (key == "name" || key == "locale" || key == "time_zone") {
                    ValidateProfile(key, value, errors);
                } else {
                    errors.push_back(
                        {key, "is not a property you can change (use name, locale, time_zone)"}
                    );
                }
            }
            if (!errors.empty()) {
                return Error::Invalid("Validation failed", std::move(errors));
            }
            VK_ASSIGN_OR_RETURN(
                Json updated,
                storage::WriteReturning<Json>(
                    auth.db(),
                    [&](Connection& tx) -> Result<Json> {
                        const int64_t now = auth.clock().NowMicros();
                        for (const auto& [key, value] : body.items()) {
                            const std::string v = key == "name"
                                                      ? core::Trim(value.get<std::string>())
                                                      : value.get<std::string>();
                            VK_ASSIGN_OR_RETURN(
                                int64_t n,
                                tx.Execute(
                                    "UPDATE users SET " + key +
                                        " = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
                                    {ctx.tenant_id, ctx.user_id, v, now}
                                )
                            );
                            (void)n;
                        }
                        VK_ASSIGN_OR_RETURN(
                            storage::Rows rows,
                            tx.Query(
                                std::string("SELECT ") + kUserColumns + kUserFrom +
                                    " WHERE u.tenant_id = $1 AND u.id = $2",
                                {ctx.tenant_id, ctx.user_id}
                            )
                        );
                        if (rows.empty()) {
                            return Error::Unauthenticated();
                        }
                        return UserJson(rows.rows[0]);
                    }
                )
            );
            return Response::JsonBody(200, updated);
        },
        "Change your own name, language or time zone",
        "auth"
    );

    router.Add(
        "GET",
        "/api/v1/users",
        Policy::kAuthenticated,
        [&db](const RequestContext& ctx, const Request&) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(
                storage::Rows rows,
                storage::ReadReturning<storage::Rows>(
                    db,
                    [&](Connection& c) {
                        return c.Query(
                            std::string("SELECT ") + kUserColumns + kUserFrom +
                                " WHERE u.tenant_id = $1 ORDER BY u.name, u.id",
                            {ctx.tenant_id}
                        );
                    }
                )
            );
            Json data = Json::array();
            for (const auto& row : rows.rows) {
                data.push_back(UserJson(row));
            }
            return Response::JsonBody(200, {{"data", data}});
        },
        "Users of the company",
        "users"
    );

    router.Add(
        "POST",
        "/api/v1/users",
        Policy::kAdmin,
        [&auth](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(Json body, ObjectBody(req));
            NewUser user;
            user.tenant_id = ctx.tenant_id;
            user.email = StringField(body, "email");
            user.password = StringField(body, "password");
            user.role = body.contains("role") ? StringField(body, "role") : "user";
            user.name = StringField(body, "name");
            user.team_id = StringField(body, "team_id");
            VK_ASSIGN_OR_RETURN(
                std::string id,
                storage::WriteReturning<std::string>(
                    auth.db(), [&](Connection& tx) { return auth.CreateUser(tx, user); }
                )
            );
            auth.Audit(
                ctx.tenant_id,
                ctx.user_id,
                "user.create",
                {{"user_id", id}, {"role", user.role}},
                ctx.remote_address
            );
            return Response::JsonBody(
                201, {{"id", id}, {"email", user.email}, {"role", user.role}}
            );
        },
        "Create a user",
        "users"
    );

    router.Add(
        "PATCH",
        "/api/v1/users/{id}",
        Policy::kAdmin,
        [&auth](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(Json body, ObjectBody(req));
            const std::string id = req.PathParam("id");
            std::vector<core::FieldError> errors;
            for (const auto& [key, value] : body.items()) {
                if (key == "active" && !value.is_boolean()) {
                    errors.push_back({key, "must be true or false"});
                } else if (key == "role" && (!value.is_string() || value.get<std::string>().empty())) {
                    errors.push_back({key, "must be a role name or id"});
                } else if (key == "name" || key == "locale" || key == "time_zone") {
                    ValidateProfile(key, value, errors);
                } else if (key == "password" && !value.is_string()) {
                    errors.push_back({key, "must be a string"});
                } else if (key == "password" && (value.get<std::string>().size() < 8 || value.get<std::string>().size() > 512)) {
                    errors.push_back({key, "must be 8 to 512 characters"});
                } else if (key == "team_id" && !value.is_null() && !value.is_string()) {
                    errors.push_back({key, "must be a team id or null"});
                } else if (key != "active" && key != "role" && key != "name" && key != "locale" && key != "time_zone" && key != "team_id" && key != "password") {
                    errors.push_back({key, "is not a writable property of a user"});
                }
            }
            if (!errors.empty()) {
                return Error::Invalid("Validation failed", std::move(errors));
            }
            if (id == ctx.user_id && body.contains("active") && !body["active"].get<bool>()) {
                return Error::InvalidField("active", "you cannot deactivate yourself");
            }
            if (id == ctx.user_id && body.contains("role") && body["role"] != ctx.role) {
                // Otherwise the last administrator could lock everyone out of user management.
                return Error::InvalidField("role", "you cannot change your own role");
            }
            VK_ASSIGN_OR_RETURN(
                Json updated,
                storage::WriteReturning<Json>(
                    auth.db(),
                    [&](Connection& tx) -> Result<Json> {
                        VK_ASSIGN_OR_RETURN(
                            storage::Rows found,
                            tx.Query(
                                "SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2",
                                {ctx.tenant_id, id}
                            )
                        );
                        if (found.empty()) {
                            return Error::NotFound();
                        }
                        const int64_t now = auth.clock().NowMicros();
                        for (const auto& [key, value] : body.items()) {
                            storage::Value v = nullptr;
                            std::string column = key;
                            if (key == "active") {
                                v = int64_t{value.get<bool>() ? 1 : 0};
                            } else if (key == "password") {
                                column = "password_hash";
                                v = HashPassword(value.get<std::string>());
                            } else if (key == "role") {
                                // A built-in name, or a custom role by name or id (stored by id).
                                VK_ASSIGN_OR_RETURN(
                                    std::string role,
                                    auth.roles().Assignable(tx, ctx.tenant_id, value, "role")
                                );
                                v = std::move(role);
                            } else if (key == "team_id" && !value.is_null()) {
                                VK_ASSIGN_OR_RETURN(
                                    storage::Rows team,
                                    tx.Query(
                                        "SELECT 1 FROM teams WHERE tenant_id = $1 AND id = $2",
                                        {ctx.tenant_id, value.get<std::string>()}
                                    )
                                );
                                if (team.empty()) {
                                    return Error::InvalidField(
                                        "team_id", "is not a team of this company"
                                    );
                                }
                                v = value.get<std::string>();
                            } else if (value.is_string()) {
                                v = value.get<std::string>();
                            }
                            VK_ASSIGN_OR_RETURN(
                                int64_t n,
                                tx.Execute(
                                    "UPDATE users SET " + column +
                                        " = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
                                    {ctx.tenant_id, id, v, now}
                                )
                            );
                            (void)n;
                        }
                        if ((body.contains("active") && !body["active"].get<bool>()) ||
                            body.contains("password")) {
                            // Deactivation and password resets end every session and token at once.
                            VK_ASSIGN_OR_RETURN(
                                int64_t s,
                                tx.Execute(
                                    "DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2",
                                    {ctx.tenant_id, id}
                                )
                            );
                            (void)s;
                        }
                        if (body.contains("active") && !body["active"].get<bool>()) {
                            VK_ASSIGN_OR_RETURN(
                                int64_t t,
                                tx.Execute(
                                    "DELETE FROM api_tokens WHERE tenant_id = $1 AND user_id = $2",
                                    {ctx.tenant_id, id}
                                )
                            );
                            (void)t;
                        }
                        VK_ASSIGN_OR_RETURN(
                            storage::Rows rows,
                            tx.Query(
                                std::string("SELECT ") + kUserColumns + kUserFrom +
                                    " WHERE u.tenant_id = $1 AND u.id = $2",
                                {ctx.tenant_id, id}
                            )
                        );
                        return UserJson(rows.rows[0]);
                    }
                )
            );
            Json audited = body;
            audited.erase("password");
            auth.Audit(
                ctx.tenant_id,
                ctx.user_id,
                "user.update",
                {{"user_id", id}, {"changes", audited}},
                ctx.remote_address
            );
            return Response::JsonBody(200, updated);
        },
        "Update, deactivate or reset the password of a user",
        "users"
    );

    router.Add(
        "GET",
        "/api/v1/teams",
        Policy::kAuthenticated,
        [&db](const RequestContext& ctx, const Request&) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(
                storage::Rows rows,
                storage::ReadReturning<storage::Rows>(
                    db,
                    [&](Connection& c) {
                        return c.Query(
                            "SELECT id, name, head_user_id FROM teams WHERE tenant_id = $1 ORDER "
                            "BY name",
                            {ctx.tenant_id}
                        );
                    }
                )
            );
            Json data = Json::array();
            for (const auto& row : rows.rows) {
                data.push_back(
                    {{"id", storage::AsText(row[0])},
                     {"name", storage::AsText(row[1])},
                     {"head_user_id",
                      storage::IsNull(row[2]) ? Json(nullptr) : Json(storage::AsText(row[2]))}}
                );
            }
            return Response::JsonBody(200, {{"data", data}});
        },
        "Teams of the company",
        "users"
    );

    router.Add(
        "POST",
        "/api/v1/teams",
        Policy::kAdmin,
        [&auth](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(Json body, ObjectBody(req));
            const std::string name = core::Trim(StringField(body, "name"));
            if (name.empty() || name.size() > 200 || !core::IsValidUtf8(name)) {
                return Error::InvalidField("name", "is required (1 to 200 bytes)");
            }
            const std::string head = StringField(body, "head_user_id");
            const std::string id = core::NewId();
            VK_RETURN_IF_ERROR(auth.db().Write([&](Connection& tx) -> Status {
                if (!head.empty()) {
                    VK_ASSIGN_OR_RETURN(
                        storage::Rows u,
                        tx.Query(
                            "SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2",
                            {ctx.tenant_id, head}
                        )
                    );
                    if (u.empty()) {
                        return Error::InvalidField("head_user_id", "is not a user of this company");
                    }
                }
                auto r = tx.Execute(
                    "INSERT INTO teams (tenant_id, id, name, head_user_id, created_at) VALUES ($1, "
                    "$2, $3, $4, $5)",
                    {ctx.tenant_id,
                     id,
                     name,
                     head.empty() ? storage::Value(nullptr) : storage::Value(head),
                     auth.clock().NowMicros()}
                );
                return r ? core::Ok() : Status(std::move(r).error());
            }));
            return Response::JsonBody(
                201,
                {{"id", id},
                 {"name", name},
                 {"head_user_id", head.empty() ? Json(nullptr) : Json(head)}}
            );
        },
        "Create a team",
        "users"
    );

    router.Add(
        "PATCH",
        "/api/v1/teams/{id}",
        Policy::kAdmin,
        [&auth](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(Json body, ObjectBody(req));
            std::vector<core::FieldError> errors;
            for (const auto& [key, value] : body.items()) {
                if (key == "name") {
                    const std::string name =
                        value.is_string() ? core::Trim(value.get<std::string>()) : "";
                    if (name.empty() || name.size() > 200 || !core::IsValidUtf8(name)) {
                        errors.push_back({key, "is required (1 to 200 bytes)"});
                    }
                } else if (key == "head_user_id") {
                    if (!value.is_null() && !value.is_string()) {
                        errors.push_back({key, "must be a user id or null"});
                    }
                } else {
                    errors.push_back({key, "is not a property of a team (use name, head_user_id)"});
                }
            }
            if (!errors.empty()) {
                return Error::Invalid("Validation failed", std::move(errors));
            }
            const std::string id = req.PathParam("id");
            VK_ASSIGN_OR_RETURN(
                Json team,
                storage::WriteReturning<Json>(
                    auth.db(),
                    [&](Connection& tx) -> Result<Json> {
                        VK_ASSIGN_OR_RETURN(
                            storage::Rows found,
                            tx.Query(
                                "SELECT 1 FROM teams WHERE tenant_id = $1 AND id = $2",
                                {ctx.tenant_id, id}
                            )
                        );
                        if (found.empty()) {
                            return Error::NotFound();
                        }
                        if (body.contains("head_user_id") && body["head_user_id"].is_string()) {
                            VK_ASSIGN_OR_RETURN(
                                storage::Rows u,
                                tx.Query(
                                    "SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2",
                                    {ctx.tenant_id, body["head_user_id"].get<std::string>()}
                                )
                            );
                            if (u.empty()) {
                                return Error::InvalidField(
                                    "head_user_id", "is not a user of this company"
                                );
                            }
                        }
                        for (const auto& [key, value] : body.items()) {
                            const storage::Value v =
                                value.is_null() ? storage::Value(nullptr)
                                : key == "name"
                                    ? storage::Value(core::Trim(value.get<std::string>()))
                                    : storage::Value(value.get<std::string>());
                            VK_ASSIGN_OR_RETURN(
                                int64_t n,
                                tx.Execute(
                                    "UPDATE teams SET " + key +
                                        " = $3 WHERE tenant_id = $1 AND id = $2",
                                    {ctx.tenant_id, id, v}
                                )
                            );
                            (void)n;
                        }
                        VK_ASSIGN_OR_RETURN(
                            storage::Rows rows,
                            tx.Query(
                                "SELECT id, name, head_user_id FROM teams WHERE tenant_id = $1 AND "
                                "id = $2",
                                {ctx.tenant_id, id}
                            )
                        );
                        const auto& row = rows.rows[0];
                        return Json{
                            {"id", storage::AsText(row[0])},
                            {"name", storage::AsText(row[1])},
                            {"head_user_id",
                             storage::IsNull(row[2]) ? Json(nullptr)
                                                     : Json(storage::AsText(row[2]))},
                        };
                    }
                )
            );
            auth.Audit(
                ctx.tenant_id,
                ctx.user_id,
                "team.update",
                {{"team_id", id}, {"changes", body}},
                ctx.remote_address
            );
            return Response::JsonBody(200, team);
        },
        "Rename a team or change its head",
        "users"
    );

    router.Add(
        "GET",
        "/api/v1/tokens",
        Policy::kAuthenticated,
        [&db](const RequestContext& ctx, const Request&) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(
                storage::Rows rows,
                storage::ReadReturning<storage::Rows>(
                    db,
                    [&](Connection& c) {
                        return c.Query(
                            "SELECT id, name, read_only, expires_at, created_at, rate_limit "
                            "FROM api_tokens "
                            "WHERE tenant_id = $1 AND user_id = $2 ORDER BY created_at",
                            {ctx.tenant_id, ctx.user_id}
                        );
                    }
                )
            );
            Json data = Json::array();
            for (const auto& row : rows.rows) {
                data.push_back(
                    {{"id", storage::AsText(row[0])},
                     {"name", storage::AsText(row[1])},
                     {"read_only", storage::AsInt(row[2]) != 0},
                     {"expires_at",
                      storage::IsNull(row[3])
                          ? Json(nullptr)
                          : Json(core::FormatTimestamp(storage::AsInt(row[3])))},
                     {"created_at", core::FormatTimestamp(storage::AsInt(row[4]))},
                     {"rate_limit",
                      storage::IsNull(row[5]) ? Json(nullptr) : Json(storage::AsInt(row[5]))}}
                );
            }
            return Response::JsonBody(200, {{"data", data}});
        },
        "Your API tokens",
        "auth"
    );

    router.Add(
        "POST",
        "/api/v1/tokens",
        Policy::kAuthenticated,
        [&auth](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(Json body, ObjectBody(req));
            std::optional<int64_t> expires;
            if (body.contains("expires_at") && !body["expires_at"].is_null()) {
                auto t = body["expires_at"].is_string()
                             ? core::ParseTimestamp(body["expires_at"].get<std::string>())
                             : std::nullopt;
                if (!t || *t <= auth.clock().NowMicros()) {
                    return Error::InvalidField("expires_at", "must be a future RFC 3339 date-time");
                }
                expires = t;
            }
            if (body.contains("read_only") && !body["read_only"].is_boolean()) {
                return Error::InvalidField("read_only", "must be true or false");
            }
            const bool read_only = body.value("read_only", false);
            std::optional<int64_t> rate_limit;
            if (body.contains("rate_limit") && !body["rate_limit"].is_null()) {
                const Json& limit = body["rate_limit"];
                if (!limit.is_number_integer() || limit.get<int64_t>() < kMinTokenRateLimit ||
                    limit.get<int64_t>() > kMaxTokenRateLimit) {
                    return Error::InvalidField(
                        "rate_limit", "must be an integer from 1 to 1000000 requests per minute"
                    );
                }
                rate_limit = limit.get<int64_t>();
            }
            VK_ASSIGN_OR_RETURN(
                IssuedToken token,
                storage::WriteReturning<IssuedToken>(
                    auth.db(),
                    [&](Connection& tx) {
                        return auth.CreateToken(
                            tx,
                            ctx.tenant_id,
                            ctx.user_id,
                            StringField(body, "name"),
                            read_only,
                            expires,
                            rate_limit
                        );
                    }
                )
            );
            auth.Audit(
                ctx.tenant_id,
                ctx.user_id,
                "token.create",
                {{"token_id", token.id}},
                ctx.remote_address
            );
            return Response::JsonBody(
                201,
                {{"id", token.id},
                 {"token", token.token},
                 {"read_only", read_only},
                 {"rate_limit", rate_limit ? Json(*rate_limit) : Json(nullptr)}}
            );
        },
        "Create an API token (shown once)",
        "auth"
    );

    router.Add(
        "DELETE",
        "/api/v1/tokens/{id}",
        Policy::kAuthenticated,
        [&auth](const RequestContext& ctx, const Request& req) {
            return RevokeOwn(auth, ctx, "api_tokens", req.PathParam("id"));
        },
        "Revoke one of your API tokens",
        "auth"
    );

    router.Add(
        "GET",
        "/api/v1/sessions",
        Policy::kAuthenticated,
        [&db](const RequestContext& ctx, const Request&) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(
                storage::Rows rows,
                storage::ReadReturning<storage::Rows>(
                    db,
                    [&](Connection& c) {
                        return c.Query(
                            "SELECT id, user_agent, remote_address, created_at, expires_at FROM "
                            "sessions WHERE tenant_id = $1 AND user_id = $2 ORDER BY created_at "
                            "DESC",
                            {ctx.tenant_id, ctx.user_id}
                        );
                    }
                )
            );
            Json data = Json::array();
            for (const auto& row : rows.rows) {
                data.push_back(
                    {{"id", storage::AsText(row[0])},
                     {"user_agent", storage::AsText(row[1])},
                     {"remote_address", storage::AsText(row[2])},
                     {"created_at", core::FormatTimestamp(storage::AsInt(row[3]))},
                     {"expires_at", core::FormatTimestamp(storage::AsInt(row[4]))}}
                );
            }
            return Response::JsonBody(200, {{"data", data}});
        },
        "Your signed-in sessions",
        "auth"
    );

    router.Add(
        "DELETE",
        "/api/v1/sessions/{id}",
        Policy::kAuthenticated,
        [&auth](const RequestContext& ctx, const Request& req) {
            return RevokeOwn(auth, ctx, "sessions", req.PathParam("id"));
        },
        "Revoke one of your sessions",
        "auth"
    );

    router.Add(
        "GET",
        "/api/v1/audit",
        Policy::kAdmin,
        [&db](const RequestContext& ctx, const Request&) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(
                storage::Rows rows,
                storage::ReadReturning<storage::Rows>(
                    db,
                    [&](Connection& c) {
                        return c.Query(
                            "SELECT seq, at, actor_id, action, detail, remote_address FROM "
                            "audit_log WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 200",
                            {ctx.tenant_id}
                        );
                    }
                )
            );
            Json data = Json::array();
            for (const auto& row : rows.rows) {
                data.push_back(
                    {{"seq", storage::AsInt(row[0])},
                     {"at", core::FormatTimestamp(storage::AsInt(row[1]))},
                     {"actor_id",
                      storage::IsNull(row[2]) ? Json(nullptr) : Json(storage::AsText(row[2]))},
                     {"action", storage::AsText(row[3])},
                     {"detail", Json::parse(storage::AsText(row[4]), nullptr, false)},
                     {"remote_address", storage::AsText(row[5])}}
                );
            }
            return Response::JsonBody(200, {{"data", data}});
        },
        "Audit log: sign-ins, tokens, user changes",
        "users"
    );
}

}  // namespace voronka::access
