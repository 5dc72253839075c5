#include "analytics/sales/sales_analytics.hpp"

#include <gtest/gtest.h>

#include "analytics/sales/rollup_test_fixture.hpp"
#include "analytics/sales/sales_analytics_entities.hpp"
#include "analytics/sales/sales_analytics_routes.hpp"
#include "records/test_support.hpp"
#include "sales/sales_entities.hpp"
#include "sales/sales_service.hpp"

namespace voronka::analytics {
namespace {

using access::RequestContext;
using core::ErrorCode;
using records::testing::TestTenant;

constexpr int64_t kDay = 86'400'000'000;
constexpr int64_t kStart = 1794312000000000;    // 2026-11-10T12:00:00Z
constexpr int64_t kOctober = 1791201600000000;  // 2026-10-05T12:00:00Z

// A tenant with a team (u1, u2), a user outside it (u3), a manager, and deals with known moves:
//   pipeline Sales: New (10%) -> Offer (50%) -> Won | Lost, all deals created at kStart
//   D1 u1 1000.00 RUB web_form: New, Offer (+2d), Won (+5d)
//   D2 u1  500.00 RUB call:     New, Lost "price" (+1d)
//   D3 u2  200.00 RUB web_form: New, Offer (+4d), open, closes 2026-11-28
//   D4 u3  300.05 RUB:          New, open, closes 2026-12-05
//   D5 admin 100.00 USD email:  New, Offer (+2d), Lost "timing" (+3d)
//   pipeline Other: D6 admin 100.00 RUB referral won on 2026-10-05; D7 from lead L1 (web_form,
//   "autumn") 400.00 RUB won at +6d. Leads L2 (web_form, autumn), L3 (call). Costs: web_form
//   autumn 300.00, call 100.00 in 2026-11. Now is kStart + 10 days (2026-11-20T12:00Z).
class SalesAnalyticsTest : public testing::SalesRollupTest {
protected:
    void SetUp() override {
        testing::SalesRollupTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        clock_ = core::ManualClock(kStart);
        u1_ = users_[1];
        u2_ = users_[2];
        u3_ = users_[3];
        manager_ = users_[4];
    }

    template <class F>
    auto Write(F&& fn) {
        using R = std::invoke_result_t<F, Connection&>;
        return storage::WriteReturning<typename R::value_type>(db(), std::forward<F>(fn));
    }

    template <class F>
    auto Read(F&& fn) {
        using R = std::invoke_result_t<F, Connection&>;
        return storage::ReadReturning<typename R::value_type>(db(), std::forward<F>(fn));
    }

    Json Create(const RequestContext& ctx, const std::string& entity, const Json& body) {
        auto r = Write([&](Connection& tx) { return records_->Create(tx, ctx, entity, body); });
        EXPECT_TRUE(r) << storage::Describe(r.error());
        return r ? r->body : Json();
    }

    void Move(const std::string& deal, const std::string& stage, Json extra = Json::object()) {
        extra["stage_id"] = stage;
        auto r = Write([&](Connection& tx) {
            return records_->Update(tx, tenant_.admin, "deals", deal, extra, std::nullopt);
        });
        EXPECT_TRUE(r) << storage::Describe(r.error());
    }

    Json Pipeline(const std::string& name) {
        return MakePipeline(
            name,
            {{{"name", "New"}, {"probability", 10}},
             {{"name", "Offer"}, {"probability", 50}},
             {{"name", "Won"}, {"kind", "won"}},
             {{"name", "Lost"}, {"kind", "lost"}}}
        );
    }

    std::string Deal(const RequestContext& owner, const Json& pipeline, Json extra) {
        Json body = {
            {"title", "Deal"},
            {"pipeline_id", pipeline["id"]},
            {"stage_id", pipeline["stages"][0]["id"]},
            {"owner_id", owner.user_id}};
        body.update(extra);
        return Create(tenant_.admin, "deals", body).value("id", "");
    }

    static std::string Stage(const Json& pipeline, size_t i) {
        return pipeline["stages"][i]["id"].get<std::string>();
    }

