// Metrics: per-class counts, cumulative buckets, label escaping, and what the router records.
#include "http/metrics.hpp"

#include <gtest/gtest.h>

#include "http/router.hpp"

namespace voronka::http {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

bool Contains(const std::string& text, std::string_view needle) {
    return text.find(needle) != std::string::npos;
}

// Slots live for the whole process: each test run takes fresh routes so --gtest_repeat works.
std::string FreshRoute(std::string_view base) {
    static int run = 0;
    return std::string(base) + "/" + std::to_string(++run);
}

TEST(Metrics, CountsByStatusClassAndRendersCumulativeBuckets) {
    const std::string route = FreshRoute("/metrics-test/render");
    RouteMetrics& slot = MetricsFor("GET", route);
    slot.Record(200, microseconds(300));         // le 0.0005
    slot.Record(204, milliseconds(3));           // le 0.005
    slot.Record(201, std::chrono::seconds(20));  // +Inf only
    slot.Record(404, milliseconds(1));
    slot.Record(700, milliseconds(1));  // out of range counts as 5xx
    EXPECT_EQ(slot.Count(200), 3u);
    EXPECT_EQ(slot.Count(499), 1u);
    EXPECT_EQ(slot.Count(500), 1u);
    EXPECT_EQ(slot.Count(302), 0u);
    EXPECT_EQ(&MetricsFor("GET", route), &slot);  // one slot per key

    const std::string text = RenderMetrics();
    const std::string labels = "method=\"GET\",route=\"" + route + "\"";
    for (const std::string& line : {
             "voronka_http_requests_total{" + labels + ",status=\"2xx\"} 3\n",
             "voronka_http_requests_total{" + labels + ",status=\"4xx\"} 1\n",
             "voronka_http_requests_total{" + labels + ",status=\"5xx\"} 1\n",
             "voronka_http_request_duration_seconds_bucket{" + labels +
                 ",status=\"2xx\",le=\"0.0005\"} 1\n",
             "voronka_http_request_duration_seconds_bucket{" + labels +
                 ",status=\"2xx\",le=\"0.005\"} 2\n",
             "voronka_http_request_duration_seconds_bucket{" + labels +
                 ",status=\"2xx\",le=\"10\"} 2\n",
             "voronka_http_request_duration_seconds_bucket{" + labels +
                 ",status=\"2xx\",le=\"+Inf\"} 3\n",
             "voronka_http_request_duration_seconds_sum{" + labels + ",status=\"2xx\"} 20.0033\n",
             "voronka_http_request_duration_seconds_count{" + labels + ",status=\"2xx\"} 3\n",
             std::string("# TYPE voronka_http_requests_total counter\n"),
             std::string("# TYPE voronka_http_request_duration_seconds histogram\n"),
             std::string("# TYPE voronka_http_open_connections gauge\n"),
         }) {
        EXPECT_TRUE(Contains(text, line)) << "missing: " << line;
    }
    EXPECT_FALSE(Contains(text, labels + ",status=\"3xx\""));  // empty series are left out
}

TEST(Metrics, EscapesLabelValues) {
    MetricsFor("GET", "/metrics-test/\"quoted\"\\back\nline").Record(200, microseconds(1));
    EXPECT_TRUE(Contains(RenderMetrics(), R"(route="/metrics-test/\"quoted\"\\back\nline")"));
}

TEST(Metrics, RouterRecordsByPatternAndUnmatched) {
    const std::string pattern = FreshRoute("/metrics-test") + "/{id}";
    Router router;
    router.Add("GET", pattern, Policy::kPublic, [](const auto&, const auto& request) {
        if (request.PathParam("id") == "missing") {
            return core::Result<Response>(core::Error::NotFound());
        }
        return core::Result<Response>(Response::Text(200, "ok"));
    });
    RouteMetrics& route = MetricsFor("GET", pattern);
    RouteMetrics& head = MetricsFor("HEAD", pattern);
    RouteMetrics& unmatched = MetricsFor("GET", kUnmatchedRoute);
    RouteMetrics& unmatched_other = MetricsFor("OTHER", kUnmatchedRoute);
    const uint64_t unmatched_before = unmatched.Count(404);
    const uint64_t other_before = unmatched_other.Count(405);

    auto dispatch = [&](std::string method, std::string path) {
        Request request;
        request.method = std::move(method);
        request.path = std::move(path);
        (void)router.Dispatch(std::move(request));
    };
    const std::string prefix = pattern.substr(0, pattern.size() - 4);  // without "{id}"
    dispatch("GET", prefix + "a");
    dispatch("GET", prefix + "b");
    dispatch("GET", prefix + "missing");
    dispatch("HEAD", prefix + "a");
    dispatch("GET", prefix + "a/b");
    dispatch("BREW", prefix + "a");

    EXPECT_EQ(route.Count(200), 2u);
    EXPECT_EQ(route.Count(404), 1u);
    EXPECT_EQ(head.Count(200), 1u);
    EXPECT_EQ(unmatched.Count(404), unmatched_before + 1);
    EXPECT_EQ(unmatched_other.Count(405), other_before + 1);
}

int64_t OpenConnections() {
    const std::string text = RenderMetrics();
    const std::string_view name = "\nvoronka_http_open_connections ";
    const size_t at = text.find(name);
    EXPECT_NE(at, std::string::npos);
    return std::stoll(text.substr(at + name.size()));
}

TEST(Metrics, OpenConnectionsGauge) {
    const int64_t before = OpenConnections();
    AddOpenConnections(3);
    EXPECT_EQ(OpenConnections(), before + 3);
    AddOpenConnections(-3);
    EXPECT_EQ(OpenConnections(), before);
}

}  // namespace
}  // namespace voronka::http
