#include "analytics/sales/period_rollups.hpp"

#include <random>

#include <gtest/gtest.h>

#include "analytics/sales/analytics_sql.hpp"
#include "analytics/sales/rollup_test_fixture.hpp"
#include "analytics/sales/sales_analytics.hpp"
#include "analytics/sales/sales_analytics_entities.hpp"
#include "core/money.hpp"
#include "records/test_support.hpp"
#include "sales/sales_entities.hpp"
#include "sales/sales_service.hpp"

namespace voronka::analytics {
namespace {

using access::RequestContext;
using core::Json;
using records::FilterTerm;
using records::testing::TestTenant;
using storage::AsInt;
using storage::AsText;
using storage::IsNull;

constexpr int64_t kDay = 86'400'000'000;
constexpr int64_t kJuly = testing::kRollupTestStart;

core::Status Done(core::Result<records::Record> r) {
    return r ? core::Ok() : core::Status(std::move(r).error());
}

TEST(MonthSplitTest, WholeMonthsAndEdges) {
    const int64_t aug = kJuly + 31 * kDay;
    const int64_t sep = aug + 31 * kDay;
    const int64_t oct = sep + 30 * kDay;
    EXPECT_EQ(MonthOf(kJuly), "2026-07");
    EXPECT_EQ(MonthOf(aug - 1), "2026-07");
    EXPECT_TRUE(SplitByMonths(std::nullopt, std::nullopt).all_months);

    const MonthSplit mid = SplitByMonths(kJuly + 3 * kDay, sep + 2 * kDay);
    EXPECT_EQ(mid.first, "2026-08");
    EXPECT_EQ(mid.last, "2026-08");
    using Edges = std::vector<std::pair<int64_t, int64_t>>;
    EXPECT_EQ(mid.edges, (Edges{{kJuly + 3 * kDay, aug}, {sep, sep + 2 * kDay}}));

    const MonthSplit aligned = SplitByMonths(aug, oct);
    EXPECT_EQ(aligned.first, "2026-08");
    EXPECT_EQ(aligned.last, "2026-09");
    EXPECT_TRUE(aligned.edges.empty());

    const MonthSplit inside = SplitByMonths(aug + kDay, aug + 5 * kDay);
    EXPECT_TRUE(inside.none);
    EXPECT_EQ(inside.edges, (Edges{{aug + kDay, aug + 5 * kDay}}));

    const MonthSplit open_end = SplitByMonths(aug + kDay, std::nullopt);
    EXPECT_EQ(open_end.first, "2026-09");
    EXPECT_EQ(open_end.last, "9999-99");
    EXPECT_EQ(open_end.edges, (Edges{{aug + kDay, sep}}));

    const MonthSplit open_start = SplitByMonths(std::nullopt, sep + kDay);
    EXPECT_EQ(open_start.first, "0000-00");
    EXPECT_EQ(open_start.last, "2026-08");
    EXPECT_EQ(open_start.edges, (Edges{{sep, sep + kDay}}));
}

// Random writes to deals and leads over half a year, then every roll-up-backed figure checked
// against the same figure computed from the records themselves, for many filters and roles.
class PeriodRollupsTest : public testing::SalesRollupTest {
protected:
    void SetUp() override {
        SalesRollupTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        empty_team_ = tenant_.AddTeam(db());
    }

    Json MakePipeline(const std::string& name) {
        return SalesRollupTest::MakePipeline(
            name,
            {{{"name", "New"}, {"probability", 10}},
             {{"name", "Offer"}, {"probability", 50}},
             {{"name", "Won"}, {"kind", "won"}},
             {{"name", "Lost"}, {"kind", "lost"}}}
        );
    }