    void BuildScenario() {
        other_ = Pipeline("Other");
        clock_ = core::ManualClock(kOctober);
        d6_ = Deal(
            tenant_.admin,
            other_,
            {{"amount", "100.00"}, {"currency", "RUB"}, {"source", "referral"}}
        );
        Move(d6_, Stage(other_, 2));

        clock_ = core::ManualClock(kStart);
        sales_pipeline_ = Pipeline("Sales");
        const Json& p = sales_pipeline_;
        d1_ = Deal(u1_, p, {{"amount", "1000.00"}, {"currency", "RUB"}, {"source", "web_form"}});
        d2_ = Deal(u1_, p, {{"amount", "500.00"}, {"currency", "RUB"}, {"source", "call"}});
        d3_ = Deal(
            u2_,
            p,
            {{"amount", "200.00"},
             {"currency", "RUB"},
             {"source", "web_form"},
             {"expected_close_date", "2026-11-28"}}
        );
        d4_ = Deal(
            u3_,
            p,
            {{"amount", "300.05"}, {"currency", "RUB"}, {"expected_close_date", "2026-12-05"}}
        );
        d5_ = Deal(
            tenant_.admin, p, {{"amount", "100.00"}, {"currency", "USD"}, {"source", "email"}}
        );
        const Json l1 = Create(
            tenant_.admin,
            "leads",
            {{"first_name", "L1"}, {"source", "web_form"}, {"campaign", "autumn"}}
        );
        Create(
            tenant_.admin,
            "leads",
            {{"first_name", "L2"}, {"source", "web_form"}, {"campaign", "autumn"}}
        );
        Create(tenant_.admin, "leads", {{"first_name", "L3"}, {"source", "call"}});
        Create(
            tenant_.admin,
            "campaign_costs",
            {{"source", "web_form"},
             {"campaign", "autumn"},
             {"period", "2026-11"},
             {"amount", "300.00"},
             {"currency", "RUB"}}
        );
        Create(
            tenant_.admin,
            "campaign_costs",
            {{"source", "call"}, {"period", "2026-11"}, {"amount", "100.00"}, {"currency", "RUB"}}
        );

        clock_.Advance(kDay);  // +1d
        Move(d2_, Stage(p, 3), {{"loss_reason", "price"}});
        clock_.Advance(kDay);  // +2d
        Move(d1_, Stage(p, 1));
        Move(d5_, Stage(p, 1));
        clock_.Advance(kDay);  // +3d
        Move(d5_, Stage(p, 3), {{"loss_reason", "timing"}});
        clock_.Advance(kDay);  // +4d
        Move(d3_, Stage(p, 1));
        clock_.Advance(kDay);  // +5d
        Move(d1_, Stage(p, 2));
        clock_.Advance(kDay);  // +6d
        auto converted = Write([&](Connection& tx) {
            return sales_->ConvertLead(
                tx,
                tenant_.admin,
                l1["id"].get<std::string>(),
                {{"deal",
                  {{"pipeline_id", other_["id"]},
                   {"stage_id", Stage(other_, 0)},
                   {"title", "From L1"},
                   {"amount", "400.00"},
                   {"currency", "RUB"}}}}
            );
        });
        ASSERT_TRUE(converted) << storage::Describe(converted.error());
        d7_ = (*converted)["deal_id"].get<std::string>();
        Move(d7_, Stage(other_, 2));
        clock_ = core::ManualClock(kStart + 10 * kDay);
    }

    AnalyticsFilters InSales() const {
        AnalyticsFilters f;
        f.pipeline_id = sales_pipeline_["id"].get<std::string>();
        return f;
    }

    template <class F>
    Json Ok(F&& fn) {
        auto r = Read([&](Connection& c) { return fn(c); });
        EXPECT_TRUE(r) << storage::Describe(r.error());
        return r ? *r : Json();
    }

    template <class F>
    core::Error Fails(F&& fn) {
        auto r = Read([&](Connection& c) { return fn(c); });
        EXPECT_FALSE(r);
        return r ? core::Error::Internal("succeeded") : r.error();
    }

    static void ExpectField(const core::Error& e, const std::string& field) {
        EXPECT_EQ(e.code, ErrorCode::kInvalid) << e.message;
        ASSERT_FALSE(e.fields.empty()) << e.message;
        EXPECT_EQ(e.fields[0].field, field) << e.fields[0].message;
    }

