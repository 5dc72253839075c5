// Router: matching precedence, 404/405, parameters, HEAD, policies and error/exception mapping.
#include "http/router.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

#include "http/url.hpp"

namespace voronka::http {
namespace {

Request Make(std::string method, std::string_view target) {
    Request request;
    request.method = std::move(method);
    EXPECT_TRUE(ParseTarget(target, request)) << target;
    request.remote_address = "192.0.2.7";
    return request;
}

// A handler that answers "<label>" followed by " name=value" for each path parameter.
Handler Label(std::string label) {
    return
        [label](const access::RequestContext&, const Request& request) -> core::Result<Response> {
            std::string body = label;
            for (const auto& [name, value] : request.path_params) {
                body += " " + name + "=" + value;
            }
            return Response::Text(200, body);
        };
}

std::string HeaderOf(const Response& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
        if (key == name) {
            return value;
        }
    }
    return "<absent>";
}

core::Json BodyJson(const Response& response) { return core::Json::parse(response.body); }

class RouterMatching : public ::testing::Test {
protected:
    void SetUp() override {
        router_.Add("GET", "/", Policy::kPublic, Label("root"));
        router_.Add("GET", "/api/v1/search", Policy::kPublic, Label("search"));
        router_.Add("GET", "/api/v1/{entity}", Policy::kPublic, Label("list"));
        router_.Add("POST", "/api/v1/{entity}", Policy::kPublic, Label("create"));
        router_.Add("GET", "/api/v1/contacts/export", Policy::kPublic, Label("export"));
        router_.Add("GET", "/api/v1/{entity}/{id}", Policy::kPublic, Label("get"));
        router_.Add("PUT", "/api/v1/{entity}/{id}", Policy::kPublic, Label("put"));
        router_.Add("GET", "/api/v1/{entity}/{id}/history", Policy::kPublic, Label("history"));
        router_.Add("GET", "/files/{a}/left", Policy::kPublic, Label("left"));
        router_.Add("GET", "/files/{b}/right", Policy::kPublic, Label("right"));
    }

    Router router_;
};

TEST_F(RouterMatching, MatchesByPrecedenceAndMethod) {
    struct Case {
        std::string method;
        std::string target;
        int status;
        std::string body;  // for 200s
    };

    const std::vector<Case> cases = {
        {"GET", "/", 200, "root"},
        {"GET", "/api/v1/search", 200, "search"},  // literal beats {entity}
        {"GET", "/api/v1/deals", 200, "list entity=deals"},
        {"POST", "/api/v1/search", 200, "create entity=search"},  // no POST literal: param route
        {"GET", "/api/v1/search/abc", 200, "get entity=search id=abc"},  // backtracks past literal
        {"GET", "/api/v1/contacts/export", 200, "export"},
        {"GET", "/api/v1/contacts/c1", 200, "get entity=contacts id=c1"},
        {"PUT", "/api/v1/contacts/export", 200, "put entity=contacts id=export"},
        {"GET", "/api/v1/deals/d1/history", 200, "history entity=deals id=d1"},
        {"GET", "/api/v1/a%20b", 200, "list entity=a b"},  // parameters are decoded
        {"GET", "/api/v1/deals?cursor=x", 200, "list entity=deals"},
        {"GET", "/files/f1/left", 200, "left a=f1"},  // parameter names per route
        {"GET", "/files/f2/right", 200, "right b=f2"},
        {"GET", "/api/v1", 404, ""},
        {"GET", "/api/v1/deals/", 404, ""},  // a trailing empty segment matches no parameter
        {"GET", "/api/v1/deals/d1/history/x", 404, ""},
        {"GET", "/nope", 404, ""},
        {"GET", "/files/f1/middle", 404, ""},
        {"DELETE", "/api/v1/deals/d1", 405, ""},
        {"get", "/api/v1/deals", 405, ""},  // methods are case-sensitive
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.method + " " + c.target);
        Response response = router_.Dispatch(Make(c.method, c.target));
        EXPECT_EQ(response.status, c.status);
        if (c.status == 200) {
            EXPECT_EQ(response.body, c.body);
        } else {
            EXPECT_EQ(response.content_type, "application/problem+json");
        }
    }
}