    // Both roll-up tables as stored, rows that net to nothing left out.
    std::vector<std::vector<std::string>> Stored() {
        auto deals = TextRows(
            "SELECT basis, month, pipeline_id, owner_id, source, status, loss_reason, currency, "
            "deals, amounts, amount_minor, weighted_minor FROM deal_period_rollups WHERE "
            "tenant_id = $1 AND (deals <> 0 OR amounts <> 0 OR amount_minor <> 0 OR "
            "weighted_minor <> 0) ORDER BY basis, month, pipeline_id, owner_id, source, status, "
            "loss_reason, currency"
        );
        auto leads = TextRows(
            "SELECT month, owner_id, source, campaign, leads, converted FROM lead_period_rollups "
            "WHERE tenant_id = $1 AND (leads <> 0 OR converted <> 0) ORDER BY month, owner_id, "
            "source, campaign"
        );
        deals.insert(deals.end(), leads.begin(), leads.end());
        return deals;
    }

    // The reference: SQL over the records themselves, within the caller's list scope.
    storage::Rows Raw(
        const RequestContext& ctx,
        const std::string& entity,
        const std::vector<FilterTerm>& terms,
        const std::string& select,
        const std::string& group
    ) {
        auto rows = storage::ReadReturning<storage::Rows>(
            db(),
            [&](Connection& c) -> core::Result<storage::Rows> {
                std::vector<storage::Value> params;
                VK_ASSIGN_OR_RETURN(auto def, records_->Meta(c, ctx, entity));
                VK_ASSIGN_OR_RETURN(
                    std::string cond, records::ListCondition(c, ctx, *def, terms, params)
                );
                return c.Query(
                    "SELECT " + select + " FROM " + entity + " WHERE " + cond +
                        (group.empty() ? "" : " GROUP BY " + group),
                    params
                );
            }
        );
        EXPECT_TRUE(rows) << storage::Describe(rows.error());
        return rows ? *rows : storage::Rows{};
    }

    // Money per currency of rows (..., currency, sum) whose currency and sum are set.
    static Json Money(const storage::Rows& rows, size_t currency, size_t sum) {
        MoneyMap m;
        for (const auto& row : rows.rows) {
            if (!IsNull(row[currency]) && !IsNull(row[sum])) {
                m[AsText(row[currency])] += AsInt(row[sum]);
            }
        }
        return MoneyJson(m);
    }

    // The list terms of the common filters (owner, team, source, pipeline) for `entity`.
    std::vector<FilterTerm> Common(const AnalyticsFilters& f, bool pipeline) {
        std::vector<FilterTerm> t;
        if (pipeline && !f.pipeline_id.empty()) {
            t.push_back({"pipeline_id", "eq", f.pipeline_id});
        }
        if (!f.owner_id.empty()) {
            t.push_back({"owner_id", "eq", f.owner_id});
        }
        if (!f.team_id.empty()) {
            t.push_back(
                {"owner_id",
                 "in",
                 f.team_id == team_ ? users_[1].user_id + "," + users_[2].user_id : ""}
            );
        }
        if (!f.source.empty()) {
            t.push_back({"source", "eq", f.source});
        }
        return t;
    }

    static std::vector<FilterTerm> Dated(
        std::vector<FilterTerm> t, const std::string& field, const AnalyticsFilters& f
    ) {
        if (!f.from.empty()) {
            t.push_back({field, "gte", core::FormatTimestamp(DayStartMicros(f.from))});
        }
        if (!f.to.empty()) {
            t.push_back({field, "lt", core::FormatTimestamp(DayStartMicros(f.to, true))});
        }
        return t;
    }

    static std::vector<FilterTerm> Plus(std::vector<FilterTerm> t, std::vector<FilterTerm> more) {
        t.insert(t.end(), more.begin(), more.end());
        return t;
    }