    RequestContext u1_, u2_, u3_, manager_;
    Json sales_pipeline_, other_;
    std::string d1_, d2_, d3_, d4_, d5_, d6_, d7_;
};

// [reached, current, conversion_to_next, drop_off] per stage New, Offer, Won, Lost.
void ExpectFunnel(const Json& funnel, const std::vector<Json>& want) {
    ASSERT_EQ(funnel["stages"].size(), want.size()) << funnel.dump();
    for (size_t i = 0; i < want.size(); ++i) {
        const Json& s = funnel["stages"][i];
        EXPECT_EQ(
            Json::array({s["reached"], s["current"], s["conversion_to_next"], s["drop_off"]}),
            want[i]
        ) << "stage "
          << i << ": " << s.dump();
    }
}

TEST_P(SalesAnalyticsTest, FunnelFromStageHistoryWithinScope) {
    BuildScenario();
    const Json admin =
        Ok([&](Connection& c) { return analytics_->Funnel(c, tenant_.admin, InSales()); });
    ExpectFunnel(
        admin,
        {Json::array({5, 1, "0.6000", 2}),
         Json::array({3, 1, "0.3333", 2}),
         Json::array({1, 1, nullptr, nullptr}),
         Json::array({2, 2, nullptr, nullptr})}
    );
    EXPECT_EQ(admin["won"], 1);
    EXPECT_EQ(admin["lost"], 2);
    EXPECT_EQ(admin["win_rate"], "0.3333");
    EXPECT_EQ(
        admin["stages"][1]["drilldown"],
        "/api/v1/deals?filter[pipeline_id]=" + sales_pipeline_["id"].get<std::string>() +
            "&filter[stage_id]=" + Stage(sales_pipeline_, 1)
    );

    // u1 sees its own and its team's deals (D1, D2, D3); u3 only D4.
    const Json team = Ok([&](Connection& c) { return analytics_->Funnel(c, u1_, InSales()); });
    ExpectFunnel(
        team,
        {Json::array({3, 0, "0.6667", 1}),
         Json::array({2, 1, "0.5000", 1}),
         Json::array({1, 1, nullptr, nullptr}),
         Json::array({1, 1, nullptr, nullptr})}
    );
    EXPECT_EQ(team["win_rate"], "0.5000");
    const Json alone = Ok([&](Connection& c) { return analytics_->Funnel(c, u3_, InSales()); });
    ExpectFunnel(
        alone,
        {Json::array({1, 1, "0.0000", 1}),
         Json::array({0, 0, nullptr, 0}),
         Json::array({0, 0, nullptr, nullptr}),
         Json::array({0, 0, nullptr, nullptr})}
    );

    // Filters: owner, team, source, created_at range.
    AnalyticsFilters by_team = InSales();
    by_team.team_id = team_;
    EXPECT_EQ(
        Ok([&](Connection& c) { return analytics_->Funnel(c, tenant_.admin, by_team); }
        )["stages"][0]["reached"],
        3
    );
    AnalyticsFilters by_source = InSales();
    by_source.source = "web_form";
    EXPECT_EQ(
        Ok([&](Connection& c) { return analytics_->Funnel(c, tenant_.admin, by_source); }
        )["stages"][1]["reached"],
        2
    );
    AnalyticsFilters later = InSales();
    later.from = "2026-11-11";
    EXPECT_EQ(
        Ok([&](Connection& c) { return analytics_->Funnel(c, tenant_.admin, later); }
        )["stages"][0]["reached"],
        0
    );
}

TEST_P(SalesAnalyticsTest, FunnelRejectsBadFiltersAndOtherTenantsPipeline) {
    BuildScenario();
    ExpectField(
        Fails([&](Connection& c) { return analytics_->Funnel(c, tenant_.admin, {}); }),
        "pipeline_id"
    );
    AnalyticsFilters bad = InSales();
    bad.from = "2026-13-01";
    ExpectField(
        Fails([&](Connection& c) { return analytics_->Funnel(c, tenant_.admin, bad); }), "from"
    );
    bad = InSales();
    bad.from = "2026-11-10";
    bad.to = "2026-11-01";
    ExpectField(
        Fails([&](Connection& c) { return analytics_->Funnel(c, tenant_.admin, bad); }), "to"
    );
    bad = InSales();
    bad.source = "carrier_pigeon";
    ExpectField(
        Fails([&](Connection& c) { return analytics_->Funnel(c, tenant_.admin, bad); }), "source"
    );
    bad = InSales();
    bad.owner_id = core::NewId();
    ExpectField(
        Fails([&](Connection& c) { return analytics_->Funnel(c, tenant_.admin, bad); }), "owner_id"
    );

    const TestTenant other = TestTenant::Create(db(), "Other company");
    ExpectField(
        Fails([&](Connection& c) { return analytics_->Funnel(c, other.admin, InSales()); }),
        "pipeline_id"
    );
    AnalyticsFilters team_of_a;
    team_of_a.team_id = team_;
    ExpectField(
        Fails([&](Connection& c) { return analytics_->WinLoss(c, other.admin, team_of_a); }),
        "team_id"
    );
    const Json nothing = Ok([&](Connection& c) { return analytics_->WinLoss(c, other.admin, {}); });
    EXPECT_EQ(nothing["won"]["count"], 0);
    EXPECT_EQ(nothing["lost"]["count"], 0);
    EXPECT_TRUE(nothing["win_rate"].is_null());
    EXPECT_EQ(nothing["reasons"], Json::array());
}

TEST_P(SalesAnalyticsTest, VelocityFromStageChanges) {
    BuildScenario();
    const Json v =
        Ok([&](Connection& c) { return analytics_->Velocity(c, tenant_.admin, InSales()); });
    ASSERT_EQ(v["stages"].size(), 4u) << v.dump();
    // New: D1 2d, D2 1d, D3 4d, D4 10d (open, until now), D5 2d.
    EXPECT_EQ(v["stages"][0]["deals"], 5);
    EXPECT_EQ(v["stages"][0]["avg_days"], 3.8);
    EXPECT_EQ(v["stages"][0]["median_days"], 2.0);
    // Offer: D1 3d, D3 6d (open), D5 1d.
    EXPECT_EQ(v["stages"][1]["deals"], 3);
    EXPECT_EQ(v["stages"][1]["avg_days"], 3.33);
    EXPECT_EQ(v["stages"][1]["median_days"], 3.0);
    EXPECT_EQ(v["stages"][2]["deals"], 1);
    EXPECT_TRUE(v["stages"][2]["avg_days"].is_null());
    EXPECT_EQ(v["stages"][3]["deals"], 2);

    const Json team = Ok([&](Connection& c) { return analytics_->Velocity(c, u1_, InSales()); });
    // New: D1 2d, D2 1d, D3 4d -> median 2, avg 2.33.
    EXPECT_EQ(team["stages"][0]["deals"], 3);
    EXPECT_EQ(team["stages"][0]["avg_days"], 2.33);
    EXPECT_EQ(team["stages"][0]["median_days"], 2.0);
    // Offer: D1 3d, D3 6d -> median 4.5.
    EXPECT_EQ(team["stages"][1]["median_days"], 4.5);
}

TEST_P(SalesAnalyticsTest, WinLossWithReasonsAndClosedRange) {
    BuildScenario();
    const Json w =
        Ok([&](Connection& c) { return analytics_->WinLoss(c, tenant_.admin, InSales()); });
    EXPECT_EQ(w["won"]["count"], 1);
    EXPECT_EQ(w["won"]["sums"], Json({{"RUB", "1000.00"}}));
    EXPECT_EQ(w["lost"]["count"], 2);
    EXPECT_EQ(w["lost"]["sums"], Json({{"RUB", "500.00"}, {"USD", "100.00"}}));
    EXPECT_EQ(w["win_rate"], "0.3333");
    ASSERT_EQ(w["reasons"].size(), 2u);
    EXPECT_EQ(w["reasons"][0]["reason"], "price");
    EXPECT_EQ(w["reasons"][0]["sums"], Json({{"RUB", "500.00"}}));
    EXPECT_EQ(w["reasons"][1]["reason"], "timing");
    EXPECT_NE(
        w["reasons"][0]["drilldown"].get<std::string>().find("filter[loss_reason]=price"),
        std::string::npos
    );

    AnalyticsFilters closed_late = InSales();
    closed_late.from =
        "2026-11-13";  // D5 lost on the 13th, D1 won on the 15th; D2 lost on the 11th
    const Json late =
        Ok([&](Connection& c) { return analytics_->WinLoss(c, tenant_.admin, closed_late); });
    EXPECT_EQ(late["won"]["count"], 1);
    EXPECT_EQ(late["lost"]["count"], 1);
    EXPECT_EQ(late["win_rate"], "0.5000");

    const Json mine = Ok([&](Connection& c) { return analytics_->WinLoss(c, u3_, {}); });
    EXPECT_EQ(mine["won"]["count"], 0);
    EXPECT_EQ(mine["lost"]["count"], 0);
}

TEST_P(SalesAnalyticsTest, ForecastMonthAndQuarter) {
    BuildScenario();
    const Json m =
        Ok([&](Connection& c) { return analytics_->Forecast(c, tenant_.admin, {}, "month"); });
    ASSERT_EQ(m["periods"].size(), 2u);
    const Json& nov = m["periods"][0];
    EXPECT_EQ(nov["period"], "2026-11");
    EXPECT_EQ(nov["weighted"], Json({{"RUB", "100.00"}}));  // D3 200.00 x 50%
    EXPECT_EQ(nov["actual"], Json({{"RUB", "1400.00"}}));   // D1 + D7
    EXPECT_EQ(nov["best_case"], Json({{"RUB", "1600.00"}}));
    EXPECT_EQ(nov["run_rate"], Json({{"RUB", "33.33"}}));  // D6 100.00 over Aug..Oct / 3
    const Json& dec = m["periods"][1];
    EXPECT_EQ(dec["period"], "2026-12");
    EXPECT_EQ(dec["weighted"], Json({{"RUB", "30.00"}}));  // 300.05 x 10% = 30.005 -> 30.00
    EXPECT_EQ(dec["actual"], Json::object());
    EXPECT_EQ(dec["best_case"], Json({{"RUB", "300.05"}}));

    const Json q =
        Ok([&](Connection& c) { return analytics_->Forecast(c, tenant_.admin, {}, "quarter"); });
    EXPECT_EQ(q["periods"][0]["period"], "2026-Q4");
    // (200.00 x 50 + 300.05 x 10) / 100 = 130.005 -> 130.00 (half to even on the total)
    EXPECT_EQ(q["periods"][0]["weighted"], Json({{"RUB", "130.00"}}));
    EXPECT_EQ(q["periods"][0]["actual"], Json({{"RUB", "1500.00"}}));
    EXPECT_EQ(q["periods"][0]["run_rate"], Json::object());

    const Json u3 = Ok([&](Connection& c) { return analytics_->Forecast(c, u3_, {}, "month"); });
    EXPECT_EQ(u3["periods"][0]["weighted"], Json::object());
    EXPECT_EQ(u3["periods"][1]["weighted"], Json({{"RUB", "30.00"}}));
    ExpectField(
        Fails([&](Connection& c) { return analytics_->Forecast(c, tenant_.admin, {}, "week"); }),
        "period"
    );
}

TEST_P(SalesAnalyticsTest, PlanFactForUsersAndTeams) {
    BuildScenario();
    Create(
        tenant_.admin,
        "sales_plans",
        {{"period", "2026-11"},
         {"owner_id", u1_.user_id},
         {"amount", "2000.00"},
         {"currency", "RUB"}}
    );
    const Json team_plan = Create(
        manager_, "sales_plans", {{"period", "2026-11"}, {"team_id", team_}, {"amount", "1500.00"}}
    );
    EXPECT_TRUE(team_plan["owner_id"].is_null()) << team_plan.dump();
    EXPECT_EQ(team_plan["currency"], "RUB");

    // A `user` may not write plans; a plan names a user or a team, not both, in a valid month.
    auto denied = Write([&](Connection& tx) {
        return records_->Create(
            tx, u1_, "sales_plans", {{"period", "2026-11"}, {"amount", "1.00"}}
        );
    });
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, ErrorCode::kForbidden);
    auto both = Write([&](Connection& tx) {
        return records_->Create(
            tx,
            tenant_.admin,
            "sales_plans",
            {{"period", "2026-11"},
             {"owner_id", u2_.user_id},
             {"team_id", team_},
             {"amount", "1.00"}}
        );
    });
    ASSERT_FALSE(both);
    ExpectField(both.error(), "team_id");
    auto month = Write([&](Connection& tx) {
        return records_->Create(
            tx, tenant_.admin, "sales_plans", {{"period", "2026-13"}, {"amount", "1.00"}}
        );
    });
    ASSERT_FALSE(month);
    ExpectField(month.error(), "period");