TEST_F(RouterMatching, MethodNotAllowedListsEveryMethodForThePath) {
    struct Case {
        std::string method;
        std::string target;
        std::string allow;
    };

    const std::vector<Case> cases = {
        {"DELETE", "/api/v1/deals/d1", "GET, HEAD, PUT"},
        // Both the literal route and the {entity} routes match this path.
        {"DELETE", "/api/v1/search", "GET, HEAD, POST"},
        {"POST", "/", "GET, HEAD"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.method + " " + c.target);
        Response response = router_.Dispatch(Make(c.method, c.target));
        ASSERT_EQ(response.status, 405);
        EXPECT_EQ(HeaderOf(response, "Allow"), c.allow);
        core::Json body = BodyJson(response);
        EXPECT_EQ(body["status"], 405);
        EXPECT_EQ(body["title"], "Method Not Allowed");
        EXPECT_EQ(body["instance"], c.target);
    }
}

TEST_F(RouterMatching, NotFoundIsAProblem) {
    Response response = router_.Dispatch(Make("GET", "/nope/deeper"));
    ASSERT_EQ(response.status, 404);
    core::Json body = BodyJson(response);
    EXPECT_EQ(body["type"], "https://voronka.dev/problems/not-found");
    EXPECT_EQ(body["instance"], "/nope/deeper");
    EXPECT_EQ(HeaderOf(response, "Allow"), "<absent>");
}

TEST_F(RouterMatching, HeadRunsGetWithoutBody) {
    Response get = router_.Dispatch(Make("GET", "/api/v1/deals"));
    Response head = router_.Dispatch(Make("HEAD", "/api/v1/deals"));
    EXPECT_EQ(head.status, 200);
    EXPECT_TRUE(head.body.empty());
    EXPECT_EQ(HeaderOf(head, "Content-Length"), std::to_string(get.body.size()));
    EXPECT_EQ(head.content_type, get.content_type);
}

TEST_F(RouterMatching, ExplicitHeadRouteWins) {
    router_.Add("HEAD", "/api/v1/{entity}", Policy::kPublic, [](const auto&, const auto&) {
        return core::Result<Response>(Response::NoContent());
    });
    EXPECT_EQ(router_.Dispatch(Make("HEAD", "/api/v1/deals")).status, 204);
}

TEST_F(RouterMatching, HasRouteIgnoresMethod) {
    EXPECT_TRUE(router_.HasRoute("/"));
    EXPECT_TRUE(router_.HasRoute("/api/v1/search"));
    EXPECT_TRUE(router_.HasRoute("/api/v1/deals/d1/history"));
    EXPECT_FALSE(router_.HasRoute("/contacts"));
    EXPECT_FALSE(router_.HasRoute("/api/v1/deals/"));
    EXPECT_FALSE(router_.HasRoute(""));
}

TEST_F(RouterMatching, RoutesKeepRegistrationOrder) {
    const auto& routes = router_.Routes();
    ASSERT_EQ(routes.size(), 10u);
    EXPECT_EQ(routes[0].method, "GET");
    EXPECT_EQ(routes[0].pattern, "/");
    EXPECT_EQ(routes[3].method, "POST");
    EXPECT_EQ(routes[3].pattern, "/api/v1/{entity}");
}

TEST_F(RouterMatching, OnlyRoutesMarkedQuickAndUnmatchedPathsAreQuick) {
    router_.MarkQuick("GET", "/api/v1/{entity}/{id}");
    auto request = [](std::string method, std::string path) {
        Request r;
        r.method = std::move(method);
        r.path = std::move(path);
        return r;
    };
    EXPECT_TRUE(router_.IsQuick(request("GET", "/api/v1/contacts/7")));
    EXPECT_TRUE(router_.IsQuick(request("HEAD", "/api/v1/contacts/7")));
    EXPECT_FALSE(router_.IsQuick(request("PUT", "/api/v1/contacts/7")));
    EXPECT_FALSE(router_.IsQuick(request("GET", "/api/v1/search")));
    EXPECT_FALSE(router_.IsQuick(request("GET", "/api/v1/contacts/export")));  // literal wins
    EXPECT_TRUE(router_.IsQuick(request("GET", "/nothing/here")));
    EXPECT_THROW(router_.MarkQuick("GET", "/api/v1/none"), std::invalid_argument);
}

