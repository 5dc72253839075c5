// Tests for RFM quintile scores, the segment table and RFM inputs from transactions.
#include "analytics/rfm_score.hpp"

#include <set>

#include <gtest/gtest.h>

namespace voronka::analytics {
namespace {

TEST(ScoreRfmTest, DistinctValuesFillQuintilesEvenly) {
    std::vector<RfmInput> customers;
    for (int i = 0; i < 10; ++i) {
        // Customer i: i days since last purchase, 10 - i purchases, spend 100 * i.
        customers.push_back({"c" + std::to_string(i), double(i), 10 - i, 100.0 * i});
    }
    const auto scores = ScoreRfm(customers);
    ASSERT_EQ(scores.size(), 10u);
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(scores[i].customer_id, "c" + std::to_string(i));
        EXPECT_EQ(scores[i].recency_score, 5 - i / 2) << i;  // most recent scores 5
        EXPECT_EQ(scores[i].frequency_score, 5 - i / 2) << i;
        EXPECT_EQ(scores[i].monetary_score, 1 + i / 2) << i;
    }
}

TEST(ScoreRfmTest, TiesShareTheMidrankScore) {
    // Six customers with one purchase and four with more: the ties' midrank is 2.5 of 10.
    std::vector<RfmInput> customers;
    for (int i = 0; i < 10; ++i) {
        customers.push_back({"c" + std::to_string(i), 1.0, i < 6 ? 1 : i, 1.0});
    }
    const auto scores = ScoreRfm(customers);
    for (int i = 0; i < 6; ++i) {
        EXPECT_EQ(scores[i].frequency_score, 2) << i;
    }
    EXPECT_EQ(scores[6].frequency_score, 4);
    EXPECT_EQ(scores[9].frequency_score, 5);
    // Everyone equal: all in the middle.
    EXPECT_EQ(scores[0].recency_score, 3);
    EXPECT_EQ(scores[0].monetary_score, 3);
    EXPECT_TRUE(ScoreRfm({}).empty());
}

TEST(RfmSegmentTest, TableCellsAndCoverage) {
    const struct {
        int r, f, m;
        RfmSegment segment;
    } cases[] = {
        {5, 5, 5, RfmSegment::kChampions},
        {5, 4, 3, RfmSegment::kChampions},  // FM = 3.5 rounds to 4
        {5, 1, 1, RfmSegment::kNew},
        {4, 1, 1, RfmSegment::kPromising},
        {4, 2, 3, RfmSegment::kPotentialLoyalist},
        {4, 5, 4, RfmSegment::kLoyal},
        {3, 3, 3, RfmSegment::kNeedAttention},
        {3, 1, 2, RfmSegment::kAboutToSleep},
        {2, 3, 4, RfmSegment::kAtRisk},
        {1, 5, 5, RfmSegment::kCannotLose},
        {2, 1, 1, RfmSegment::kHibernating},
        {1, 2, 1, RfmSegment::kLost},
    };

    for (const auto& c : cases) {
        EXPECT_EQ(RfmSegmentFor(c.r, c.f, c.m), c.segment) << c.r << c.f << c.m;
    }
    std::set<std::string_view> names;
    for (int r = 1; r <= 5; ++r) {
        for (int f = 1; f <= 5; ++f) {
            for (int m = 1; m <= 5; ++m) {
                names.insert(RfmSegmentName(RfmSegmentFor(r, f, m)));
            }
        }
    }
    EXPECT_EQ(
        names,
        (std::set<std::string_view>{
            "champions",
            "loyal",
            "potential_loyalist",
            "new",
            "promising",
            "need_attention",
            "about_to_sleep",
            "at_risk",
            "cannot_lose",
            "hibernating",
            "lost"})
    );
}

TEST(RfmFromTransactionsTest, AggregatesUpToAsOfDay) {
    const std::vector<Transaction> txs = {
        {"a", 100, 10.0},
        {"b", 105, 3.0},
        {"a", 100, 5.0},  // same day: one purchase day, amounts added
        {"a", 110, 7.0},
        {"a", 130, 99.0},  // after as-of: ignored
    };
    const auto rfm = RfmFromTransactions(txs, 120);
    ASSERT_EQ(rfm.size(), 2u);
    EXPECT_EQ(rfm[0].customer_id, "a");
    EXPECT_EQ(rfm[0].recency_days, 10.0);
    EXPECT_EQ(rfm[0].frequency, 2);
    EXPECT_EQ(rfm[0].monetary, 22.0);
    EXPECT_EQ(rfm[1].customer_id, "b");
    EXPECT_EQ(rfm[1].recency_days, 15.0);
    EXPECT_EQ(rfm[1].frequency, 1);
}

}  // namespace
}  // namespace voronka::analytics
