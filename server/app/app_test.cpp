#include "app/app.hpp"

#include <gtest/gtest.h>

#include <set>

namespace voronka::app {
namespace {

TEST(App, OnlyAllowListedRoutesArePublic) {
    auto db = storage::OpenDatabase(":memory:");
    ASSERT_TRUE(db);
    core::SystemClock clock;
    auto app = BuildApp(**db, clock);
    const std::set<std::string> allowed = {
        "GET /healthz", "GET /readyz", "GET /metrics", "GET /api/v1/openapi.json", "POST /api/v1/auth/login"};
    size_t guarded = 0;
    for (const auto& route : app->router.Routes()) {
        const std::string key = route.method + " " + route.pattern;
        if (route.policy == http::Policy::kPublic) {
            EXPECT_TRUE(allowed.contains(key)) << key << " is public but not on the allow-list";
        } else {
            ++guarded;
        }
        if (route.pattern.starts_with("/api/v1/operator/")) {
            EXPECT_EQ(route.policy, http::Policy::kOperator) << key;
        }
    }
    EXPECT_GT(guarded, 20u);
}

TEST(App, EveryGuardedRouteRefusesAnonymousCallers) {
    auto db = storage::OpenDatabase(":memory:");
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->Migrate());
    core::SystemClock clock;
    auto app = BuildApp(**db, clock);
    for (const auto& route : app->router.Routes()) {
        if (route.policy == http::Policy::kPublic) {
            continue;
        }
        http::Request req;
        req.method = route.method;
        req.path = route.pattern;
        for (const char* param : {"{entity}", "{id}"}) {
            for (size_t at = req.path.find(param); at != std::string::npos; at = req.path.find(param)) {
                req.path.replace(at, std::string(param).size(), param[1] == 'e' ? "contacts" : "01m83fts2at5nc9mtt8mb0bsd5");
            }
        }
        req.target = req.path;
        const http::Response res = app->router.Dispatch(req);
        EXPECT_EQ(res.status, 401) << route.method << " " << route.pattern;
    }
}

}  // namespace
}  // namespace voronka::app
