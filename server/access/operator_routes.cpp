// Operator API: tenant lifecycle. Operator tokens grant no access to any tenant's records.
#include "access/operator_routes.hpp"

#include <charconv>

#include "core/clock.hpp"
#include "core/id.hpp"
#include "core/text.hpp"
#include "storage/tenant_scope.hpp"

namespace voronka::access {

using core::Error;
using http::Policy;
using http::Request;
using http::Response;

Result<std::string> CreateOperatorToken(
    Connection& tx, const core::Clock& clock, std::string_view name
) {
    const std::string token = "vko_" + core::RandomToken(32);
    auto r = tx.Execute(
        "INSERT INTO operator_tokens (token_hash, id, name, created_at) VALUES ($1, $2, $3, $4)",
        {core::Sha256Hex(token), core::NewId(), std::string(name), clock.NowMicros()}
    );
    if (!r) {
        return std::move(r).error();
    }
    return token;
}

Result<RequestContext> AuthenticateOperator(storage::Database& db, std::string_view authorization) {
    if (authorization.size() <= 7 ||
        (authorization.substr(0, 7) != "Bearer " && authorization.substr(0, 7) != "bearer ")) {
        return Error::Unauthenticated("Operator token required");
    }
    const std::string hash = core::Sha256Hex(core::Trim(authorization.substr(7)));
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        storage::ReadReturning<storage::Rows>(
            db,
            [&](Connection& c) {
                return c.Query("SELECT id FROM operator_tokens WHERE token_hash = $1", {hash});
            }
        )
    );
    if (rows.empty()) {
        return Error::Unauthenticated("Operator token required");
    }
    RequestContext ctx;
    ctx.auth = AuthKind::kOperator;
    ctx.user_id = storage::AsText(rows.rows[0][0]);
    ctx.role = "operator";
    return ctx;
}

namespace {

using TenantAndAdmin = std::pair<int64_t, std::string>;

Json TenantJson(const std::vector<storage::Value>& row) {
    return {
        {"id", storage::AsInt(row[0])},
        {"name", storage::AsText(row[1])},
        {"status", storage::AsText(row[2])},
        {"created_at", core::FormatTimestamp(storage::AsInt(row[3]))},
        {"users", storage::AsInt(row[4])},
    };
}

constexpr const char* kTenantSelect =
    "SELECT t.id, t.name, t.status, t.created_at, (SELECT COUNT(*) FROM users u WHERE u.tenant_id "
    "= t.id) "
    "FROM tenants t";

Result<int64_t> ParseTenantId(const Request& req) {
    const std::string raw = req.PathParam("id");
    int64_t id = 0;
    auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), id);
    if (ec != std::errc() || ptr != raw.data() + raw.size() || id <= 0) {
        return Error::NotFound();
    }
    return id;
}

}  // namespace

