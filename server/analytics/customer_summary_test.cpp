// Tests for the per-customer calibration/holdout summariser.
#include "analytics/customer_summary.hpp"

#include <gtest/gtest.h>

namespace voronka::analytics {
namespace {

constexpr int32_t kDay0 = 10000;

TEST(SummariseTransactionsTest, MergesSameDayAndSplitsCalibrationFromHoldout) {
    const std::vector<Transaction> txs = {
        {"b", kDay0 + 3, 5.0},   // b: single purchase
        {"a", kDay0 + 7, 20.0},  // a: repeat day 1
        {"a", kDay0, 10.0},      // a: first day, two purchases merged
        {"a", kDay0, 2.5},
        {"a", kDay0 + 14, 30.0},  // a: repeat day 2, two purchases merged
        {"a", kDay0 + 14, 4.0},
        {"a", kDay0 + 30, 8.0},  // a: holdout
        {"a", kDay0 + 31, 1.0},  // a: holdout
        {"c", kDay0 + 25, 9.0},  // c: first purchase after the calibration end: not summarised
        {"b", kDay0 + 99, 7.0},  // b: after the observation end: ignored
    };
    const auto summaries = SummariseTransactions(txs, {kDay0 + 20, kDay0 + 60, TimeUnit::kWeek});
    ASSERT_EQ(summaries.size(), 2u);

    const auto& b = summaries[0];  // order of first appearance
    EXPECT_EQ(b.customer_id, "b");
    EXPECT_EQ(b.frequency, 0);
    EXPECT_EQ(b.recency, 0.0);
    EXPECT_DOUBLE_EQ(b.age, 17.0 / 7.0);
    EXPECT_EQ(b.monetary_value, 0.0);
    EXPECT_EQ(b.first_value, 5.0);
    EXPECT_EQ(b.holdout_frequency, 0);

    const auto& a = summaries[1];
    EXPECT_EQ(a.customer_id, "a");
    EXPECT_EQ(a.first_day, kDay0);
    EXPECT_EQ(a.frequency, 2);
    EXPECT_DOUBLE_EQ(a.recency, 2.0);
    EXPECT_DOUBLE_EQ(a.age, 20.0 / 7.0);
    EXPECT_DOUBLE_EQ(a.monetary_value, (20.0 + 34.0) / 2.0);
    EXPECT_DOUBLE_EQ(a.first_value, 12.5);
    EXPECT_EQ(a.holdout_frequency, 2);
    EXPECT_DOUBLE_EQ(a.holdout_value, 9.0);
}

TEST(SummariseTransactionsTest, DayUnitAndUnboundedObservation) {
    const std::vector<Transaction> txs = {
        {"a", kDay0, 1.0},
        {"a", kDay0 + 5, 1.0},
        {"a", kDay0 + 500, 1.0},
    };
    const auto summaries = SummariseTransactions(txs, {kDay0 + 10, {}, TimeUnit::kDay});
    ASSERT_EQ(summaries.size(), 1u);
    EXPECT_EQ(summaries[0].frequency, 1);
    EXPECT_EQ(summaries[0].recency, 5.0);
    EXPECT_EQ(summaries[0].age, 10.0);
    EXPECT_EQ(summaries[0].holdout_frequency, 1);
}

TEST(SummariseTransactionsTest, PurchaseOnCalibrationEndCounts) {
    const std::vector<Transaction> txs = {{"a", kDay0, 1.0}, {"a", kDay0 + 7, 1.0}};
    const auto summaries = SummariseTransactions(txs, {kDay0 + 7, {}, TimeUnit::kWeek});
    ASSERT_EQ(summaries.size(), 1u);
    EXPECT_EQ(summaries[0].frequency, 1);
    EXPECT_EQ(summaries[0].recency, 1.0);
    EXPECT_EQ(summaries[0].age, 1.0);
}

TEST(ParseTimeUnitTest, AcceptsDayAndWeekOnly) {
    EXPECT_EQ(*ParseTimeUnit("day"), TimeUnit::kDay);
    EXPECT_EQ(*ParseTimeUnit("week"), TimeUnit::kWeek);
    const auto bad = ParseTimeUnit("month");
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().message, "unit must be 'day' or 'week', got 'month'");
    EXPECT_EQ(DaysPerUnit(TimeUnit::kWeek), 7.0);
}

}  // namespace
}  // namespace voronka::analytics