TEST(RouterAdd, RejectsInvalidAndDuplicateRoutes) {
    struct Case {
        std::string method;
        std::string pattern;
    };

    const std::vector<Case> cases = {
        {"get", "/a"},  // method must be upper case
        {"", "/a"},
        {"GET", "a"},  // must start with '/'
        {"GET", ""},
        {"GET", "/a//b"},  // empty segment
        {"GET", "/a/"},
        {"GET", "/a/{X}"},  // parameter names are snake_case
        {"GET", "/a/{}"},
        {"GET", "/a/{1x}"},
        {"GET", "/a/{x"},
        {"GET", "/a/x}"},
        {"GET", "/a/pre{x}"},
        {"GET", "/a/{x}/{x}"},  // repeated name
        {"GET", "/dup/{x}"},    // same shape as the route below
    };
    Router router;
    router.Add("GET", "/dup/{y}", Policy::kPublic, Label("dup"));
    for (const auto& c : cases) {
        SCOPED_TRACE(c.method + " " + c.pattern);
        EXPECT_THROW(
            router.Add(c.method, c.pattern, Policy::kPublic, Label("x")), std::invalid_argument
        );
    }
    EXPECT_THROW(router.Add("GET", "/ok", Policy::kPublic, Handler()), std::invalid_argument);
    EXPECT_NO_THROW(router.Add("POST", "/dup/{x}", Policy::kPublic, Label("other method")));
    EXPECT_EQ(router.Routes().size(), 2u);
}

// --- Policies ---

struct AuthCall {
    int calls = 0;
    Policy policy = Policy::kPublic;
};

class RouterPolicy : public ::testing::Test {
protected:
    void SetUp() override {
        auto context_echo = [](const access::RequestContext& context,
                               const Request&) -> core::Result<Response> {
            return Response::JsonBody(
                200,
                {{"tenant", context.tenant_id},
                 {"user", context.user_id},
                 {"remote", context.remote_address},
                 {"agent", context.user_agent}}
            );
        };
        router_.Add("GET", "/public", Policy::kPublic, context_echo);
        router_.Add("GET", "/private", Policy::kAuthenticated, context_echo);
        router_.Add("GET", "/admin", Policy::kAdmin, context_echo);
        router_.Add("GET", "/operator", Policy::kOperator, context_echo);
    }

    void UseAuthenticator(std::function<core::Result<access::RequestContext>(Policy)> decide) {
        router_.SetAuthenticator([this, decide](const Request&, Policy policy) {
            ++auth_.calls;
            auth_.policy = policy;
            return decide(policy);
        });
    }

    Router router_;
    AuthCall auth_;
};

access::RequestContext Signed(int64_t tenant, std::string user) {
    access::RequestContext context;
    context.tenant_id = tenant;
    context.user_id = std::move(user);
    context.auth = access::AuthKind::kToken;
    return context;
}

TEST_F(RouterPolicy, PublicRoutesSkipAuthAndGetAnEmptyContext) {
    UseAuthenticator([](Policy) { return Signed(1, "u"); });
    Request request = Make("GET", "/public");
    request.headers["user-agent"] = "test-agent/1";
    Response response = router_.Dispatch(request);
    ASSERT_EQ(response.status, 200);
    EXPECT_EQ(auth_.calls, 0);
    core::Json body = BodyJson(response);
    EXPECT_EQ(body["tenant"], 0);
    EXPECT_EQ(body["user"], "");
    EXPECT_EQ(body["remote"], "192.0.2.7");
    EXPECT_EQ(body["agent"], "test-agent/1");
}

TEST_F(RouterPolicy, GuardedRoutesPassTheirPolicyToTheAuthenticator) {
    UseAuthenticator([](Policy) { return Signed(42, "u1"); });
    const std::vector<std::pair<std::string, Policy>> cases = {
        {"/private", Policy::kAuthenticated},
        {"/admin", Policy::kAdmin},
        {"/operator", Policy::kOperator},
    };
    for (const auto& [path, policy] : cases) {
        SCOPED_TRACE(path);
        Response response = router_.Dispatch(Make("GET", path));
        ASSERT_EQ(response.status, 200);
        EXPECT_EQ(auth_.policy, policy);
        core::Json body = BodyJson(response);
        EXPECT_EQ(body["tenant"], 42);
        EXPECT_EQ(body["remote"], "192.0.2.7");  // filled in when the authenticator leaves it empty
    }
    EXPECT_EQ(auth_.calls, 3);
}