void RegisterOperatorRoutes(http::Router& router, AuthService& auth, TenantPurge purge) {
    auto& db = auth.db();

    router.Add(
        "GET",
        "/api/v1/operator/tenants",
        Policy::kOperator,
        [&db](const RequestContext&, const Request&) -> Result<Response> {
            // Operators administer companies: their statements span tenants.
            const storage::SystemScope all_tenants;
            VK_ASSIGN_OR_RETURN(
                storage::Rows rows,
                storage::ReadReturning<storage::Rows>(
                    db,
                    [&](Connection& c) {
                        return c.Query(std::string(kTenantSelect) + " ORDER BY t.id");
                    }
                )
            );
            Json data = Json::array();
            for (const auto& row : rows.rows) {
                data.push_back(TenantJson(row));
            }
            return Response::JsonBody(200, {{"data", data}});
        },
        "Companies on this server",
        "operator"
    );

    router.Add(
        "POST",
        "/api/v1/operator/tenants",
        Policy::kOperator,
        [&auth](const RequestContext& ctx, const Request& req) -> Result<Response> {
            // Operators administer companies: their statements span tenants.
            const storage::SystemScope all_tenants;
            VK_ASSIGN_OR_RETURN(
                Json body,
                req.body.empty() ? Result<Json>(Json::object()) : core::ParseJson(req.body)
            );
            if (!body.is_object()) {
                return Error::Invalid("The request body must be a JSON object");
            }
            auto text = [&](const char* k) {
                return body.contains(k) && body[k].is_string() ? body[k].get<std::string>()
                                                               : std::string();
            };
            VK_ASSIGN_OR_RETURN(
                auto created,
                storage::WriteReturning<TenantAndAdmin>(
                    auth.db(),
                    [&](Connection& tx) {
                        return auth.CreateTenant(
                            tx, text("name"), text("admin_email"), text("admin_password")
                        );
                    }
                )
            );
            auth.Audit(
                created.first,
                ctx.user_id,
                "tenant.create",
                {{"by", "operator"}},
                req.remote_address
            );
            return Response::JsonBody(
                201,
                {{"id", created.first},
                 {"admin_user_id", created.second},
                 {"name", text("name")},
                 {"status", "active"}}
            );
        },
        "Create a company with its first administrator",
        "operator"
    );

    router.Add(
        "PATCH",
        "/api/v1/operator/tenants/{id}",
        Policy::kOperator,
        [&auth](const RequestContext& ctx, const Request& req) -> Result<Response> {
            // Operators administer companies: their statements span tenants.
            const storage::SystemScope all_tenants;
            VK_ASSIGN_OR_RETURN(int64_t id, ParseTenantId(req));
            VK_ASSIGN_OR_RETURN(Json body, core::ParseJson(req.body));
            if (!body.is_object() || !body.contains("status") || !body["status"].is_string() ||
                (body["status"] != "active" && body["status"] != "suspended")) {
                return Error::InvalidField("status", "must be active or suspended");
            }
            const std::string status = body["status"].get<std::string>();
            VK_ASSIGN_OR_RETURN(
                storage::Rows rows,
                storage::WriteReturning<storage::Rows>(
                    auth.db(),
                    [&](Connection& tx) -> Result<storage::Rows> {
                        VK_ASSIGN_OR_RETURN(
                            int64_t n,
                            tx.Execute("UPDATE tenants SET status = $2 WHERE id = $1", {id, status})
                        );
                        if (n == 0) {
                            return Error::NotFound();
                        }
                        if (status == "suspended") {
                            // Suspension signs everyone out at once; tokens stay but stop working.
                            VK_ASSIGN_OR_RETURN(
                                int64_t s,
                                tx.Execute("DELETE FROM sessions WHERE tenant_id = $1", {id})
                            );
                            (void)s;
                        }
                        return tx.Query(std::string(kTenantSelect) + " WHERE t.id = $1", {id});
                    }
                )
            );
            auth.Audit(
                id, ctx.user_id, "tenant." + status, {{"by", "operator"}}, req.remote_address
            );
            return Response::JsonBody(200, TenantJson(rows.rows[0]));
        },
        "Suspend or reactivate a company",
        "operator"
    );

    router.Add(
        "DELETE",
        "/api/v1/operator/tenants/{id}",
        Policy::kOperator,
        [&auth, purge](const RequestContext&, const Request& req) -> Result<Response> {
            // Operators administer companies: their statements span tenants.
            const storage::SystemScope all_tenants;
            VK_ASSIGN_OR_RETURN(int64_t id, ParseTenantId(req));
            VK_RETURN_IF_ERROR(auth.db().Write([&](Connection& tx) -> Status {
                VK_ASSIGN_OR_RETURN(
                    storage::Rows found, tx.Query("SELECT 1 FROM tenants WHERE id = $1", {id})
                );
                if (found.empty()) {
                    return Error::NotFound();
                }
                if (purge) {
                    VK_RETURN_IF_ERROR(purge(tx, id));
                }
                for (const char* table :
                     {"sessions", "api_tokens", "custom_fields", "users", "teams", "roles"}) {
                    VK_ASSIGN_OR_RETURN(
                        int64_t n,
                        tx.Execute(
                            std::string("DELETE FROM ") + table + " WHERE tenant_id = $1", {id}
                        )
                    );
                    (void)n;
                }
                VK_ASSIGN_OR_RETURN(
                    int64_t n, tx.Execute("DELETE FROM tenants WHERE id = $1", {id})
                );
                (void)n;
                return core::Ok();
            }));
            return Response::NoContent();
        },
        "Delete a company and all its data",
        "operator"
    );
}

}  // namespace voronka::access
