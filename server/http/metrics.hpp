// Process-wide HTTP request counters and latency histograms, rendered as Prometheus text.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace voronka::http {

// Request count and latency histogram for one (method, route pattern), split by status class
// (1xx..5xx). Recording is a handful of relaxed atomic increments: safe from any thread and cheap
// enough for the request path. Instances live for the whole process (see MetricsFor).
class RouteMetrics {
public:
    // Upper bounds of the latency buckets in seconds, "+Inf" excluded.
    static constexpr std::array<double, 14> kBucketBounds = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    RouteMetrics(std::string method, std::string route);
    RouteMetrics(const RouteMetrics&) = delete;
    RouteMetrics& operator=(const RouteMetrics&) = delete;

    // Thread-safe. Statuses outside 100..599 are counted as 5xx.
    void Record(int status, std::chrono::nanoseconds duration);

    // Requests recorded with a status in the class of `status` (e.g. 404 -> all 4xx).
    uint64_t Count(int status) const;

    const std::string& method() const { return method_; }

    const std::string& route() const { return route_; }

    // Appends this slot's non-empty series to `out` in text exposition format 0.0.4.
    void RenderCounters(std::string& out) const;
    void RenderHistograms(std::string& out) const;

private:
    struct StatusClass {
        std::array<std::atomic<uint64_t>, kBucketBounds.size() + 1> buckets{};  // not cumulative
        std::atomic<uint64_t> count{0};
        std::atomic<uint64_t> sum_ns{0};
    };

    static size_t ClassIndex(int status);

    std::string method_;
    std::string route_;
    std::array<StatusClass, 5> classes_;
};

// Route labels for requests that never reached a handler.
inline constexpr std::string_view kUnmatchedRoute = "unmatched";  // 404/405 from the router
inline constexpr std::string_view kInvalidRoute =
    "invalid";                                              // rejected while reading (400/413/431)
inline constexpr std::string_view kStaticRoute = "static";  // SPA files

// The process-wide slot for (method, route), created on first use. The reference stays valid for
// the life of the process. Takes a lock: resolve slots when routes are registered, not per request.
RouteMetrics& MetricsFor(std::string_view method, std::string_view route);

// Gauge of open client connections, adjusted by the server. Thread-safe.
void AddOpenConnections(int64_t delta);

// Every series with at least one observation, plus the connections gauge, in the Prometheus text
// exposition format 0.0.4 (serve as "text/plain; version=0.0.4"). Thread-safe.
std::string RenderMetrics();

}  // namespace voronka::http
