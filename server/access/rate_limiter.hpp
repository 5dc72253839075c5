// Per-credential request rate limits: an in-memory token bucket per API token, session or (for
// anonymous callers) remote address, reported in the RateLimit-* headers.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "access/request_context.hpp"
#include "core/clock.hpp"
#include "http/router.hpp"

namespace voronka::access {

struct RateDecision {
    bool allowed = true;
    int64_t limit = 0;                // requests per window (the bucket's capacity)
    int64_t remaining = 0;            // whole requests left now
    int64_t reset_seconds = 0;        // until the bucket is full again
    int64_t retry_after_seconds = 0;  // until the next request is allowed (when !allowed)
};

// A bucket holds `per_minute` requests and refills continuously at per_minute per 60 s, so a
// burst of the whole minute's quota is allowed and then one request every 60/per_minute s.
// Buckets live in memory: with several app nodes each enforces its own share. Thread-safe.
class RateLimiter {
public:
    // REQUIRES: per_minute > 0.
    RateLimiter(const core::Clock& clock, int64_t per_minute);

    // Takes one request from `key`'s bucket when it has one. per_minute > 0 is the key's own
    // limit (an API token's); 0 uses the limiter's default. A bucket whose limit changes keeps
    // what it had left, capped at the new capacity.
    RateDecision Take(std::string_view key, int64_t per_minute = 0);

    // The bucket key of a caller: its credential, else its address.
    static std::string KeyOf(const RequestContext& ctx, std::string_view remote_address);

    size_t BucketCount() const;

private:
    struct Bucket {
        int64_t level;       // in request-micros: one request is kWindowMicros
        int64_t updated;     // clock micros of the last refill
        int64_t per_minute;  // this bucket's limit
    };

    void Prune(int64_t now);

    const core::Clock& clock_;
    const int64_t per_minute_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
    int64_t last_prune_ = 0;
};

// Makes the router consult `limiter` on every /api/ request: RateLimit-Limit, -Remaining and
// -Reset on every response (draft-ietf-httpapi-ratelimit-headers), 429 problem+json with
// Retry-After once the bucket is empty. An API token with its own limit (RequestContext::
// rate_limit) gets that instead of the limiter's default. `limiter` must outlive the router.
void InstallRateLimit(http::Router& router, RateLimiter& limiter);

}  // namespace voronka::access
