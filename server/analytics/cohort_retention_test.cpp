// Tests for the monthly cohort retention matrix.
#include "analytics/cohort_retention.hpp"

#include <gtest/gtest.h>

#include "analytics/date_format.hpp"

namespace voronka::analytics {
namespace {

int32_t Day(const char* iso) { return *ParseDate(iso, "%Y-%m-%d"); }

TEST(CohortRetentionTest, BuildsTriangle) {
    const std::vector<Transaction> txs = {
        {"a", Day("2024-01-05"), 1},
        {"a", Day("2024-01-20"), 1},
        {"a", Day("2024-03-02"), 1},
        {"b", Day("2024-01-31"), 1},
        {"b", Day("2024-02-01"), 1},
        {"c", Day("2024-02-10"), 1},
        {"c", Day("2024-03-10"), 1},
        {"d", Day("2024-02-11"), 1},
    };
    const auto rows = CohortRetention(txs);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].cohort_month, "2024-01");
    EXPECT_EQ(rows[0].customers, 2);
    EXPECT_EQ(rows[0].active, (std::vector<int64_t>{2, 1, 1}));
    EXPECT_EQ(rows[0].retention, (std::vector<double>{1.0, 0.5, 0.5}));
    EXPECT_EQ(rows[1].cohort_month, "2024-02");
    EXPECT_EQ(rows[1].customers, 2);
    EXPECT_EQ(rows[1].active, (std::vector<int64_t>{2, 1}));
    EXPECT_EQ(rows[1].retention, (std::vector<double>{1.0, 0.5}));
}

TEST(CohortRetentionTest, CrossesYearsAndKeepsGaps) {
    const std::vector<Transaction> txs = {
        {"a", Day("2023-12-31"), 1},
        {"a", Day("2024-03-01"), 1},
    };
    const auto rows = CohortRetention(txs);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].cohort_month, "2023-12");
    EXPECT_EQ(rows[0].active, (std::vector<int64_t>{1, 0, 0, 1}));
    EXPECT_TRUE(CohortRetention({}).empty());
}

}  // namespace
}  // namespace voronka::analytics