    void CheckWinLoss(const RequestContext& ctx, const AnalyticsFilters& f) {
        const Json got = Read([&](Connection& c) { return analytics_->WinLoss(c, ctx, f); });
        const auto base = Dated(Common(f, true), "closed_at", f);
        for (const char* status : {"won", "lost"}) {
            const storage::Rows rows =
                Raw(ctx,
                    "deals",
                    Plus(base, {{"status", "eq", status}}),
                    "currency, COUNT(*), CAST(SUM(amount) AS BIGINT)",
                    "currency");
            int64_t count = 0;
            for (const auto& row : rows.rows) {
                count += AsInt(row[1]);
            }
            EXPECT_EQ(got[status]["count"], count) << status;
            EXPECT_EQ(got[status]["sums"], Money(rows, 0, 2)) << status;
        }
        const storage::Rows reasons =
            Raw(ctx,
                "deals",
                Plus(base, {{"status", "eq", "lost"}}),
                "loss_reason, currency, COUNT(*), CAST(SUM(amount) AS BIGINT)",
                "loss_reason, currency");
        std::map<std::string, std::pair<int64_t, storage::Rows>> want;
        for (const auto& row : reasons.rows) {
            auto& w = want[IsNull(row[0]) ? "" : AsText(row[0])];
            w.first += AsInt(row[2]);
            w.second.rows.push_back(row);
        }
        ASSERT_EQ(got["reasons"].size(), want.size()) << got.dump();
        for (const Json& r : got["reasons"]) {
            const auto& w = want[r["reason"].is_null() ? "" : r["reason"].get<std::string>()];
            EXPECT_EQ(r["count"], w.first) << r.dump();
            EXPECT_EQ(r["sums"], Money(w.second, 1, 3)) << r.dump();
        }
    }

    void CheckForecast(const RequestContext& ctx, const AnalyticsFilters& f) {
        const Json got =
            Read([&](Connection& c) { return analytics_->Forecast(c, ctx, f, "month"); });
        const auto base = Dated(Common(f, true), "created_at", f);
        auto won = [&](int64_t from, int64_t to) {
            return Raw(
                ctx,
                "deals",
                Plus(
                    base,
                    {{"status", "eq", "won"},
                     {"won_at", "gte", core::FormatTimestamp(from)},
                     {"won_at", "lt", core::FormatTimestamp(to)}}
                ),
                "currency, CAST(SUM(amount) AS BIGINT)",
                "currency"
            );
        };
        const int64_t now = clock_.NowMicros();
        const storage::Rows history =
            won(PeriodAt(now, false, -3).start_micros, PeriodAt(now, false).start_micros);
        MoneyMap run_rate;
        for (const auto& row : history.rows) {
            if (!IsNull(row[0]) && !IsNull(row[1])) {
                run_rate[AsText(row[0])] = DivideHalfEven(AsInt(row[1]), 3);
            }
        }
        for (int offset = 0; offset < 2; ++offset) {
            const Period p = PeriodAt(now, false, offset);
            const Json& period = got["periods"][static_cast<size_t>(offset)];
            const storage::Rows actual = won(p.start_micros, p.end_micros);
            EXPECT_EQ(period["actual"], Money(actual, 0, 1)) << p.label;
            EXPECT_EQ(period["run_rate"], MoneyJson(run_rate)) << p.label;
            const storage::Rows open =
                Raw(ctx,
                    "deals",
                    Plus(
                        base,
                        {{"status", "eq", "open"},
                         {"expected_close_date", "gte", p.first_day},
                         {"expected_close_date", "lte", p.last_day}}
                    ),
                    "currency, CAST(SUM(amount * COALESCE(probability, 0)) AS BIGINT), "
                    "CAST(SUM(amount) AS BIGINT), COUNT(*)",
                    "currency");
            int64_t open_deals = 0;
            MoneyMap weighted;
            MoneyMap best_case;
            for (const auto& row : actual.rows) {
                if (!IsNull(row[0]) && !IsNull(row[1])) {
                    best_case[AsText(row[0])] += AsInt(row[1]);
                }
            }
            for (const auto& row : open.rows) {
                open_deals += AsInt(row[3]);
                if (!IsNull(row[0]) && !IsNull(row[1])) {
                    weighted[AsText(row[0])] = DivideHalfEven(AsInt(row[1]), 100);
                    best_case[AsText(row[0])] += AsInt(row[2]);
                }
            }
            EXPECT_EQ(period["open_deals"], open_deals) << p.label;
            EXPECT_EQ(period["weighted"], MoneyJson(weighted)) << p.label;
            EXPECT_EQ(period["best_case"], MoneyJson(best_case)) << p.label;
        }
    }