    const Json pf =
        Ok([&](Connection& c) { return analytics_->PlanFact(c, tenant_.admin, {}, "2026-11"); });
    ASSERT_EQ(pf["rows"].size(), 2u) << pf.dump();
    for (const Json& row : pf["rows"]) {
        EXPECT_EQ(row["fact"], Json({{"RUB", "1000.00"}})) << row.dump();
        if (row.contains("owner_id")) {
            EXPECT_EQ(row["owner_id"], u1_.user_id);
            EXPECT_EQ(row["plan"], Json({{"RUB", "2000.00"}}));
            EXPECT_EQ(row["percent"], "50.00");
        } else {
            EXPECT_EQ(row["team_id"], team_);
            EXPECT_EQ(row["name"], "Team");
            EXPECT_EQ(row["percent"], "66.67");
        }
    }
    // u1 sees its own plan; u3 none; another month has no plans.
    const Json own = Ok([&](Connection& c) { return analytics_->PlanFact(c, u1_, {}, "2026-11"); });
    ASSERT_EQ(own["rows"].size(), 1u);
    EXPECT_EQ(own["rows"][0]["owner_id"], u1_.user_id);
    EXPECT_EQ(
        Ok([&](Connection& c) { return analytics_->PlanFact(c, u3_, {}, "2026-11"); })["rows"].size(
        ),
        0u
    );
    EXPECT_EQ(
        Ok([&](Connection& c) { return analytics_->PlanFact(c, tenant_.admin, {}, "2026-10"); }
        )["rows"]
            .size(),
        0u
    );
    ExpectField(
        Fails([&](Connection& c) { return analytics_->PlanFact(c, tenant_.admin, {}, "2026-1"); }),
        "period"
    );
}

TEST_P(SalesAnalyticsTest, SourcesBySourceAndCampaign) {
    BuildScenario();
    const Json s =
        Ok([&](Connection& c) { return analytics_->Sources(c, tenant_.admin, {}, "source"); });
    std::map<std::string, Json> by;
    for (const Json& row : s["rows"]) {
        by[row["source"].is_null() ? "" : row["source"].get<std::string>()] = row;
    }
    ASSERT_TRUE(by.contains("web_form")) << s.dump();
    const Json& web = by["web_form"];
    EXPECT_EQ(web["leads"], 2);
    EXPECT_EQ(web["converted"], 1);
    EXPECT_EQ(web["conversion"], "0.5000");
    EXPECT_EQ(web["deals_won"], 2);  // D1 and D7 (converted from L1)
    EXPECT_EQ(web["revenue"], Json({{"RUB", "1400.00"}}));
    EXPECT_EQ(web["cost"], Json({{"RUB", "300.00"}}));
    EXPECT_EQ(web["cost_per_lead"], Json({{"RUB", "150.00"}}));
    EXPECT_EQ(web["cost_per_acquisition"], Json({{"RUB", "150.00"}}));
    EXPECT_EQ(web["roi"], Json({{"RUB", "3.6667"}}));
    const Json& call = by["call"];
    EXPECT_EQ(call["leads"], 1);
    EXPECT_EQ(call["deals_won"], 0);
    EXPECT_EQ(call["roi"], Json({{"RUB", "-1.0000"}}));
    EXPECT_EQ(call["cost_per_acquisition"], Json::object());
    EXPECT_TRUE(by["referral"]["roi"].is_null());
    EXPECT_EQ(by["referral"]["revenue"], Json({{"RUB", "100.00"}}));

    const Json camp =
        Ok([&](Connection& c) { return analytics_->Sources(c, tenant_.admin, {}, "campaign"); });
    bool found = false;
    for (const Json& row : camp["rows"]) {
        if (row["campaign"] == "autumn") {
            found = true;
            EXPECT_EQ(row["leads"], 2);
            EXPECT_EQ(row["deals_won"], 1);
            EXPECT_EQ(row["revenue"], Json({{"RUB", "400.00"}}));
            EXPECT_EQ(row["roi"], Json({{"RUB", "0.3333"}}));
        }
    }
    EXPECT_TRUE(found) << camp.dump();

    // u1 owns no leads and sees only its team's deals: no leads, D1 won for web_form.
    const Json u1 = Ok([&](Connection& c) { return analytics_->Sources(c, u1_, {}, "source"); });
    for (const Json& row : u1["rows"]) {
        EXPECT_EQ(row["leads"], 0) << row.dump();
        if (row["source"] == "web_form") {
            EXPECT_EQ(row["revenue"], Json({{"RUB", "1000.00"}}));
        }
    }
    ExpectField(
        Fails([&](Connection& c) { return analytics_->Sources(c, tenant_.admin, {}, "owner"); }),
        "group_by"
    );
}

TEST_P(SalesAnalyticsTest, ReportBuilderGroupsAndAggregatesWithinScope) {
    BuildScenario();
    ReportQuery q;
    q.entity = "deals";
    q.group_by = {"owner_id"};
    q.aggregates = {
        "count", "sum:amount", "avg:amount", "min:amount", "max:amount", "sum:probability"};
    q.filters = {{"pipeline_id", "eq", sales_pipeline_["id"].get<std::string>()}};
    const Json r = Ok([&](Connection& c) { return analytics_->Report(c, tenant_.admin, {}, q); });
    EXPECT_EQ(
        r["columns"],
        Json::array(
            {"owner_id",
             "count",
             "sum:amount",
             "avg:amount",
             "min:amount",
             "max:amount",
             "sum:probability"}
        )
    );
    std::map<std::string, Json> by;
    for (const Json& row : r["rows"]) {
        by[row["owner_id"].get<std::string>()] = row;
    }
    ASSERT_EQ(by.size(), 4u) << r.dump();
    const Json& u1 = by[u1_.user_id];
    EXPECT_EQ(u1["count"], 2);
    EXPECT_EQ(u1["sum:amount"], Json({{"RUB", "1500.00"}}));
    EXPECT_EQ(u1["avg:amount"], Json({{"RUB", "750.00"}}));
    EXPECT_EQ(u1["min:amount"], Json({{"RUB", "500.00"}}));
    EXPECT_EQ(u1["max:amount"], Json({{"RUB", "1000.00"}}));
    EXPECT_EQ(u1["sum:probability"], 100);  // won 100 + lost 0
    EXPECT_EQ(by[tenant_.admin.user_id]["sum:amount"], Json({{"USD", "100.00"}}));
    EXPECT_EQ(
        u1["drilldown"],
        "/api/v1/deals?filter[pipeline_id]=" + sales_pipeline_["id"].get<std::string>() +
            "&filter[owner_id]=" + u1_.user_id
    );

    ReportQuery two = q;
    two.group_by = {"owner_id", "status"};
    two.aggregates = {"count"};
    const Json scoped = Ok([&](Connection& c) { return analytics_->Report(c, u1_, {}, two); });
    int64_t total = 0;
    for (const Json& row : scoped["rows"]) {
        EXPECT_TRUE(row["owner_id"] == u1_.user_id || row["owner_id"] == u2_.user_id) << row.dump();
        total += row["count"].get<int64_t>();
    }
    EXPECT_EQ(total, 3);

    const TestTenant other = TestTenant::Create(db(), "Other company");
    ReportQuery all = q;
    all.filters.clear();
    EXPECT_EQ(
        Ok([&](Connection& c) { return analytics_->Report(c, other.admin, {}, all); })["rows"].size(
        ),
        0u
    );

    ReportQuery bad = q;
    bad.group_by = {"owner_id", "stage_id", "status"};
    ExpectField(
        Fails([&](Connection& c) { return analytics_->Report(c, tenant_.admin, {}, bad); }),
        "group_by"
    );
    bad = q;
    bad.aggregates = {"sum:title"};
    ExpectField(
        Fails([&](Connection& c) { return analytics_->Report(c, tenant_.admin, {}, bad); }),
        "aggregate"
    );
    bad = q;
    bad.filters = {{"nope", "eq", "x"}};
    ExpectField(
        Fails([&](Connection& c) { return analytics_->Report(c, tenant_.admin, {}, bad); }),
        "filter[nope]"
    );
    bad = q;
    bad.entity = "nothing";
    ExpectField(
        Fails([&](Connection& c) { return analytics_->Report(c, tenant_.admin, {}, bad); }),
        "entity"
    );
}

TEST_P(SalesAnalyticsTest, SavedReportsRunForOwnerAndSharedTeam) {
    const Json def = {{"entity", "deals"}, {"group_by", {"status"}}, {"aggregate", {"count"}}};
    const Json report = Create(
        tenant_.admin,
        "reports",
        {{"name", "By status"}, {"definition", def}, {"shared_team_id", team_}}
    );
    const std::string id = report["id"].get<std::string>();
    EXPECT_EQ(
        Ok([&](Connection& c) { return analytics_->SavedReport(c, tenant_.admin, id); }), def
    );
    EXPECT_EQ(Ok([&](Connection& c) { return analytics_->SavedReport(c, u1_, id); }), def);
    EXPECT_EQ(
        Fails([&](Connection& c) { return analytics_->SavedReport(c, u3_, id); }).code,
        ErrorCode::kNotFound
    );
    const TestTenant other = TestTenant::Create(db(), "Other company");
    EXPECT_EQ(
        Fails([&](Connection& c) { return analytics_->SavedReport(c, other.admin, id); }).code,
        ErrorCode::kNotFound
    );
    auto bad = Write([&](Connection& tx) {
        return records_->Create(
            tx,
            tenant_.admin,
            "reports",
            {{"name", "x"}, {"definition", {{"entity", "deals"}, {"aggregate", {"drop table"}}}}}
        );
    });
    ASSERT_FALSE(bad);
    ExpectField(bad.error(), "definition");
}

TEST_P(SalesAnalyticsTest, CampaignCostsAreWrittenByManagersOnly) {
    auto denied = Write([&](Connection& tx) {
        return records_->Create(
            tx,
            u1_,
            "campaign_costs",
            {{"source", "call"}, {"period", "2026-11"}, {"amount", "1.00"}}
        );
    });
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, ErrorCode::kForbidden);
    const Json cost = Create(
        manager_, "campaign_costs", {{"source", "call"}, {"period", "2026-11"}, {"amount", "1.00"}}
    );
    auto edit = Write([&](Connection& tx) {
        return records_->Update(
            tx,
            u1_,
            "campaign_costs",
            cost["id"].get<std::string>(),
            {{"amount", "2.00"}},
            std::nullopt
        );
    });
    ASSERT_FALSE(edit);
    EXPECT_EQ(edit.error().code, ErrorCode::kForbidden);
    auto removed = db().Write([&](Connection& tx) {
        return records_->Delete(
            tx, u1_, "campaign_costs", cost["id"].get<std::string>(), std::nullopt
        );
    });
    ASSERT_FALSE(removed);
    EXPECT_EQ(removed.error().code, ErrorCode::kForbidden);
}

