// Route table: matches method + path to a handler, applies the route's access policy, maps errors.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "access/request_context.hpp"
#include "core/json.hpp"
#include "core/result.hpp"
#include "http/http_types.hpp"

namespace voronka::http {

// Who may call a route. Every route states one: there is no default (see Router::Add).
enum class Policy { kPublic, kAuthenticated, kAdmin, kOperator };

std::string_view PolicyName(Policy policy);

using Handler =
    std::function<core::Result<Response>(const access::RequestContext&, const Request&)>;

// Resolves the caller for a non-public route; returns kUnauthenticated/kForbidden errors.
// Called concurrently from many threads.
using Authenticator = std::function<core::Result<access::RequestContext>(const Request&, Policy)>;

// What a rate limit says about one request: whether it may run, and headers for its response.
struct RateLimitOutcome {
    bool allowed = true;
    std::vector<std::pair<std::string, std::string>> headers;
};

// Called once per /api/ request after authentication, with the caller's context (an empty one
// with only remote_address for public routes, failed authentication and unmatched paths).
using RateLimit = std::function<RateLimitOutcome(const access::RequestContext&, const Request&)>;

struct RouteInfo {
    std::string method;
    std::string pattern;
    Policy policy;
    std::string summary;
    std::string tag;
    // The success body as a JSON Schema, published in OpenAPI under components/schemas/<name>
    // (see Router::Describe); null when the route does not describe it.
    std::string response_name;
    core::Json response_schema;
};

// Routes are registered once at startup, then Dispatch is called concurrently from any number of
// threads: after the last Add/SetAuthenticator the Router is read-only and needs no locking.
//
// Patterns are "/"-separated segments, each a literal or a parameter "{name}" (name is
// [a-z_][a-z0-9_]*), e.g. "/api/v1/{entity}/{id}/history". A parameter matches one non-empty
// segment. Among the routes that match both method and path, a literal segment beats a parameter
// at the first position where they differ ("/api/v1/search" beats "/api/v1/{entity}"), and the
// matcher backtracks, so "/api/v1/search/x" still reaches "/api/v1/{entity}/{id}". Matching walks a
// segment trie: cost grows with path depth, not with the number of routes.
class Router {
public:
    Router();
    ~Router();
    Router(Router&&) noexcept;  // a moved-from Router may only be assigned to or destroyed
    Router& operator=(Router&&) noexcept;

    // REQUIRES: method is an upper-case token ("GET"); pattern is valid as described above; no
    // route with the same method and shape exists ("/a/{x}" and "/a/{y}" share a shape). A
    // violation is a programmer error and throws std::invalid_argument at startup.
    // A GET route also answers HEAD (same handler, body dropped) unless HEAD is added explicitly.
    void Add(
        std::string method,
        std::string pattern,
        Policy policy,
        Handler handler,
        std::string summary = {},
        std::string tag = {}
    );

    // Required before any non-public route is dispatched; without one they fail closed with 500,
    // as do guarded routes for which it returns a context with auth == AuthKind::kNone.
    void SetAuthenticator(Authenticator authenticator);

    // Publishes the success body of a route added earlier as the named schema `name`, so clients
    // get its type from /api/v1/openapi.json. Throws std::invalid_argument when no route has this
    // method and pattern (a programmer error, found at startup).
    void Describe(
        std::string_view method, std::string_view pattern, std::string name, core::Json schema
    );

    // Declares a route added earlier as quick: its handler answers in well under a millisecond
    // (a point read), so the server runs it inline on an io thread. Every other read goes to the
    // read pool, where a slow list or search cannot hold up the quick ones (see Server). Throws
    // std::invalid_argument when no route has this method and pattern.
    void MarkQuick(std::string_view method, std::string_view pattern);

    // True when the request matches a quick route, or matches no route at all (its 404 or 405
    // answer is quick too).
    bool IsQuick(const Request& request) const;

    // A named schema that described responses refer to ("#/components/schemas/<name>").
    void DescribeComponent(std::string name, core::Json schema);

    const std::map<std::string, core::Json>& Components() const { return components_; }

    // Optional. A request the limit refuses gets a 429 problem instead of its handler; every
    // /api/ response carries the outcome's headers.
    void SetRateLimit(RateLimit rate_limit);

    // Matches the route (405 with Allow when the path exists under another method, 404 problem
    // when nothing matches), fills request.path_params, authenticates per policy (public routes
    // get an empty context with remote_address and user_agent set), calls the handler, maps an
    // error with ProblemResponse (instance = request.path) and turns any exception into a logged
    // 500 problem that does not reveal the exception text. Records metrics for the route pattern.
    // For HEAD the body is dropped and Content-Length set to the GET body's size. Never throws
    // (short of allocation failure while building the 500).
    Response Dispatch(Request request) const;

    // True when some route, under any method, matches the path. Lets the server hand unrouted
    // paths to the static file handler without counting them as 404s.
    bool HasRoute(std::string_view path) const;

    // In registration order; the OpenAPI generator and the "every route is guarded" test walk it.
    const std::vector<RouteInfo>& Routes() const;

private:
    struct Node;
    struct Route;
    struct Match;

    bool Find(const Node& node, size_t depth, Match& match) const;

    std::unique_ptr<Node> root_;
    std::vector<Route> routes_;
    std::vector<RouteInfo> infos_;
    std::map<std::string, core::Json> components_;
    Authenticator authenticator_;
    RateLimit rate_limit_;
};

}  // namespace voronka::http
