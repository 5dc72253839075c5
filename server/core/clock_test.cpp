#include "core/clock.hpp"

#include <gtest/gtest.h>

namespace voronka::core {
namespace {

TEST(Clock, RoundTripsTimestamps) {
    const int64_t t = 1795410384123456;  // 2026-11-23T05:06:24.123456Z
    EXPECT_EQ(FormatTimestamp(t), "2026-11-23T05:06:24.123456Z");
    EXPECT_EQ(ParseTimestamp("2026-11-23T05:06:24.123456Z"), t);
    EXPECT_EQ(ParseTimestamp("2026-11-23T08:06:24.123456+03:00"), t);
    EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00Z");
}

TEST(Clock, RejectsMalformedTimestampsAndDates) {
    for (const char* bad : {"", "2026-13-01", "2026-02-30T00:00:00Z", "2026-11-23T05:06:24",
                            "2026-11-23T25:00:00Z", "2026-11-23T05:06:24Zjunk"}) {
        EXPECT_FALSE(ParseTimestamp(bad)) << bad;
    }
    EXPECT_TRUE(IsValidDate("2024-02-29"));
    EXPECT_FALSE(IsValidDate("2023-02-29"));
}

TEST(Clock, ManualClockAdvances) {
    ManualClock clock(100);
    clock.Advance(50);
    EXPECT_EQ(clock.NowMicros(), 150);
}

}  // namespace
}  // namespace voronka::core
