#include "sales/deal_math.hpp"

#include <gtest/gtest.h>

#include "sales/hook_util.hpp"

namespace voronka::sales {
namespace {

TEST(DealMathTest, LineTotalsRoundHalfUpOncePerValue) {
    struct Case {
        int64_t price_minor;
        int64_t quantity_milli;
        int64_t discount_bp;
        int64_t tax_bp;
        int64_t amount;
        int64_t tax;
    };

    const std::vector<Case> cases = {
        {3333, 3000, 1000, 0, 8999, 0},       // 3 x 33.33 - 10% = 89.991 -> 89.99
        {3333, 3000, 0, 2000, 9999, 2000},    // 99.99 + 20% = 19.998 -> 20.00
        {1, 500, 0, 0, 1, 0},                 // 0.005 -> 0.01 (half up)
        {1, 499, 0, 0, 0, 0},                 // 0.00499 -> 0.00
        {150050, 1000, 0, 0, 150050, 0},      // 1500.50 x 1
        {1000, 1500, 1250, 1000, 1313, 131},  // 15 - 12.5% = 13.125 -> 13.13; tax 1.313 -> 1.31
        {999, 1000, 10000, 2000, 0, 0},       // a free line
    };
    for (const auto& c : cases) {
        auto r = ComputeLineTotals(c.price_minor, c.quantity_milli, c.discount_bp, c.tax_bp);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->amount_minor, c.amount) << c.price_minor << " x " << c.quantity_milli;
        EXPECT_EQ(r->tax_minor, c.tax) << c.price_minor << " x " << c.quantity_milli;
        EXPECT_EQ(r->total_minor, c.amount + c.tax);
    }
}

TEST(DealMathTest, OverflowIsAnErrorNotAWrap) {
    auto r = ComputeLineTotals(INT64_MAX / 2, 1'000'000, 0, 0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().fields[0].field, "price");
}

TEST(DealMathTest, ToFixedAcceptsOnlyExactDecimals) {
    using internal::ToFixed;
    EXPECT_EQ(ToFixed(core::Json(33.33), 2), 3333);
    EXPECT_EQ(ToFixed(core::Json(3), 3), 3000);
    EXPECT_EQ(ToFixed(core::Json(0.1), 3), 100);
    EXPECT_EQ(ToFixed(core::Json(12.5), 2), 1250);
    EXPECT_EQ(ToFixed(core::Json(-2), 3), -2000);
    EXPECT_FALSE(ToFixed(core::Json(0.1234), 3));
    EXPECT_FALSE(ToFixed(core::Json("3"), 3));
    EXPECT_FALSE(ToFixed(core::Json(1e300), 2));
}

}  // namespace
}  // namespace voronka::sales