TEST_P(SalesAnalyticsTest, RoutesExportCsvAndXlsxWithAuditEntry) {
    BuildScenario();
    http::Router router;
    std::vector<std::pair<std::string, Json>> audited;
    records::EntityRegistry registry;
    sales::RegisterSalesEntities(registry);
    sales::RegisterOperationalEntities(registry, clock_);
    records::RecordService records(db(), registry, clock_);
    RegisterSalesAnalytics(
        router,
        registry,
        records,
        clock_,
        [&](const RequestContext& ctx, std::string_view action, const Json& detail) {
            EXPECT_EQ(ctx.user_id, tenant_.admin.user_id);
            audited.emplace_back(std::string(action), detail);
        }
    );
    router.SetAuthenticator(
        [&](const http::Request& req, http::Policy) -> core::Result<RequestContext> {
            if (req.Header("authorization") == "admin") {
                RequestContext ctx = tenant_.admin;
                ctx.auth = access::AuthKind::kToken;
                return ctx;
            }
            return core::Error::Unauthenticated();
        }
    );
    auto get = [&](const std::string& target, bool authenticated = true) {
        http::Request req;
        req.method = "GET";
        req.target = target;
        const size_t q = target.find('?');
        req.path = target.substr(0, q);
        if (q != std::string::npos) {
            for (const std::string& pair : {target.substr(q + 1)}) {
                size_t start = 0;
                while (start < pair.size()) {
                    size_t amp = pair.find('&', start);
                    if (amp == std::string::npos) {
                        amp = pair.size();
                    }
                    const std::string kv = pair.substr(start, amp - start);
                    const size_t eq = kv.find('=');
                    req.query.emplace_back(
                        kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1)
                    );
                    start = amp + 1;
                }
            }
        }
        if (authenticated) {
            req.headers["authorization"] = "admin";
        }
        return router.Dispatch(req);
    };
    const std::string pipeline = sales_pipeline_["id"].get<std::string>();
    http::Response csv = get("/api/v1/analytics/funnel?pipeline_id=" + pipeline + "&format=csv");
    ASSERT_EQ(csv.status, 200) << csv.body;
    EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
    EXPECT_TRUE(csv.body.starts_with(
        "stage_id,name,kind,position,reached,current,conversion_to_next,drop_off,drilldown\r\n"
    )) << csv.body;
    EXPECT_NE(csv.body.find(",New,open,0,5,1,0.6000,2,"), std::string::npos) << csv.body;
    ASSERT_EQ(audited.size(), 1u);
    EXPECT_EQ(audited[0].first, "export");
    EXPECT_EQ(audited[0].second["report"], "funnel");
    EXPECT_EQ(audited[0].second["rows"], 4);

    http::Response xlsx = get("/api/v1/analytics/win-loss?format=xlsx");
    ASSERT_EQ(xlsx.status, 200) << xlsx.body;
    EXPECT_TRUE(xlsx.body.starts_with("PK"));
    bool attachment = false;
    for (const auto& [name, value] : xlsx.headers) {
        attachment |= name == "Content-Disposition" &&
                      value == "attachment; filename=\"voronka-win-loss.xlsx\"";
    }
    EXPECT_TRUE(attachment);
    EXPECT_EQ(audited.size(), 2u);

    http::Response json =
        get("/api/v1/analytics/"
            "report?entity=deals&group_by=status&aggregate=count&filter[pipeline_id]=" +
            pipeline);
    ASSERT_EQ(json.status, 200) << json.body;
    EXPECT_EQ(Json::parse(json.body)["rows"].size(), 3u);
    EXPECT_EQ(audited.size(), 2u);

    EXPECT_EQ(get("/api/v1/analytics/forecast?period=week").status, 400);
    EXPECT_EQ(get("/api/v1/analytics/sources?bogus=1").status, 400);
    EXPECT_EQ(get("/api/v1/analytics/win-loss?format=pdf").status, 400);
    EXPECT_EQ(get("/api/v1/analytics/win-loss", false).status, 401);
    EXPECT_EQ(audited.size(), 2u);
}

VORONKA_INSTANTIATE_BACKENDS(SalesAnalyticsTest);

}  // namespace
}  // namespace voronka::analytics
