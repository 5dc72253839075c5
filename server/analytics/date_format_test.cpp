// Tests for the strftime-like date parser and the month helpers.
#include "analytics/date_format.hpp"

#include <gtest/gtest.h>

namespace voronka::analytics {
namespace {

struct DateCase {
    const char* text;
    const char* format;
    int32_t expected_day;
};

TEST(ParseDateTest, AcceptsSupportedFormats) {
    const DateCase cases[] = {
        {"19700101", "%Y%m%d", 0},
        {"1970-01-02", "%Y-%m-%d", 1},
        {"19970101", "%Y%m%d", 9862},
        {"1997-09-30", "%Y-%m-%d", 10134},
        {"30.09.1997", "%d.%m.%Y", 10134},
        {"9/30/1997", "%m/%d/%Y", 10134},
        {"2000-02-29", "%Y-%m-%d", 11016},
        {"1969-12-31", "%Y-%m-%d", -1},
        {"100%1997-09-30", "100%%%Y-%m-%d", 10134},
    };
    for (const auto& c : cases) {
        const auto day = ParseDate(c.text, c.format);
        ASSERT_TRUE(day.has_value()) << c.text << " " << c.format << ": " << day.error().message;
        EXPECT_EQ(*day, c.expected_day) << c.text;
    }
}

TEST(ParseDateTest, RejectsBadInput) {
    struct BadCase {
        const char* text;
        const char* format;
        const char* message;
    };

    const BadCase cases[] = {
        {"2023-02-29", "%Y-%m-%d", "date '2023-02-29' is not a calendar date"},
        {"1997-13-01", "%Y-%m-%d", "date '1997-13-01' is not a calendar date"},
        {"1997-09-30x", "%Y-%m-%d", "date '1997-09-30x' does not match format '%Y-%m-%d'"},
        {"1997/09/30", "%Y-%m-%d", "date '1997/09/30' does not match format '%Y-%m-%d'"},
        {"199709", "%Y%m%d", "date '199709' does not match format '%Y%m%d'"},
        {"", "%Y-%m-%d", "date '' does not match format '%Y-%m-%d'"},
        {"1997-09", "%Y-%m", "date format '%Y-%m' must contain %Y, %m and %d"},
        {"1997",
         "%Y%H",
         "date format '%Y%H' uses unsupported directive %H (supported: %Y %m %d %%)"},
        {"1997", "%Y%", "date format '%Y%' ends with %"},
    };
    for (const auto& c : cases) {
        const auto day = ParseDate(c.text, c.format);
        ASSERT_FALSE(day.has_value()) << c.text;
        EXPECT_EQ(day.error().code, core::ErrorCode::kInvalid);
        EXPECT_EQ(day.error().message, c.message);
    }
}

TEST(FormatDateTest, RoundTrips) {
    for (const int32_t day : {-1, 0, 9862, 10134, 11016, 20000}) {
        const auto parsed = ParseDate(FormatDate(day), "%Y-%m-%d");
        ASSERT_TRUE(parsed.has_value());
        EXPECT_EQ(*parsed, day);
    }
    EXPECT_EQ(FormatDate(10134), "1997-09-30");
}

TEST(MonthIndexTest, CountsMonths) {
    const int32_t jan = MonthIndex(*ParseDate("1997-01-31", "%Y-%m-%d"));
    const int32_t feb = MonthIndex(*ParseDate("1997-02-01", "%Y-%m-%d"));
    const int32_t next_jan = MonthIndex(*ParseDate("1998-01-01", "%Y-%m-%d"));
    EXPECT_EQ(feb - jan, 1);
    EXPECT_EQ(next_jan - jan, 12);
    EXPECT_EQ(FormatMonth(jan), "1997-01");
    EXPECT_EQ(FormatMonth(next_jan - 1), "1997-12");
}

}  // namespace
}  // namespace voronka::analytics
