// HTTP routes for sign-in, the current user, users, teams, tokens, sessions and the audit log.
#pragma once

#include "access/auth_service.hpp"
#include "http/router.hpp"

namespace voronka::access {

void RegisterAccessRoutes(http::Router& router, AuthService& auth);

// The router's authenticator: resolves the caller and enforces the route's policy.
http::Authenticator MakeAuthenticator(AuthService& auth);

}  // namespace voronka::access
