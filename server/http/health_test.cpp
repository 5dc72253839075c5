// Health routes: liveness, readiness (503 problem without internal text) and the metrics page.
#include "http/health.hpp"

#include <gtest/gtest.h>

namespace voronka::http {
namespace {

Response Get(const Router& router, std::string path) {
    Request request;
    request.method = "GET";
    request.path = std::move(path);
    return router.Dispatch(std::move(request));
}

TEST(Health, RoutesArePublicGets) {
    Router router;
    RegisterHealthRoutes(router, nullptr);
    ASSERT_EQ(router.Routes().size(), 3u);
    for (const RouteInfo& route : router.Routes()) {
        EXPECT_EQ(route.method, "GET");
        EXPECT_EQ(route.policy, Policy::kPublic) << route.pattern;
        EXPECT_FALSE(route.summary.empty());
    }
}

TEST(Health, LivenessAndReadiness) {
    bool ready = true;
    Router router;
    RegisterHealthRoutes(router, [&ready]() -> core::Status {
        if (ready) {
            return core::Ok();
        }
        return core::Error::Internal("pg: connection refused to 10.0.0.5");
    });
    Response healthz = Get(router, "/healthz");
    EXPECT_EQ(healthz.status, 200);
    EXPECT_EQ(core::Json::parse(healthz.body), core::Json({{"status", "ok"}}));

    EXPECT_EQ(Get(router, "/readyz").status, 200);
    ready = false;
    Response readyz = Get(router, "/readyz");
    EXPECT_EQ(readyz.status, 503);
    EXPECT_EQ(readyz.content_type, "application/problem+json");
    EXPECT_EQ(core::Json::parse(readyz.body)["type"], "https://voronka.dev/problems/unavailable");
    EXPECT_EQ(readyz.body.find("10.0.0.5"), std::string::npos);
    EXPECT_EQ(Get(router, "/healthz").status, 200);  // alive while not ready
}

TEST(Health, MetricsPageIsPrometheusText) {
    Router router;
    RegisterHealthRoutes(router, nullptr);
    (void)Get(router, "/healthz");
    Response metrics = Get(router, "/metrics");
    EXPECT_EQ(metrics.status, 200);
    EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(
        metrics.body.find(
            R"(voronka_http_requests_total{method="GET",route="/healthz",status="2xx"})"
        ),
        std::string::npos
    );
}

}  // namespace
}  // namespace voronka::http
