// Thin handlers over RoleService; all admin-only, every change audited.
#include "access/role_routes.hpp"

#include "access/request_body.hpp"

namespace voronka::access {

using core::Error;
using http::Policy;
using http::Request;
using http::Response;

void RegisterRoleRoutes(http::Router& router, AuthService& auth, FieldCatalogSource catalog) {
    auto& db = auth.db();
    auto& roles = auth.roles();

    router.Add(
        "GET",
        "/api/v1/roles",
        Policy::kAdmin,
        [&db, &roles](const RequestContext& ctx, const Request&) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(Json list, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return roles.List(c, ctx.tenant_id);
                                }));
            return Response::JsonBody(200, list);
        },
        "Roles: built-in and custom",
        "users"
    );

    router.Add(
        "POST",
        "/api/v1/roles",
        Policy::kAdmin,
        [&auth, &db, &roles, catalog](
            const RequestContext& ctx, const Request& req
        ) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(Json body, ObjectBody(req));
            VK_ASSIGN_OR_RETURN(
                Json role,
                storage::WriteReturning<Json>(
                    db,
                    [&](Connection& tx) -> Result<Json> {
                        VK_ASSIGN_OR_RETURN(FieldCatalog fields, catalog(tx, ctx));
                        return roles.Create(tx, ctx.tenant_id, body, fields);
                    }
                )
            );
            auth.Audit(
                ctx.tenant_id,
                ctx.user_id,
                "role.create",
                {{"role_id", role["id"]}, {"name", role["name"]}, {"rules", role["rules"]}},
                ctx.remote_address
            );
            return Response::JsonBody(201, role);
        },
        "Create a custom role",
        "users"
    );

    router.Add(
        "GET",
        "/api/v1/roles/{id}",
        Policy::kAdmin,
        [&db, &roles](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(Json role, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return roles.Get(c, ctx.tenant_id, req.PathParam("id"));
                                }));
            return Response::JsonBody(200, role);
        },
        "A role",
        "users"
    );

    router.Add(
        "PATCH",
        "/api/v1/roles/{id}",
        Policy::kAdmin,
        [&auth, &db, &roles, catalog](
            const RequestContext& ctx, const Request& req
        ) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(Json body, ObjectBody(req));
            Json before;
            VK_ASSIGN_OR_RETURN(
                Json role,
                storage::WriteReturning<Json>(
                    db,
                    [&](Connection& tx) -> Result<Json> {
                        VK_ASSIGN_OR_RETURN(
                            before, roles.Get(tx, ctx.tenant_id, req.PathParam("id"))
                        );
                        VK_ASSIGN_OR_RETURN(FieldCatalog fields, catalog(tx, ctx));
                        return roles.Update(tx, ctx.tenant_id, req.PathParam("id"), body, fields);
                    }
                )
            );
            Json changes = Json::object();
            for (const char* key : {"name", "description", "rules"}) {
                if (before[key] != role[key]) {
                    changes[key] = {{"from", before[key]}, {"to", role[key]}};
                }
            }
            auth.Audit(
                ctx.tenant_id,
                ctx.user_id,
                "role.update",
                {{"role_id", role["id"]}, {"changes", std::move(changes)}},
                ctx.remote_address
            );
            return Response::JsonBody(200, role);
        },
        "Rename a custom role or change its rules (applies to the next request)",
        "users"
    );

    router.Add(
        "DELETE",
        "/api/v1/roles/{id}",
        Policy::kAdmin,
        [&auth, &db, &roles](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            const std::string id = req.PathParam("id");
            VK_RETURN_IF_ERROR(db.Write([&](Connection& tx) {
                return roles.Delete(tx, ctx.tenant_id, id);
            }));
            auth.Audit(
                ctx.tenant_id, ctx.user_id, "role.delete", {{"role_id", id}}, ctx.remote_address
            );
            return Response::NoContent();
        },
        "Delete a custom role no user has",
        "users"
    );
    DescribeRoleRoutes(router);
}

}  // namespace voronka::access
