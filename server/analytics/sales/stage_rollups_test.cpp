#include "analytics/sales/stage_rollups.hpp"

#include <random>

#include <gtest/gtest.h>

#include "analytics/sales/analytics_sql.hpp"
#include "analytics/sales/rollup_test_fixture.hpp"
#include "analytics/sales/sales_analytics.hpp"
#include "analytics/sales/sales_analytics_entities.hpp"
#include "analytics/sales/stage_time_cells.hpp"
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

template <typename T>
core::Status Done(core::Result<T> r) {
    return r ? core::Ok() : core::Status(std::move(r).error());
}

TEST(VisitedKeyTest, SortedDistinctAndBack) {
    EXPECT_EQ(VisitedKey({"b", "a", "b"}), "a,b");
    EXPECT_EQ(VisitedKey({}), "");
    EXPECT_EQ(VisitedStages("a,b"), (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE(VisitedStages("").empty());
}

// Random deal writes (create, stage moves, owner/source/pipeline changes, delete, restore,
// references moved by a merge, stages reordered), then the funnel and velocity, which read the
// roll-ups, checked against the same figures counted from the event log's stage history.
class StageRollupsTest : public testing::SalesRollupTest {
protected:
    Json MakePipeline(const std::string& name) {
        return SalesRollupTest::MakePipeline(
            name,
            {{{"name", "New"}, {"probability", 10}},
             {{"name", "Meeting"}, {"probability", 30}},
             {{"name", "Offer"}, {"probability", 50}},
             {{"name", "Won"}, {"kind", "won"}},
             {{"name", "Lost"}, {"kind", "lost"}}}
        );
    }

    std::vector<std::vector<std::string>> Stored() {
        return TextRows(
            "SELECT 'f', month, pipeline_id, owner_id, source, stage_id, visited, "
            "CAST(deals AS TEXT), '' FROM deal_funnel_rollups WHERE tenant_id = $1 AND "
            "deals <> 0 UNION ALL SELECT 't', deal_id, stage_id, pipeline_id, owner_id, "
            "source, CAST(created_at AS TEXT), COALESCE(CAST(closed_micros AS TEXT), '-'), "
            "COALESCE(CAST(open_at AS TEXT), '-') FROM deal_stage_times WHERE tenant_id = $1 "
            "UNION ALL SELECT 'c', pipeline_id, stage_id, kind, CAST(bucket AS TEXT), "
            "CAST(deals AS TEXT), CAST(offset_micros AS TEXT), '', '' FROM "
            "deal_stage_time_cells WHERE tenant_id = $1 AND deals <> 0 "
            "ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9"
        );
    }

    // The list terms of the filters, as the widgets narrow the deals.
    std::vector<FilterTerm> Terms(const AnalyticsFilters& f) {
        std::vector<FilterTerm> t{{"pipeline_id", "eq", f.pipeline_id}};
        if (!f.owner_id.empty()) {
            t.push_back({"owner_id", "eq", f.owner_id});
        }
        if (!f.team_id.empty()) {
            t.push_back({"owner_id", "in", users_[1].user_id + "," + users_[2].user_id});
        }
        if (!f.source.empty()) {
            t.push_back({"source", "eq", f.source});
        }
        if (!f.from.empty()) {
            t.push_back({"created_at", "gte", core::FormatTimestamp(DayStartMicros(f.from))});
        }
        if (!f.to.empty()) {
            t.push_back({"created_at", "lt", core::FormatTimestamp(DayStartMicros(f.to, true))});
        }
        return t;
    }

    // The reference: per stage of the pipeline, the funnel's reached and current and the
    // velocity's deals, timed deals, total and middle micros, from the deals' stage events.
    storage::Rows Recount(const RequestContext& ctx, const AnalyticsFilters& f) {
        auto rows = storage::ReadReturning<storage::Rows>(
            db(),
            [&](Connection& c) -> core::Result<storage::Rows> {
                std::vector<storage::Value> params;
                VK_ASSIGN_OR_RETURN(auto def, records_->Meta(c, ctx, "deals"));
                VK_ASSIGN_OR_RETURN(
                    std::string cond, records::ListCondition(c, ctx, *def, Terms(f), params)
                );
                params.emplace_back(clock_.NowMicros());
                const std::string now = "$" + std::to_string(params.size());
                params.emplace_back(f.pipeline_id);
                const std::string pipeline = "$" + std::to_string(params.size());
                const std::string to = ChangedTo(c.dialect(), "e.changes", "stage_id");
                const std::string middle = " AND (x.rn = (x.n + 1) / 2 OR x.rn = (x.n + 2) / 2)";
                return c.Query(
                    "WITH d AS (SELECT id, stage_id, status FROM deals WHERE " + cond +
                        "), moves AS (SELECT e.record_id AS deal_id, e.version, e.at, " + to +
                        " AS stage_id FROM events e JOIN d ON d.id = e.record_id WHERE "
                        "e.tenant_id = $1 AND e.entity = 'deals' AND " +
                        to +
                        " IS NOT NULL), visits AS (SELECT deal_id, stage_id FROM moves UNION "
                        "SELECT id, stage_id FROM d), reach AS (SELECT v.deal_id, "
                        "MAX(s.position) AS max_position FROM visits v JOIN stages s ON "
                        "s.tenant_id = $1 AND s.id = v.stage_id WHERE s.pipeline_id = " +
                        pipeline +
                        " AND s.kind <> 'lost' GROUP BY v.deal_id), spans AS (SELECT "
                        "m.deal_id, m.stage_id, m.at, LEAD(m.at) OVER (PARTITION BY m.deal_id "
                        "ORDER BY m.version) AS next_at FROM moves m), timed AS (SELECT "
                        "sp.stage_id, sp.deal_id, SUM(COALESCE(sp.next_at, CASE WHEN d.status = "
                        "'open' THEN CAST(" +
                        now +
                        " AS BIGINT) END) - sp.at) AS micros FROM spans sp JOIN d ON d.id = "
                        "sp.deal_id GROUP BY sp.stage_id, sp.deal_id), ranked AS (SELECT "
                        "stage_id, micros, ROW_NUMBER() OVER (PARTITION BY stage_id ORDER BY "
                        "micros) AS rn, COUNT(*) OVER (PARTITION BY stage_id) AS n FROM timed "
                        "WHERE micros IS NOT NULL) SELECT s.id, CASE WHEN s.kind = 'lost' THEN "
                        "(SELECT COUNT(DISTINCT v.deal_id) FROM visits v WHERE v.stage_id = "
                        "s.id) ELSE (SELECT COUNT(*) FROM reach r WHERE r.max_position >= "
                        "s.position) END, (SELECT COUNT(*) FROM d WHERE d.stage_id = s.id), "
                        "(SELECT COUNT(*) FROM timed t WHERE t.stage_id = s.id), (SELECT "
                        "COUNT(*) FROM ranked x WHERE x.stage_id = s.id), (SELECT "
                        "CAST(SUM(x.micros) AS BIGINT) FROM ranked x WHERE x.stage_id = s.id), "
                        "(SELECT CAST(SUM(x.micros) AS BIGINT) FROM ranked x WHERE x.stage_id = "
                        "s.id" +
                        middle + "), (SELECT COUNT(*) FROM ranked x WHERE x.stage_id = s.id" +
                        middle + ") FROM stages s WHERE s.tenant_id = $1 AND s.pipeline_id = " +
                        pipeline + " AND s.deleted_at IS NULL ORDER BY s.position, s.id",
                    params
                );
            }
        );
        EXPECT_TRUE(rows) << storage::Describe(rows.error());
        return rows ? *rows : storage::Rows{};
    }

    static Json Days(const storage::Value& micros, const storage::Value& n) {
        if (IsNull(n) || AsInt(n) == 0) {
            return nullptr;
        }
        return std::stod(Ratio(AsInt(micros), AsInt(n) * kDay, 2).get<std::string>());
    }

    void Check(const RequestContext& ctx, const AnalyticsFilters& f) {
        const Json funnel = Read([&](Connection& c) { return analytics_->Funnel(c, ctx, f); });
        const Json velocity = Read([&](Connection& c) { return analytics_->Velocity(c, ctx, f); });
        const storage::Rows want = Recount(ctx, f);
        ASSERT_EQ(funnel["stages"].size(), want.size());
        ASSERT_EQ(velocity["stages"].size(), want.size());
        int64_t reached_total = 0;
        for (size_t i = 0; i < want.size(); ++i) {
            const auto& w = want.rows[i];
            const Json& fs = funnel["stages"][i];
            const Json& vs = velocity["stages"][i];
            SCOPED_TRACE("stage " + std::to_string(i));
            EXPECT_EQ(fs["stage_id"], AsText(w[0]));
            EXPECT_EQ(fs["reached"], AsInt(w[1]));
            EXPECT_EQ(fs["current"], AsInt(w[2]));
            EXPECT_EQ(vs["stage_id"], AsText(w[0]));
            EXPECT_EQ(vs["deals"], AsInt(w[3]));
            EXPECT_EQ(vs["timed_deals"], AsInt(w[4]));
            EXPECT_EQ(vs["avg_days"], Days(w[5], w[4]));
            EXPECT_EQ(vs["median_days"], Days(w[6], w[7]));
            reached_total += AsInt(w[1]);
        }
        checked_reached_ += reached_total;
    }

    int64_t checked_reached_ = 0;
};

TEST_P(StageRollupsTest, MatchStageHistoryAfterRandomWrites) {
    std::vector<Json> pipelines = {MakePipeline("Retail"), MakePipeline("Wholesale")};
    std::vector<std::string> contacts;
    for (int i = 0; i < 3; ++i) {
        Write([&](Connection& tx) -> core::Status {
            VK_ASSIGN_OR_RETURN(
                records::Record r,
                records_->Create(
                    tx, tenant_.admin, "contacts", {{"first_name", "C" + std::to_string(i)}}
                )
            );
            contacts.push_back(r.body["id"]);
            return core::Ok();
        });
    }
    std::mt19937 rng(20261124);
    auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    static const char* kSources[] = {"web_form", "call", "email"};
    // A stage of a pipeline (won and lost close the deal), mostly of the deal's own pipeline.
    auto stage = [&](size_t p) {
        Json body = Json::object();
        const Json& pipeline = pipelines[p];
        const size_t s = pick(5);
        body["pipeline_id"] = pipeline["id"];
        body["stage_id"] = pipeline["stages"][s]["id"];
        if (pipeline["stages"][s]["kind"] == "lost") {
            body["loss_reason"] = "Price";
        }
        return body;
    };
    std::vector<std::string> live;
    std::vector<std::string> deleted;
    for (int step = 0; step < 260; ++step) {
        // Writes spread over July..November 2026 in time order, so spans are positive and
        // created_at filters cross months and their edges.
        clock_ = core::ManualClock(kJuly + static_cast<int64_t>(step) * kDay / 2 + pick(1000));
        const size_t op = live.empty() ? 0 : pick(12);
        if (op <= 2) {
            Json body = stage(pick(2));
            body["title"] = "Deal " + std::to_string(step);
            body["owner_id"] = users_[pick(users_.size())].user_id;
            body["source"] = pick(4) == 0 ? Json(nullptr) : Json(kSources[pick(3)]);
            body["contact_id"] = contacts[pick(contacts.size())];
            CreateDeal(body, live);
        } else if (op <= 5) {
            const std::string id = live[pick(live.size())];
            // Mostly within the deal's pipeline; now and then into the other one.
            Write([&](Connection& tx) {
                return Done(
                    records_->Update(tx, tenant_.admin, "deals", id, stage(pick(2)), std::nullopt)
                );
            });
        } else if (op == 6) {
            const std::string id = live[pick(live.size())];
            Json body = Json::object();
            if (pick(2) == 0) {
                body["owner_id"] =
                    pick(4) == 0 ? Json(nullptr) : Json(users_[pick(users_.size())].user_id);
            } else {
                body["source"] = pick(3) == 0 ? Json(nullptr) : Json(kSources[pick(3)]);
            }
            body["title"] = "Renamed " + std::to_string(step);
            Write([&](Connection& tx) {
                return Done(records_->Update(tx, tenant_.admin, "deals", id, body, std::nullopt));
            });
        } else if (op == 7) {
            DeleteDeal(live, deleted, pick(live.size()));
        } else if (op == 8 && !deleted.empty()) {
            RestoreDeal(live, deleted, pick(deleted.size()));
        } else if (op == 9) {
            // A contact merge repoints deals (events without stage changes, no hooks).
            const std::string from = contacts[pick(contacts.size())];
            const std::string to = contacts[pick(contacts.size())];
            if (from != to) {
                Write([&](Connection& tx) -> core::Status {
                    auto moved = records_->MoveReferences(
                        tx, tenant_.admin, {"deals", "contact_id", from, to, {}, std::nullopt}
                    );
                    return moved ? core::Ok() : core::Status(std::move(moved).error());
                });
            }
        } else if (op == 10) {
            // Stages reordered: reach follows the new positions without a recount.
            const size_t p = pick(2);
            Json order = Json::array();
            std::vector<Json> stages(pipelines[p]["stages"].begin(), pipelines[p]["stages"].end());
            std::shuffle(stages.begin(), stages.end(), rng);
            for (const Json& s : stages) {
                order.push_back({{"id", s["id"]}});
            }
            auto updated = storage::WriteReturning<Json>(db(), [&](Connection& tx) {
                return sales_->UpdatePipeline(
                    tx, tenant_.admin, pipelines[p]["id"], {{"stages", order}}, std::nullopt
                );
            });
            ASSERT_TRUE(updated) << storage::Describe(updated.error());
        } else {
            // Status change with no stage move: the open span stops or starts counting.
            const std::string id = live[pick(live.size())];
            Write([&](Connection& tx) {
                return Done(records_->Update(
                    tx, tenant_.admin, "deals", id, {{"probability", pick(100)}}, std::nullopt
                ));
            });
        }
        if (step % 65 == 64) {
            // The hook's rows equal a recount from the deals and their events.
            const auto stored = Stored();
            ASSERT_FALSE(stored.empty());
            Write([&](Connection& tx) { return RebuildStageRollups(tx, tenant_.id); });
            ASSERT_EQ(stored, Stored()) << "after step " << step;
        }
    }

    clock_ = core::ManualClock(kJuly + 140 * kDay);
    std::vector<AnalyticsFilters> filters;
    for (const Json& p : pipelines) {
        AnalyticsFilters f;
        f.pipeline_id = p["id"];
        filters.push_back(f);
        AnalyticsFilters owner = f;
        owner.owner_id = users_[1].user_id;
        filters.push_back(owner);
        AnalyticsFilters team = f;
        team.team_id = team_;
        filters.push_back(team);
        AnalyticsFilters source = f;
        source.source = "call";
        filters.push_back(source);
        AnalyticsFilters dated = f;
        dated.from = "2026-08-14";
        dated.to = "2026-10-03";
        filters.push_back(dated);
        AnalyticsFilters inside = f;
        inside.from = "2026-09-02";
        inside.to = "2026-09-20";
        inside.team_id = team_;
        filters.push_back(inside);
        AnalyticsFilters open_end = f;
        open_end.from = "2026-09-20";
        filters.push_back(open_end);
    }
    for (const RequestContext& ctx : {users_[0], users_[1], users_[3], users_[4]}) {
        for (size_t i = 0; i < filters.size(); ++i) {
            SCOPED_TRACE("filters " + std::to_string(i) + ", role " + ctx.role);
            Check(ctx, filters[i]);
        }
    }
    EXPECT_GT(checked_reached_, 0);
}

// The recount's SQL puts rows in the same cells with the same offsets as the hooks' C++, in every
// cell width (hours, days, 30 days), below zero, open and untimed.
TEST_P(StageRollupsTest, CellRecountMatchesTheHooksArithmetic) {
    constexpr int64_t kHour = kDay / 24;
    std::mt19937_64 rng(11);
    auto uniform = [&](int64_t lo, int64_t hi) {
        return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
    };
    StageTimeCellDeltas want;
    Write([&](Connection& tx) -> core::Status {
        for (int i = 0; i < 400; ++i) {
            StageTimeRow row{"p" + std::to_string(i % 2), "s" + std::to_string(i % 3), {}, {}};
            const int64_t days = std::vector<int64_t>{1, 60, 900, 5000}[static_cast<size_t>(i % 4)];
            if (i % 5 != 4) {
                row.closed_micros = uniform(0, days * kDay) - (i % 37 == 0 ? 3 * kHour : 0);
            }
            if (i % 3 == 0) {
                row.open_at = kJuly - uniform(0, days * kDay);
            }
            AddStageTimeCell(row, 1, want);
            auto opt = [](const std::optional<int64_t>& v) {
                return v ? storage::Value(*v) : storage::Value(nullptr);
            };
            VK_RETURN_IF_ERROR(Done(tx.Execute(
                "INSERT INTO deal_stage_times (tenant_id, deal_id, stage_id, pipeline_id, "
                "owner_id, "
                "source, created_at, closed_micros, open_at) VALUES ($1, $2, $3, $4, '', '', $5, "
                "$6, $7)",
                {tenant_.id,
                 "d" + std::to_string(i),
                 row.stage_id,
                 row.pipeline_id,
                 kJuly,
                 opt(row.closed_micros),
                 opt(row.open_at)}
            )));
        }
        return RebuildStageTimeCells(tx, tenant_.id);
    });
    std::vector<std::vector<std::string>> expected;
    for (const auto& [key, cell] : want) {
        expected.push_back(
            {std::get<0>(key),
             std::get<1>(key),
             std::string(1, std::get<2>(key)),
             std::to_string(cell.bucket),
             std::to_string(cell.deals),
             std::to_string(cell.offset_micros)}
        );
    }
    std::sort(expected.begin(), expected.end());
    auto stored = TextRows(
        "SELECT pipeline_id, stage_id, kind, CAST(bucket AS TEXT), CAST(deals AS TEXT), "
        "CAST(offset_micros AS TEXT) FROM deal_stage_time_cells WHERE tenant_id = $1"
    );
    std::sort(stored.begin(), stored.end());
    EXPECT_GT(expected.size(), 100u);
    EXPECT_EQ(stored, expected);
}

VORONKA_INSTANTIATE_BACKENDS(StageRollupsTest);

}  // namespace
}  // namespace voronka::analytics
