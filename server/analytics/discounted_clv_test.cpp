// Tests for weekly discounting of expected purchases into CLV.
#include "analytics/discounted_clv.hpp"

#include <cmath>

#include <gtest/gtest.h>

namespace voronka::analytics {
namespace {

TEST(DiscountedClvTest, ConstantRateIsAGeometricSum) {
    // Two purchases a week, $10 each, 30 % margin, 10 % a year, 52 weeks, weekly unit.
    const ClvOptions options{52, 0.1, 0.3, 7.0};
    const auto cumulative = [](double weeks) { return 2.0 * weeks; };
    double expected = 0;
    for (int w = 1; w <= 52; ++w) {
        expected += 2.0 * 10.0 * 0.3 / std::pow(1.1, 7.0 * w / 365.25);
    }
    EXPECT_NEAR(DiscountedClv(cumulative, 10.0, options), expected, 1e-9);
    EXPECT_LT(expected, 2.0 * 52 * 10.0 * 0.3);
}

TEST(DiscountedClvTest, DayUnitAsksForDays) {
    ClvOptions options{4, 0.0, 1.0, 1.0};
    std::vector<double> asked;
    const auto cumulative = [&](double days) {
        asked.push_back(days);
        return days / 7.0;
    };
    EXPECT_NEAR(DiscountedClv(cumulative, 5.0, options), 4 * 5.0, 1e-12);
    EXPECT_EQ(asked, (std::vector<double>{7, 14, 21, 28}));
}

TEST(DiscountedClvTest, ZeroRateIsUndiscountedTotal) {
    const ClvOptions options{26, 0.0, 0.5, 7.0};
    const auto cumulative = [](double weeks) { return 3.0 * (1 - std::exp(-weeks / 10)); };
    EXPECT_NEAR(DiscountedClv(cumulative, 8.0, options), cumulative(26) * 8.0 * 0.5, 1e-12);
    EXPECT_EQ(DiscountedClv(cumulative, 8.0, {0, 0.1, 0.5, 7.0}), 0.0);
}

TEST(DiscountedClvTest, ValidatesOptions) {
    EXPECT_TRUE(ValidateClvOptions({52, 0.1, 0.3, 7.0}).has_value());

    const struct {
        ClvOptions options;
        const char* field;
    } cases[] = {
        {{-1, 0.1, 0.3, 7.0}, "horizon_weeks"},
        {{52, -1.0, 0.3, 7.0}, "annual_discount_rate"},
        {{52, NAN, 0.3, 7.0}, "annual_discount_rate"},
        {{52, 0.1, INFINITY, 7.0}, "margin"},
        {{52, 0.1, 0.3, 0.0}, "days_per_unit"},
    };

    for (const auto& c : cases) {
        const auto status = ValidateClvOptions(c.options);
        ASSERT_FALSE(status.has_value()) << c.field;
        ASSERT_EQ(status.error().fields.size(), 1u);
        EXPECT_EQ(status.error().fields[0].field, c.field);
    }
}

}  // namespace
}  // namespace voronka::analytics
