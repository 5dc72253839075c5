// Token buckets on a manual clock: headers count down, 429 with Retry-After, refill, per key.
#include "access/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace voronka::access {
namespace {

constexpr int64_t kSecond = 1'000'000;

TEST(RateLimiter, CountsDownRefusesAndRefills) {
    core::ManualClock clock(1'700'000'000 * kSecond);
    RateLimiter limiter(clock, 3);  // one request every 20 s
    const RateDecision first = limiter.Take("token:a");
    EXPECT_TRUE(first.allowed);
    EXPECT_EQ(first.limit, 3);
    EXPECT_EQ(first.remaining, 2);
    EXPECT_EQ(first.reset_seconds, 20);
    EXPECT_EQ(limiter.Take("token:a").remaining, 1);
    const RateDecision last = limiter.Take("token:a");
    EXPECT_TRUE(last.allowed);
    EXPECT_EQ(last.remaining, 0);
    EXPECT_EQ(last.reset_seconds, 60);
    const RateDecision refused = limiter.Take("token:a");
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.remaining, 0);
    EXPECT_EQ(refused.retry_after_seconds, 20);
    // Other credentials have their own buckets.
    EXPECT_TRUE(limiter.Take("token:b").allowed);
    clock.Advance(15 * kSecond);
    const RateDecision still = limiter.Take("token:a");
    EXPECT_FALSE(still.allowed);
    EXPECT_EQ(still.retry_after_seconds, 5);
    clock.Advance(5 * kSecond);
    const RateDecision again = limiter.Take("token:a");
    EXPECT_TRUE(again.allowed);
    EXPECT_EQ(again.remaining, 0);
    clock.Advance(3600 * kSecond);  // never more than the capacity
    EXPECT_EQ(limiter.Take("token:a").remaining, 2);
}

TEST(RateLimiter, KeyWithItsOwnLimitGetsItInsteadOfTheDefault) {
    core::ManualClock clock(1'700'000'000 * kSecond);
    RateLimiter limiter(clock, 100);
    const RateDecision first = limiter.Take("token:slow", 2);  // one request every 30 s
    EXPECT_TRUE(first.allowed);
    EXPECT_EQ(first.limit, 2);
    EXPECT_EQ(first.remaining, 1);
    EXPECT_TRUE(limiter.Take("token:slow", 2).allowed);
    const RateDecision refused = limiter.Take("token:slow", 2);
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.retry_after_seconds, 30);
    // Without an override the default applies, in a bucket of its own.
    const RateDecision other = limiter.Take("token:plain");
    EXPECT_EQ(other.limit, 100);
    EXPECT_EQ(other.remaining, 99);
    // A raised limit keeps what was left and refills at the new rate.
    const RateDecision raised = limiter.Take("token:slow", 60);
    EXPECT_FALSE(raised.allowed);
    EXPECT_EQ(raised.limit, 60);
    clock.Advance(kSecond);
    EXPECT_TRUE(limiter.Take("token:slow", 60).allowed);
    // A lowered limit caps the bucket at the new capacity.
    clock.Advance(3600 * kSecond);
    EXPECT_EQ(limiter.Take("token:slow", 60).remaining, 59);
    EXPECT_EQ(limiter.Take("token:slow", 3).remaining, 2);
}

TEST(RateLimiter, KeysByCredentialElseAddress) {
    RequestContext token;
    token.credential_id = "token:01";
    EXPECT_EQ(RateLimiter::KeyOf(token, "10.0.0.1"), "token:01");
    EXPECT_EQ(RateLimiter::KeyOf(RequestContext{}, "10.0.0.1"), "address:10.0.0.1");
}

TEST(RateLimiter, RouterAddsHeadersAndAnswers429WithRetryAfter) {
    core::ManualClock clock(1'700'000'000 * kSecond);
    RateLimiter limiter(clock, 2);
    http::Router router;
    int calls = 0;
    router.Add(
        "GET",
        "/api/v1/ping",
        http::Policy::kPublic,
        [&calls](const RequestContext&, const http::Request&) -> core::Result<http::Response> {
            ++calls;
            return http::Response::JsonBody(200, {{"ok", true}});
        }
    );
    router.Add(
        "GET",
        "/healthz",
        http::Policy::kPublic,
        [](const RequestContext&, const http::Request&) -> core::Result<http::Response> {
            return http::Response::NoContent();
        }
    );
    InstallRateLimit(router, limiter);
    auto get = [&](const std::string& path, const std::string& address) {
        http::Request req;
        req.method = "GET";
        req.target = path;
        req.path = path;
        req.remote_address = address;
        return router.Dispatch(req);
    };
    auto header = [](const http::Response& r, std::string_view name) {
        for (const auto& [k, v] : r.headers) {
            if (k == name) {
                return v;
            }
        }
        return std::string("(absent)");
    };
    const http::Response one = get("/api/v1/ping", "10.0.0.1");
    EXPECT_EQ(one.status, 200);
    EXPECT_EQ(header(one, "RateLimit-Limit"), "2");
    EXPECT_EQ(header(one, "RateLimit-Remaining"), "1");
    EXPECT_EQ(header(one, "RateLimit-Reset"), "30");
    EXPECT_EQ(header(one, "Retry-After"), "(absent)");
    // Unmatched API paths count too (and get the headers).
    const http::Response missing = get("/api/v1/nothing", "10.0.0.1");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(header(missing, "RateLimit-Remaining"), "0");
    const http::Response refused = get("/api/v1/ping", "10.0.0.1");
    EXPECT_EQ(refused.status, 429);
    EXPECT_EQ(refused.content_type, "application/problem+json");
    EXPECT_EQ(header(refused, "Retry-After"), "30");
    EXPECT_EQ(calls, 1);  // the refused request never reached its handler
    EXPECT_EQ(get("/api/v1/ping", "10.0.0.2").status, 200);
    // Health checks are not API calls: no limit, no headers.
    const http::Response health = get("/healthz", "10.0.0.1");
    EXPECT_EQ(health.status, 204);
    EXPECT_EQ(header(health, "RateLimit-Limit"), "(absent)");
    clock.Advance(30 * kSecond);
    EXPECT_EQ(get("/api/v1/ping", "10.0.0.1").status, 200);
}

}  // namespace
}  // namespace voronka::access