    void CheckPlanFact(const RequestContext& ctx, const AnalyticsFilters& f, const Period& m) {
        const Json got =
            Read([&](Connection& c) { return analytics_->PlanFact(c, ctx, f, m.label); });
        AnalyticsFilters deals_filter = f;
        deals_filter.owner_id.clear();
        deals_filter.team_id.clear();
        for (const Json& row : got["rows"]) {
            std::string owners;
            if (row.contains("owner_id")) {
                owners = row["owner_id"].get<std::string>();
            } else {
                owners = users_[1].user_id + "," + users_[2].user_id;
            }
            const storage::Rows fact =
                Raw(ctx,
                    "deals",
                    Plus(
                        Dated(Common(deals_filter, true), "won_at", f),
                        {{"status", "eq", "won"},
                         {"owner_id", "in", owners},
                         {"won_at", "gte", core::FormatTimestamp(m.start_micros)},
                         {"won_at", "lt", core::FormatTimestamp(m.end_micros)}}
                    ),
                    "currency, CAST(SUM(amount) AS BIGINT)",
                    "currency");
            EXPECT_EQ(row["fact"], Money(fact, 0, 1)) << row.dump();
        }
    }

    void CheckSources(const RequestContext& ctx, const AnalyticsFilters& f) {
        const Json got =
            Read([&](Connection& c) { return analytics_->Sources(c, ctx, f, "source"); });
        const storage::Rows leads =
            Raw(ctx,
                "leads",
                Dated(Common(f, false), "created_at", f),
                "source, COUNT(*), SUM(CASE WHEN status = 'converted' THEN 1 ELSE 0 END)",
                "source");
        const storage::Rows won =
            Raw(ctx,
                "deals",
                Plus(Dated(Common(f, true), "won_at", f), {{"status", "eq", "won"}}),
                "source, currency, COUNT(*), CAST(SUM(amount) AS BIGINT)",
                "source, currency");
        std::map<std::string, std::array<int64_t, 3>> want;  // leads, converted, deals won
        std::map<std::string, storage::Rows> revenue;
        for (const auto& row : leads.rows) {
            auto& w = want[IsNull(row[0]) ? "" : AsText(row[0])];
            w[0] += AsInt(row[1]);
            w[1] += AsInt(row[2]);
        }
        for (const auto& row : won.rows) {
            const std::string source = IsNull(row[0]) ? "" : AsText(row[0]);
            want[source][2] += AsInt(row[2]);
            revenue[source].rows.push_back(row);
        }
        for (const Json& row : got["rows"]) {
            const std::string source =
                row["source"].is_null() ? "" : row["source"].get<std::string>();
            const auto& w = want[source];
            EXPECT_EQ(row["leads"], w[0]) << row.dump();
            EXPECT_EQ(row["converted"], w[1]) << row.dump();
            EXPECT_EQ(row["deals_won"], w[2]) << row.dump();
            EXPECT_EQ(row["revenue"], Money(revenue[source], 1, 3)) << row.dump();
            want.erase(source);
        }
        EXPECT_TRUE(want.empty()) << "groups missing from the widget: " << want.size();
    }

