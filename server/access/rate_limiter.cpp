// Token buckets in integer request-micros: no floating point, exact refill arithmetic.
#include "access/rate_limiter.hpp"

#include <algorithm>

namespace voronka::access {

namespace {

constexpr int64_t kWindowMicros = 60'000'000;
constexpr int64_t kPruneEveryMicros = 60'000'000;
constexpr size_t kPruneAbove = 10'000;

int64_t CeilDiv(int64_t a, int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

}  // namespace

RateLimiter::RateLimiter(const core::Clock& clock, int64_t per_minute)
    : clock_(clock), per_minute_(per_minute) {}

std::string RateLimiter::KeyOf(const RequestContext& ctx, std::string_view remote_address) {
    if (!ctx.credential_id.empty()) {
        return ctx.credential_id;
    }
    return "address:" + std::string(remote_address);
}

RateDecision RateLimiter::Take(std::string_view key, int64_t per_minute) {
    const int64_t rate = per_minute > 0 ? per_minute : per_minute_;
    const int64_t capacity = rate * kWindowMicros;
    const int64_t now = clock_.NowMicros();
    std::lock_guard lock(mutex_);
    Prune(now);
    auto [it, inserted] = buckets_.try_emplace(std::string(key), Bucket{capacity, now, rate});
    Bucket& b = it->second;
    if (b.per_minute != rate) {
        b.per_minute = rate;
        b.level = std::min(b.level, capacity);
    }
    // Refill: per_minute requests per window is per_minute request-micros per micro.
    const int64_t elapsed = std::max<int64_t>(0, now - b.updated);
    const int64_t room = capacity - b.level;
    b.level = elapsed >= CeilDiv(room, rate) ? capacity : b.level + elapsed * rate;
    b.updated = now;
    RateDecision d;
    d.limit = rate;
    d.allowed = b.level >= kWindowMicros;
    if (d.allowed) {
        b.level -= kWindowMicros;
    } else {
        d.retry_after_seconds =
            std::max<int64_t>(1, CeilDiv(CeilDiv(kWindowMicros - b.level, rate), 1'000'000));
    }
    d.remaining = b.level / kWindowMicros;
    d.reset_seconds = CeilDiv(CeilDiv(capacity - b.level, rate), 1'000'000);
    return d;
}

size_t RateLimiter::BucketCount() const {
    std::lock_guard lock(mutex_);
    return buckets_.size();
}

void RateLimiter::Prune(int64_t now) {
    // A bucket that has refilled completely is the same as no bucket: drop those now and then
    // so that a stream of one-off addresses cannot grow the map without bound.
    if (buckets_.size() < kPruneAbove || now - last_prune_ < kPruneEveryMicros) {
        return;
    }
    last_prune_ = now;
    std::erase_if(buckets_, [&](const auto& item) {
        const Bucket& b = item.second;
        return now - b.updated >= CeilDiv(b.per_minute * kWindowMicros - b.level, b.per_minute);
    });
}

void InstallRateLimit(http::Router& router, RateLimiter& limiter) {
    router.SetRateLimit([&limiter](const RequestContext& ctx, const http::Request& req) {
        const RateDecision d =
            limiter.Take(RateLimiter::KeyOf(ctx, req.remote_address), ctx.rate_limit);
        http::RateLimitOutcome out;
        out.allowed = d.allowed;
        out.headers = {
            {"RateLimit-Limit", std::to_string(d.limit)},
            {"RateLimit-Remaining", std::to_string(d.remaining)},
            {"RateLimit-Reset", std::to_string(d.reset_seconds)},
        };
        if (!d.allowed) {
            out.headers.emplace_back("Retry-After", std::to_string(d.retry_after_seconds));
        }
        return out;
    });
}

}  // namespace voronka::access
