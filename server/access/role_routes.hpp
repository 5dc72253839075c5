// HTTP routes for custom roles: list (built-in ones included), create, read, update, delete.
#pragma once

#include <functional>

#include "access/auth_service.hpp"
#include "http/router.hpp"

namespace voronka::access {

// The entities and fields (custom ones included) the caller's tenant has, for rule validation.
using FieldCatalogSource =
    std::function<Result<FieldCatalog>(storage::Connection& c, const RequestContext& ctx)>;

void RegisterRoleRoutes(http::Router& router, AuthService& auth, FieldCatalogSource catalog);

// Publishes the role routes' response schemas in OpenAPI (RegisterRoleRoutes calls it).
void DescribeRoleRoutes(http::Router& router);

}  // namespace voronka::access