    std::string empty_team_;
};

TEST_P(PeriodRollupsTest, MatchRecordsAfterRandomWrites) {
    const std::vector<Json> pipelines = {MakePipeline("Retail"), MakePipeline("Wholesale")};
    std::mt19937 rng(20261123);
    auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    static const char* kSources[] = {"web_form", "call", "email"};
    static const char* kReasons[] = {"Price", "Timing"};
    auto day = [&](int64_t micros) { return core::FormatTimestamp(micros).substr(0, 10); };
    // A random stage (won and lost close the deal at the clock's time).
    auto place = [&](Json body) {
        const Json& p = pipelines[pick(pipelines.size())];
        const size_t s = pick(4);
        body["pipeline_id"] = p["id"];
        body["stage_id"] = p["stages"][s]["id"];
        if (s == 3) {
            body["loss_reason"] = pick(3) == 0 ? Json(nullptr) : Json(kReasons[pick(2)]);
            if (body["loss_reason"].is_null()) {
                body["loss_reason"] = "Other";
            }
        }
        return body;
    };
    auto details = [&]() {
        static const char* kAmounts[] = {"100.00", "2500.50", "0.01", "99999.99", "7.70"};
        static const char* kCurrencies[] = {"RUB", "USD", "JPY"};
        Json body = Json::object();
        if (pick(5) == 0) {
            body["amount"] = nullptr;
        } else {
            const std::string currency = kCurrencies[pick(3)];
            body["currency"] = currency;
            body["amount"] =
                currency == "JPY" ? std::to_string(pick(100000)) : std::string(kAmounts[pick(5)]);
        }
        body["source"] = pick(4) == 0 ? Json(nullptr) : Json(kSources[pick(3)]);
        body["expected_close_date"] =
            pick(5) == 0 ? Json(nullptr)
                         : Json(day(kJuly + static_cast<int64_t>(pick(200)) * kDay));
        if (pick(3) == 0) {
            body["probability"] = static_cast<int64_t>(pick(101));
        }
        return body;
    };
    std::vector<std::string> live;
    std::vector<std::string> deleted;
    std::vector<std::string> leads;
    std::vector<std::string> deleted_leads;
    for (int step = 0; step < 240; ++step) {
        // Writes spread over July..December 2026, so figures cross months and their edges.
        clock_ = core::ManualClock(kJuly + static_cast<int64_t>(pick(170)) * kDay + pick(1000));
        const size_t op = live.empty() ? 0 : pick(14);
        if (op <= 2) {
            Json body = place(details());
            body["title"] = "Deal " + std::to_string(step);
            body["owner_id"] = users_[pick(users_.size())].user_id;
            CreateDeal(body, live);
        } else if (op <= 4) {
            const std::string id = live[pick(live.size())];
            Write([&](Connection& tx) {
                return Done(records_->Update(
                    tx, tenant_.admin, "deals", id, place(Json::object()), std::nullopt
                ));
            });
        } else if (op == 5) {
            const std::string id = live[pick(live.size())];
            Json body = details();
            if (pick(2) == 0) {
                body["owner_id"] =
                    pick(4) == 0 ? Json(nullptr) : Json(users_[pick(users_.size())].user_id);
            }
            Write([&](Connection& tx) {
                return Done(records_->Update(tx, tenant_.admin, "deals", id, body, std::nullopt));
            });
        } else if (op == 6) {
            DeleteDeal(live, deleted, pick(live.size()));
        } else if (op == 7 && !deleted.empty()) {
            RestoreDeal(live, deleted, pick(deleted.size()));
        } else if (op <= 9 || leads.empty()) {
            Json body = {
                {"first_name", "Lead " + std::to_string(step)},
                {"owner_id", users_[pick(users_.size())].user_id},
                {"source", pick(4) == 0 ? Json(nullptr) : Json(kSources[pick(3)])},
                {"campaign", pick(3) == 0 ? Json(nullptr) : Json(pick(2) ? "spring" : "autumn")}};
            Write([&](Connection& tx) -> core::Status {
                VK_ASSIGN_OR_RETURN(
                    records::Record r, records_->Create(tx, tenant_.admin, "leads", body)
                );
                leads.push_back(r.body["id"]);
                return core::Ok();
            });
        } else if (op == 10) {
            const std::string id = leads[pick(leads.size())];
            Json body = {{"source", kSources[pick(3)]}, {"owner_id", users_[pick(3)].user_id}};
            Write([&](Connection& tx) {
                return Done(records_->Update(tx, tenant_.admin, "leads", id, body, std::nullopt));
            });
        } else if (op == 11) {
            const std::string id = leads[pick(leads.size())];
            const Json& p = pipelines[0];
            // A converted lead cannot be converted again: such a step changes nothing.
            (void)storage::WriteReturning<Json>(db(), [&](Connection& tx) {
                return sales_->ConvertLead(
                    tx,
                    tenant_.admin,
                    id,
                    {{"deal",
                      {{"pipeline_id", p["id"]},
                       {"stage_id", p["stages"][0]["id"]},
                       {"title", "From lead"}}}}
                );
            });
        } else if (op == 12) {
            const size_t i = pick(leads.size());
            Write([&](Connection& tx) {
                return records_->Delete(tx, tenant_.admin, "leads", leads[i], std::nullopt);
            });
            deleted_leads.push_back(leads[i]);
            leads.erase(leads.begin() + static_cast<std::ptrdiff_t>(i));
        } else if (!deleted_leads.empty()) {
            const size_t i = pick(deleted_leads.size());
            Write([&](Connection& tx) {
                return Done(records_->Restore(tx, tenant_.admin, "leads", deleted_leads[i]));
            });
            leads.push_back(deleted_leads[i]);
            deleted_leads.erase(deleted_leads.begin() + static_cast<std::ptrdiff_t>(i));
        }
        if (step % 60 == 59) {
            // The hooks' rows equal a recount from the records.
            const auto stored = Stored();
            ASSERT_FALSE(stored.empty());
            Write([&](Connection& tx) { return RebuildPeriodRollups(tx, tenant_.id); });
            ASSERT_EQ(stored, Stored()) << "after step " << step;
        }
    }

    // Plans for the team, a user of it and a user outside it, in every month written.
    for (int m = 0; m < 6; ++m) {
        const Period period = PeriodAt(kJuly + static_cast<int64_t>(m) * 31 * kDay, false);
        for (const Json& who :
             {Json{{"team_id", team_}},
              Json{{"owner_id", users_[1].user_id}},
              Json{{"owner_id", users_[3].user_id}}}) {
            Json body = {{"period", period.label}, {"amount", "1000.00"}, {"currency", "RUB"}};
            body.update(who);
            Write([&](Connection& tx) {
                return Done(records_->Create(tx, tenant_.admin, "sales_plans", body));
            });
        }
    }

    clock_ = core::ManualClock(kJuly + 100 * kDay);  // mid-October: history and future months
    std::vector<AnalyticsFilters> filters(13);
    filters[1].pipeline_id = pipelines[0]["id"];
    filters[2].owner_id = users_[1].user_id;
    filters[3].team_id = team_;
    filters[4].source = "web_form";
    filters[5].from = "2026-08-14";
    filters[5].to = "2026-10-03";
    filters[6].from = "2026-09-01";
    filters[6].to = "2026-10-31";
    filters[7].from = "2026-09-20";
    filters[8].to = "2026-09-10";
    filters[9].from = "2026-10-02";
    filters[9].to = "2026-10-09";
    filters[10] = filters[5];
    filters[10].source = "call";
    filters[10].pipeline_id = pipelines[1]["id"];
    filters[11] = filters[7];
    filters[11].team_id = team_;
    filters[12].team_id = empty_team_;  // no members: no deal and no lead, owned or not
    for (const RequestContext& ctx : {users_[0], users_[1], users_[3], users_[4]}) {
        for (size_t i = 0; i < filters.size(); ++i) {
            SCOPED_TRACE("filters " + std::to_string(i) + ", role " + ctx.role);
            CheckWinLoss(ctx, filters[i]);
            CheckForecast(ctx, filters[i]);
            CheckSources(ctx, filters[i]);
            for (int m = 1; m < 5; ++m) {
                CheckPlanFact(
                    ctx, filters[i], PeriodAt(kJuly + static_cast<int64_t>(m) * 31 * kDay, false)
                );
            }
        }
    }
}

VORONKA_INSTANTIATE_BACKENDS(PeriodRollupsTest);

}  // namespace
}  // namespace voronka::analytics