TEST_F(RouterPolicy, AuthenticatorErrorsBecomeProblems) {
    UseAuthenticator([](Policy policy) -> core::Result<access::RequestContext> {
        if (policy == Policy::kAuthenticated) {
            return core::Error::Unauthenticated();
        }
        return core::Error::Forbidden("Administrators only");
    });
    Response unauthenticated = router_.Dispatch(Make("GET", "/private"));
    EXPECT_EQ(unauthenticated.status, 401);
    EXPECT_EQ(HeaderOf(unauthenticated, "WWW-Authenticate"), "Bearer");
    EXPECT_EQ(BodyJson(unauthenticated)["type"], "https://voronka.dev/problems/unauthenticated");

    Response forbidden = router_.Dispatch(Make("GET", "/admin"));
    EXPECT_EQ(forbidden.status, 403);
    EXPECT_EQ(BodyJson(forbidden)["detail"], "Administrators only");
}

TEST_F(RouterPolicy, GuardedRoutesFailClosedWithoutAnAuthenticator) {
    Response response = router_.Dispatch(Make("GET", "/private"));
    EXPECT_EQ(response.status, 500);
    EXPECT_EQ(router_.Dispatch(Make("GET", "/public")).status, 200);
}

TEST_F(RouterPolicy, AnonymousContextForAGuardedRouteFailsClosed) {
    UseAuthenticator([](Policy) { return access::RequestContext{}; });
    Response response = router_.Dispatch(Make("GET", "/admin"));
    EXPECT_EQ(response.status, 500);
    EXPECT_EQ(response.body.find("anonymous"), std::string::npos);
}

TEST(PolicyName, NamesEveryPolicy) {
    EXPECT_EQ(PolicyName(Policy::kPublic), "public");
    EXPECT_EQ(PolicyName(Policy::kAuthenticated), "authenticated");
    EXPECT_EQ(PolicyName(Policy::kAdmin), "admin");
    EXPECT_EQ(PolicyName(Policy::kOperator), "operator");
}

// --- Errors and exceptions ---

TEST(RouterErrors, HandlerErrorsAreMappedWithTheRequestPathAsInstance) {
    Router router;
    router.Add("POST", "/api/v1/deals", Policy::kPublic, [](const auto&, const auto&) {
        return core::Result<Response>(
            core::Error::Conflict("Deal already exists", {{"name", "must be unique"}})
        );
    });
    Response response = router.Dispatch(Make("POST", "/api/v1/deals?dry_run=1"));
    ASSERT_EQ(response.status, 409);
    core::Json body = BodyJson(response);
    EXPECT_EQ(body["detail"], "Deal already exists");
    EXPECT_EQ(body["instance"], "/api/v1/deals");  // no query string: it may carry secrets
    EXPECT_EQ(body["errors"][0]["field"], "name");
}

TEST(RouterErrors, ExceptionsBecome500WithoutLeakingTheirText) {
    Router router;
    router.Add(
        "GET",
        "/std",
        Policy::kPublic,
        [](const auto&, const auto&) -> core::Result<Response> {
            throw std::runtime_error("password=hunter2 in connection string");
        }
    );
    router.Add(
        "GET",
        "/other",
        Policy::kPublic,
        [](const auto&, const auto&) -> core::Result<Response> { throw 42; }
    );
    router.Add("GET", "/auth", Policy::kAuthenticated, Label("never"));
    router.SetAuthenticator([](const Request&, Policy) -> core::Result<access::RequestContext> {
        throw std::logic_error("password=hunter2 in authenticator");
    });
    for (std::string path : {"/std", "/other", "/auth"}) {
        SCOPED_TRACE(path);
        Response response;
        EXPECT_NO_THROW(response = router.Dispatch(Make("GET", path)));
        EXPECT_EQ(response.status, 500);
        EXPECT_EQ(response.content_type, "application/problem+json");
        EXPECT_EQ(response.body.find("hunter2"), std::string::npos);
        core::Json body = BodyJson(response);
        EXPECT_EQ(body["type"], "https://voronka.dev/problems/internal");
        EXPECT_EQ(body["detail"], "Internal error");
    }
}

}  // namespace
}  // namespace voronka::http
