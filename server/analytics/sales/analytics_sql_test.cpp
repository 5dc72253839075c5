#include "analytics/sales/analytics_sql.hpp"

#include <gtest/gtest.h>

namespace voronka::analytics {
namespace {

TEST(AnalyticsSql, ChangedToPerDialect) {
    EXPECT_EQ(
        ChangedTo(storage::Dialect::kSqlite, "e.changes", "stage_id"),
        "json_extract(e.changes, '$.stage_id.to')"
    );
    EXPECT_EQ(
        ChangedTo(storage::Dialect::kPostgres, "e.changes", "stage_id"),
        "(e.changes::jsonb -> 'stage_id' ->> 'to')"
    );
}

TEST(AnalyticsSql, RatioRoundsHalfToEven) {
    struct Case {
        int64_t num, den;
        int digits;
        const char* want;
    };

    for (const Case& c : std::vector<Case>{
             {1, 3, 4, "0.3333"},
             {2, 3, 4, "0.6667"},
             {1, 8, 2, "0.12"},  // 0.125 -> even 0.12
             {3, 8, 2, "0.38"},  // 0.375 -> even 0.38
             {-1, 3, 4, "-0.3333"},
             {-3, 8, 2, "-0.38"},
             {5, 5, 4, "1.0000"},
             {7, 2, 0, "4"},
             {0, 9, 2, "0.00"},
         }) {
        EXPECT_EQ(Ratio(c.num, c.den, c.digits), core::Json(c.want)) << c.num << "/" << c.den;
    }
    EXPECT_TRUE(Ratio(1, 0).is_null());
}

TEST(AnalyticsSql, DivideHalfEven) {
    EXPECT_EQ(DivideHalfEven(30005 * 10, 100), 3000);  // 3000.5 -> 3000
    EXPECT_EQ(DivideHalfEven(30015 * 10, 100), 3002);  // 3001.5 -> 3002
    EXPECT_EQ(DivideHalfEven(10000, 3), 3333);
    EXPECT_EQ(DivideHalfEven(-5, 2), -2);
    EXPECT_EQ(DivideHalfEven(-7, 2), -4);
}

TEST(AnalyticsSql, Periods) {
    auto m = ParseMonth("2024-02");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->label, "2024-02");
    EXPECT_EQ(m->first_day, "2024-02-01");
    EXPECT_EQ(m->last_day, "2024-02-29");
    EXPECT_EQ(m->end_micros - m->start_micros, int64_t{29} * 86'400'000'000);
    for (const char* bad : {"2024-13", "2024-00", "2024-1", "24-01", "2024/01", "abcd-ef", ""}) {
        EXPECT_FALSE(ParseMonth(bad)) << bad;
    }
    const int64_t nov20 = 1795176000000000;  // 2026-11-20T12:00:00Z
    EXPECT_EQ(PeriodAt(nov20, false).label, "2026-11");
    EXPECT_EQ(PeriodAt(nov20, false, 1).label, "2026-12");
    EXPECT_EQ(PeriodAt(nov20, false, 2).label, "2027-01");
    EXPECT_EQ(PeriodAt(nov20, false, -3).label, "2026-08");
    const Period q = PeriodAt(nov20, true);
    EXPECT_EQ(q.label, "2026-Q4");
    EXPECT_EQ(q.first_day, "2026-10-01");
    EXPECT_EQ(q.last_day, "2026-12-31");
    EXPECT_EQ(PeriodAt(nov20, true, 1).label, "2027-Q1");
    EXPECT_EQ(PeriodAt(nov20, true, -3).label, "2026-Q1");
    EXPECT_EQ(DayStartMicros("2026-11-20"), nov20 - int64_t{12} * 3'600'000'000);
    EXPECT_EQ(DayStartMicros("2026-12-31", true), PeriodAt(nov20, false, 2).start_micros);
}

TEST(AnalyticsSql, ListUrlEncodesValues) {
    EXPECT_EQ(
        ListUrl(
            "deals",
            {{"pipeline_id", "eq", "p1"},
             {"created_at", "gte", "2026-11-01T00:00:00Z"},
             {"loss_reason", "eq", "too expensive & slow"},
             {"owner_id", "in", "a,b"}}
        ),
        "/api/v1/deals?filter[pipeline_id]=p1&filter[created_at][gte]=2026-11-01T00:00:00Z"
        "&filter[loss_reason]=too%20expensive%20%26%20slow&filter[owner_id][in]=a,b"
    );
    EXPECT_EQ(ListUrl("leads", {}), "/api/v1/leads");
}

}  // namespace
}  // namespace voronka::analytics
