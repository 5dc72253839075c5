// Cloud mode: the service operator creates, suspends and deletes companies (tenants).
#pragma once

#include <functional>

#include "access/auth_service.hpp"
#include "http/router.hpp"

namespace voronka::access {

// Removes every record a tenant owns in other domains' tables, inside the deletion transaction.
using TenantPurge = std::function<Status(Connection&, int64_t tenant_id)>;

void RegisterOperatorRoutes(http::Router& router, AuthService& auth, TenantPurge purge);

// Issues an operator token (shown once, stored hashed).
Result<std::string> CreateOperatorToken(
    Connection& tx, const core::Clock& clock, std::string_view name
);

// Resolves an operator token; kUnauthenticated otherwise.
Result<RequestContext> AuthenticateOperator(storage::Database& db, std::string_view authorization);

}  // namespace voronka::access
