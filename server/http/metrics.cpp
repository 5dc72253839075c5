// Lock-free per-route request metrics and their Prometheus text rendering.
#include "http/metrics.hpp"

#include <algorithm>
#include <deque>
#include <iterator>
#include <mutex>

#include <fmt/format.h>

namespace voronka::http {

namespace {

constexpr std::array<std::string_view, 5> kClassLabels = {"1xx", "2xx", "3xx", "4xx", "5xx"};

// Bucket bounds as Prometheus prints them; kept as text so "le" never shows rounding noise.
constexpr std::array<std::string_view, RouteMetrics::kBucketBounds.size()> kBucketLabels = {
    "0.0005",
    "0.001",
    "0.0025",
    "0.005",
    "0.01",
    "0.025",
    "0.05",
    "0.1",
    "0.25",
    "0.5",
    "1",
    "2.5",
    "5",
    "10",
};

struct Registry {
    std::mutex mutex;
    std::deque<RouteMetrics> slots;  // deque: addresses stay stable as it grows
    std::atomic<int64_t> open_connections{0};
};

Registry& GlobalRegistry() {
    static Registry* registry = new Registry();  // never destroyed: slots outlive static teardown
    return *registry;
}

// Label values may hold any text; the format escapes backslash, quote and newline.
std::string EscapeLabel(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

RouteMetrics::RouteMetrics(std::string method, std::string route)
    : method_(std::move(method)), route_(std::move(route)) {}

size_t RouteMetrics::ClassIndex(int status) {
    if (status < 100 || status > 599) {
        return 4;
    }
    return static_cast<size_t>(status / 100 - 1);
}

void RouteMetrics::Record(int status, std::chrono::nanoseconds duration) {
    StatusClass& cls = classes_[ClassIndex(status)];
    const double seconds = std::chrono::duration<double>(duration).count();
    size_t bucket = 0;
    while (bucket < kBucketBounds.size() && seconds > kBucketBounds[bucket]) {
        ++bucket;
    }
    cls.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
    cls.sum_ns.fetch_add(
        static_cast<uint64_t>(std::max<int64_t>(0, duration.count())), std::memory_order_relaxed
    );
    cls.count.fetch_add(1, std::memory_order_relaxed);
}

uint64_t RouteMetrics::Count(int status) const {
    return classes_[ClassIndex(status)].count.load(std::memory_order_relaxed);
}

void RouteMetrics::RenderCounters(std::string& out) const {
    const std::string labels =
        fmt::format("method=\"{}\",route=\"{}\"", EscapeLabel(method_), EscapeLabel(route_));
    for (size_t i = 0; i < classes_.size(); ++i) {
        const uint64_t count = classes_[i].count.load(std::memory_order_relaxed);
        if (count == 0) {
            continue;
        }
        fmt::format_to(
            std::back_inserter(out),
            "voronka_http_requests_total{{{},status=\"{}\"}} {}\n",
            labels,
            kClassLabels[i],
            count
        );
    }
}

void RouteMetrics::RenderHistograms(std::string& out) const {
    const std::string labels =
        fmt::format("method=\"{}\",route=\"{}\"", EscapeLabel(method_), EscapeLabel(route_));
    for (size_t i = 0; i < classes_.size(); ++i) {
        const StatusClass& cls = classes_[i];
        if (cls.count.load(std::memory_order_relaxed) == 0) {
            continue;
        }
        // Buckets are read one by one while others record, so the cumulative counts are a
        // consistent-enough snapshot; _count is the +Inf bucket, so the two always agree.
        uint64_t cumulative = 0;
        for (size_t b = 0; b < cls.buckets.size(); ++b) {
            cumulative += cls.buckets[b].load(std::memory_order_relaxed);
            const std::string_view le = b < kBucketLabels.size() ? kBucketLabels[b] : "+Inf";
            fmt::format_to(
                std::back_inserter(out),
                "voronka_http_request_duration_seconds_bucket{{{},status=\"{}\",le=\"{}\"}} {}\n",
                labels,
                kClassLabels[i],
                le,
                cumulative
            );
        }
        const double sum_seconds =
            static_cast<double>(cls.sum_ns.load(std::memory_order_relaxed)) / 1e9;
        fmt::format_to(
            std::back_inserter(out),
            "voronka_http_request_duration_seconds_sum{{{},status=\"{}\"}} {}\n"
            "voronka_http_request_duration_seconds_count{{{},status=\"{}\"}} {}\n",
            labels,
            kClassLabels[i],
            sum_seconds,
            labels,
            kClassLabels[i],
            cumulative
        );
    }
}

RouteMetrics& MetricsFor(std::string_view method, std::string_view route) {
    Registry& registry = GlobalRegistry();
    std::lock_guard lock(registry.mutex);
    for (RouteMetrics& slot : registry.slots) {
        if (slot.method() == method && slot.route() == route) {
            return slot;
        }
    }
    return registry.slots.emplace_back(std::string(method), std::string(route));
}

void AddOpenConnections(int64_t delta) {
    GlobalRegistry().open_connections.fetch_add(delta, std::memory_order_relaxed);
}

std::string RenderMetrics() {
    Registry& registry = GlobalRegistry();
    std::string out;
    out.reserve(4096);
    std::lock_guard lock(registry.mutex);
    out +=
        "# HELP voronka_http_requests_total HTTP requests by method, route pattern and status "
        "class.\n"
        "# TYPE voronka_http_requests_total counter\n";
    for (const RouteMetrics& slot : registry.slots) {
        slot.RenderCounters(out);
    }
    out +=
        "# HELP voronka_http_request_duration_seconds Time spent routing, authenticating and in "
        "the handler, by method, route pattern and status class.\n"
        "# TYPE voronka_http_request_duration_seconds histogram\n";
    for (const RouteMetrics& slot : registry.slots) {
        slot.RenderHistograms(out);
    }
    fmt::format_to(
        std::back_inserter(out),
        "# HELP voronka_http_open_connections Client connections currently open.\n"
        "# TYPE voronka_http_open_connections gauge\n"
        "voronka_http_open_connections {}\n",
        registry.open_connections.load(std::memory_order_relaxed)
    );
    return out;
}

}  // namespace voronka::http
