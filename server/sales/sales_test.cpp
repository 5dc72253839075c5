#include <gtest/gtest.h>

#include "http/url.hpp"
#include "records/test_support.hpp"
#include "sales/sales_entities.hpp"
#include "sales/sales_routes.hpp"
#include "sales/sales_service.hpp"

namespace voronka::sales {
namespace {

using core::ErrorCode;
using records::Record;
using records::testing::TestTenant;
using storage::Connection;

constexpr int64_t kMinute = 60'000'000;

class SalesTest : public storage::BackendTest {
protected:
    void SetUp() override {
        storage::BackendTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        RegisterSalesEntities(registry_);
        RegisterOperationalEntities(registry_, clock_);
        records_ = std::make_unique<records::RecordService>(db(), registry_, clock_);
        sales_ = std::make_unique<SalesService>(*records_, clock_);
        tenant_ = TestTenant::Create(db(), "Acme");
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

    core::Result<Record> Create(
        const access::RequestContext& ctx, const std::string& entity, const Json& body
    ) {
        return Write([&](Connection& tx) { return records_->Create(tx, ctx, entity, body); });
    }

    core::Result<Record> Update(
        const access::RequestContext& ctx,
        const std::string& entity,
        const std::string& id,
        const Json& body,
        std::optional<int64_t> if_match = {}
    ) {
        return Write([&](Connection& tx) {
            return records_->Update(tx, ctx, entity, id, body, if_match);
        });
    }

    core::Result<Record> Get(
        const access::RequestContext& ctx, const std::string& entity, const std::string& id
    ) {
        return Read([&](Connection& c) { return records_->Get(c, ctx, entity, id); });
    }

    int64_t Count(const std::string& sql, std::vector<storage::Value> params) {
        auto rows = Read([&](Connection& c) { return c.Query(sql, params); });
        return rows ? storage::AsInt(rows->rows[0][0]) : -1;
    }

    int64_t CountOf(const std::string& table) {
        return Count(
            "SELECT COUNT(*) FROM " + table + " WHERE tenant_id = $1 AND deleted_at IS NULL",
            {tenant_.id}
        );
    }

    // A pipeline "Sales" with stages New (open 10), Offer (open 50), Won, Lost.
    Json MakePipeline(const std::string& name = "Sales") {
        auto p = Write([&](Connection& tx) {
            return sales_->CreatePipeline(
                tx,
                tenant_.admin,
                {{"name", name},
                 {"stages",
                  {{{"name", "New"}, {"probability", 10}},
                   {{"name", "Offer"}, {"probability", 50}, {"kind", "open"}},
                   {{"name", "Won"}, {"kind", "won"}},
                   {{"name", "Lost"}, {"kind", "lost"}}}}}
            );
        });
        EXPECT_TRUE(p) << storage::Describe(p.error());
        return p ? *p : Json();
    }

    static std::string StageId(const Json& pipeline, size_t i) {
        return pipeline["stages"][i]["id"];
    }

    std::string MakeDeal(
        const access::RequestContext& ctx, const Json& pipeline, Json extra = Json::object()
    ) {
        Json body = {
            {"title", "Deal"}, {"pipeline_id", pipeline["id"]}, {"stage_id", StageId(pipeline, 0)}};
        body.update(extra);
        auto d = Create(ctx, "deals", body);
        EXPECT_TRUE(d) << storage::Describe(d.error());
        return d ? d->body["id"].get<std::string>() : "";
    }

    static void ExpectField(const core::Error& e, ErrorCode code, const std::string& field) {
        EXPECT_EQ(e.code, code) << e.message;
        ASSERT_FALSE(e.fields.empty()) << e.message;
        EXPECT_EQ(e.fields[0].field, field) << e.fields[0].message;
    }

    core::ManualClock clock_{1'800'000'000'000'000};  // 2027-01-15T08:00:00Z
    records::EntityRegistry registry_;
    std::unique_ptr<records::RecordService> records_;
    std::unique_ptr<SalesService> sales_;
    TestTenant tenant_;
};

TEST_P(SalesTest, PipelineCreateReturnsStagesWithIdsInOrder) {
    const Json p = MakePipeline();
    ASSERT_TRUE(p.is_object());
    ASSERT_EQ(p["stages"].size(), 4u);
    for (size_t i = 0; i < 4; ++i) {
        EXPECT_TRUE(core::IsIdShaped(p["stages"][i]["id"].get<std::string>()));
        EXPECT_EQ(p["stages"][i]["position"], static_cast<int64_t>(i));
        EXPECT_EQ(p["stages"][i]["pipeline_id"], p["id"]);
    }
    EXPECT_EQ(p["stages"][0]["probability"], 10);
    EXPECT_EQ(p["stages"][2]["kind"], "won");
    EXPECT_EQ(p["stages"][2]["probability"], 100);
    EXPECT_EQ(p["stages"][3]["probability"], 0);

    auto got = Read([&](Connection& c) { return sales_->GetPipeline(c, tenant_.admin, p["id"]); });
    ASSERT_TRUE(got);
    EXPECT_EQ((*got)["stages"], p["stages"]);
    auto list = Read([&](Connection& c) { return sales_->ListPipelines(c, tenant_.admin, false); });
    ASSERT_TRUE(list);
    ASSERT_EQ((*list)["data"].size(), 1u);
    EXPECT_EQ((*list)["data"][0]["stages"].size(), 4u);

    // A stage error names its place in the list, and nothing is written.
    auto bad = Write([&](Connection& tx) {
        return sales_->CreatePipeline(
            tx,
            tenant_.admin,
            {{"name", "Broken"},
             {"stages", {{{"name", "A"}}, {{"name", "B"}, {"probability", 140}}}}}
        );
    });
    ASSERT_FALSE(bad);
    ExpectField(bad.error(), ErrorCode::kInvalid, "stages[1].probability");
    EXPECT_EQ(CountOf("pipelines"), 1);

    // Pipelines are configuration: a plain user may not create them.
    auto user = tenant_.AddUser(db(), "user", "");
    auto denied = Write([&](Connection& tx) {
        return sales_->CreatePipeline(tx, user, {{"name", "Mine"}, {"stages", {{{"name", "A"}}}}});
    });
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, ErrorCode::kForbidden);
}

TEST_P(SalesTest, DealStageMustBelongToItsPipeline) {
    const Json a = MakePipeline("A");
    const Json b = MakePipeline("B");
    auto wrong = Create(
        tenant_.admin,
        "deals",
        {{"title", "X"}, {"pipeline_id", a["id"]}, {"stage_id", StageId(b, 0)}}
    );
    ASSERT_FALSE(wrong);
    ExpectField(wrong.error(), ErrorCode::kInvalid, "stage_id");
    EXPECT_EQ(CountOf("deals"), 0);
    EXPECT_EQ(
        Count(
            "SELECT COUNT(*) FROM events WHERE tenant_id = $1 AND entity = 'deals'", {tenant_.id}
        ),
        0
    );

    // Only the stage given: the pipeline follows from it. Only the pipeline: its first open stage.
    auto by_stage = Create(tenant_.admin, "deals", {{"title", "Y"}, {"stage_id", StageId(b, 1)}});
    ASSERT_TRUE(by_stage) << storage::Describe(by_stage.error());
    EXPECT_EQ(by_stage->body["pipeline_id"], b["id"]);
    EXPECT_EQ(by_stage->body["probability"], 50);
    EXPECT_EQ(by_stage->body["status"], "open");
    auto by_pipeline = Create(
        tenant_.admin, "deals", {{"title", "Z"}, {"pipeline_id", b["id"]}, {"amount", "1500.50"}}
    );
    ASSERT_TRUE(by_pipeline) << storage::Describe(by_pipeline.error());
    EXPECT_EQ(by_pipeline->body["stage_id"], StageId(b, 0));
    EXPECT_EQ(by_pipeline->body["amount"], "1500.50");
    EXPECT_EQ(by_pipeline->body["currency"], "RUB");  // the tenant's default

    auto moved =
        Update(tenant_.admin, "deals", by_stage->body["id"], {{"stage_id", StageId(a, 0)}});
    ASSERT_FALSE(moved);
    ExpectField(moved.error(), ErrorCode::kInvalid, "stage_id");
}

TEST_P(SalesTest, LostNeedsAReasonAndClosingSetsTimes) {
    const Json p = MakePipeline();
    const std::string id = MakeDeal(tenant_.admin, p, {{"probability", 25}});
    EXPECT_EQ(Get(tenant_.admin, "deals", id)->body["probability"], 25);  // overrides the stage's

    clock_.Advance(kMinute);
    auto lost = Update(tenant_.admin, "deals", id, {{"stage_id", StageId(p, 3)}}, 1);
    ASSERT_FALSE(lost);
    ExpectField(lost.error(), ErrorCode::kInvalid, "loss_reason");
    auto unchanged = Get(tenant_.admin, "deals", id);
    EXPECT_EQ(unchanged->version, 1);
    EXPECT_EQ(unchanged->body["stage_id"], StageId(p, 0));
    EXPECT_EQ(
        Count(
            "SELECT COUNT(*) FROM events WHERE tenant_id = $1 AND record_id = $2", {tenant_.id, id}
        ),
        1
    );

    auto with_reason = Update(
        tenant_.admin,
        "deals",
        id,
        {{"stage_id", StageId(p, 3)}, {"loss_reason", "Too expensive"}},
        1
    );
    ASSERT_TRUE(with_reason) << storage::Describe(with_reason.error());
    EXPECT_EQ(with_reason->body["status"], "lost");
    EXPECT_EQ(with_reason->body["probability"], 0);
    EXPECT_EQ(with_reason->body["lost_at"], core::FormatTimestamp(clock_.NowMicros()));
    EXPECT_EQ(with_reason->body["closed_at"], with_reason->body["lost_at"]);
    EXPECT_TRUE(with_reason->body["won_at"].is_null());

    clock_.Advance(kMinute);
    auto won = Update(tenant_.admin, "deals", id, {{"stage_id", StageId(p, 2)}});
    ASSERT_TRUE(won);
    EXPECT_EQ(won->body["status"], "won");
    EXPECT_EQ(won->body["won_at"], core::FormatTimestamp(clock_.NowMicros()));
    EXPECT_TRUE(won->body["lost_at"].is_null());
    auto read_only = Update(tenant_.admin, "deals", id, {{"won_at", "2020-01-01T00:00:00Z"}});
    ASSERT_FALSE(read_only);
    ExpectField(read_only.error(), ErrorCode::kInvalid, "won_at");
}

TEST_P(SalesTest, ConcurrentMovesWithIfMatchLoseNothing) {
    const Json p = MakePipeline();
    const std::string id = MakeDeal(tenant_.admin, p);
    auto first = Update(tenant_.admin, "deals", id, {{"stage_id", StageId(p, 1)}}, 1);
    ASSERT_TRUE(first);
    auto second = Update(tenant_.admin, "deals", id, {{"stage_id", StageId(p, 2)}}, 1);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, ErrorCode::kPrecondition);
    EXPECT_EQ(Get(tenant_.admin, "deals", id)->body["stage_id"], StageId(p, 1));
}

TEST_P(SalesTest, StageHistoryComesFromTheEventLog) {
    const Json p = MakePipeline();
    const std::string id = MakeDeal(tenant_.admin, p);
    clock_.Advance(kMinute);
    ASSERT_TRUE(Update(tenant_.admin, "deals", id, {{"title", "Renamed"}}));
    clock_.Advance(kMinute);
    ASSERT_TRUE(Update(tenant_.admin, "deals", id, {{"stage_id", StageId(p, 1)}}));
    clock_.Advance(kMinute);
    ASSERT_TRUE(Update(tenant_.admin, "deals", id, {{"stage_id", StageId(p, 2)}}));
    auto history = Read([&](Connection& c) { return sales_->StageHistory(c, tenant_.admin, id); });
    ASSERT_TRUE(history) << storage::Describe(history.error());
    const Json& data = (*history)["data"];
    ASSERT_EQ(data.size(), 3u);
    EXPECT_TRUE(data[0]["from_stage_id"].is_null());
    EXPECT_EQ(data[0]["to_stage_name"], "New");
    EXPECT_EQ(data[1]["from_stage_name"], "New");
    EXPECT_EQ(data[1]["to_stage_name"], "Offer");
    EXPECT_EQ(data[2]["to_stage_name"], "Won");
    EXPECT_EQ(data[2]["status"], "won");
    EXPECT_EQ(data[2]["version"], 4);
    EXPECT_EQ(data[2]["at"], core::FormatTimestamp(clock_.NowMicros()));
    EXPECT_EQ(data[2]["actor_id"], tenant_.admin.user_id);
}

TEST_P(SalesTest, ArchivingAStageWithDealsNeedsATarget) {
    const Json p = MakePipeline();
    const std::string id = MakeDeal(tenant_.admin, p);
    const std::string pid = p["id"];
    auto refused = Write([&](Connection& tx) {
        return sales_->UpdatePipeline(
            tx,
            tenant_.admin,
            pid,
            {{"stages", {{{"id", StageId(p, 0)}, {"archived", true}}}}},
            std::nullopt
        );
    });
    ASSERT_FALSE(refused);
    ExpectField(refused.error(), ErrorCode::kConflict, "stages[0].archived");
    auto direct = Update(tenant_.admin, "stages", StageId(p, 0), {{"archived", true}});
    ASSERT_FALSE(direct);
    EXPECT_EQ(direct.error().code, ErrorCode::kConflict);
    auto deleted = Write([&](Connection& tx) -> core::Result<bool> {
        VK_RETURN_IF_ERROR(
            sales_->DeleteStageOrPipeline(tx, tenant_.admin, "stages", StageId(p, 0), std::nullopt)
        );
        return true;
    });
    ASSERT_FALSE(deleted);
    EXPECT_EQ(deleted.error().code, ErrorCode::kConflict);

    // Rename + reorder (Offer first) + archive New moving its deal to Offer, in one call.
    auto updated = Write([&](Connection& tx) {
        return sales_->UpdatePipeline(
            tx,
            tenant_.admin,
            pid,
            {{"name", "Retail"},
             {"stages",
              {{{"id", StageId(p, 1)}, {"name", "Proposal"}},
               {{"id", StageId(p, 0)}, {"archived", true}, {"move_deals_to", StageId(p, 1)}},
               {{"name", "Negotiation"}, {"probability", 70}}}}},
            1
        );
    });
    ASSERT_TRUE(updated) << storage::Describe(updated.error());
    EXPECT_EQ((*updated)["name"], "Retail");
    const Json& stages = (*updated)["stages"];
    ASSERT_EQ(stages.size(), 5u);
    EXPECT_EQ(stages[0]["name"], "Proposal");
    EXPECT_EQ(stages[1]["id"], StageId(p, 0));
    EXPECT_EQ(stages[1]["archived"], true);
    EXPECT_EQ(stages[2]["name"], "Negotiation");
    EXPECT_EQ(stages[3]["name"], "Won");
    EXPECT_EQ(Get(tenant_.admin, "deals", id)->body["stage_id"], StageId(p, 1));
    auto active =
        Read([&](Connection& c) { return sales_->ListPipelines(c, tenant_.admin, false); });
    EXPECT_EQ((*active)["data"][0]["stages"].size(), 4u);

    auto stale = Write([&](Connection& tx) {
        return sales_->UpdatePipeline(tx, tenant_.admin, pid, {{"name", "Old"}}, 1);
    });
    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error().code, ErrorCode::kPrecondition);
}

TEST_P(SalesTest, DealLinesAreExactAndValidated) {
    const Json p = MakePipeline();
    const std::string deal = MakeDeal(tenant_.admin, p, {{"currency", "RUB"}});
    auto product =
        Create(tenant_.admin, "products", {{"name", "Widget"}, {"sku", "W-1"}, {"unit", "pcs"}});
    ASSERT_TRUE(product) << storage::Describe(product.error());
    const std::string product_id = product->body["id"];
    auto replace = [&](const Json& body, std::optional<int64_t> if_match = {}) {
        return Write([&](Connection& tx) {
            return sales_->ReplaceDealLines(tx, tenant_.admin, deal, body, if_match);
        });
    };

    struct Bad {
        Json line;
        std::string field;
    };

    const std::vector<Bad> bad = {
        {{{"name", "X"}, {"quantity", -1}, {"price", "10.00"}}, "lines[0].quantity"},
        {{{"name", "X"}, {"quantity", 0}, {"price", "10.00"}}, "lines[0].quantity"},
        {{{"name", "X"}, {"quantity", 1}, {"price", "10.00"}, {"currency", "USD"}},
         "lines[0].currency"},
        {{{"name", "X"}, {"quantity", 1}, {"price", "10.001"}}, "lines[0].price"},
        {{{"name", "X"}, {"quantity", 1}, {"price", "-1.00"}}, "lines[0].price"},
        {{{"name", "X"}, {"quantity", 1}, {"price", "1.00"}, {"discount_percent", 101}},
         "lines[0].discount_percent"},
        {{{"quantity", 1}, {"price", "1.00"}}, "lines[0].name"},
    };
    for (const auto& b : bad) {
        auto r = replace({{"lines", {b.line}}});
        ASSERT_FALSE(r) << b.line.dump();
        ExpectField(r.error(), ErrorCode::kInvalid, b.field);
    }
    EXPECT_EQ(CountOf("deal_lines"), 0);

    auto lines = replace(
        {{"set_amount", true},
         {"lines",
          {{{"product_id", product_id},
            {"quantity", 3},
            {"price", "33.33"},
            {"discount_percent", 10}},
           {{"name", "Service"},
            {"quantity", 1.5},
            {"price", "10.00"},
            {"discount_percent", 12.5},
            {"tax_percent", 10}}}}},
        1
    );
    ASSERT_TRUE(lines) << storage::Describe(lines.error());
    const Json& data = (*lines)["data"];
    ASSERT_EQ(data.size(), 2u);
    EXPECT_EQ(data[0]["name"], "Widget");
    EXPECT_EQ(data[0]["unit"], "pcs");
    EXPECT_EQ(data[0]["amount"], "89.99");  // 99.99 - 10% = 89.991, half-up per line
    EXPECT_EQ(data[1]["amount"], "13.13");  // 15.00 - 12.5% = 13.125
    EXPECT_EQ(data[1]["tax_amount"], "1.31");
    EXPECT_EQ(data[1]["total"], "14.44");
    EXPECT_EQ((*lines)["totals"]["total"], "104.43");
    auto deal_now = Get(tenant_.admin, "deals", deal);
    EXPECT_EQ(deal_now->body["amount"], "104.43");
    EXPECT_EQ(deal_now->body["amount_from_lines"], true);
    EXPECT_EQ((*lines)["deal_version"], deal_now->version);

    // Stale If-Match: nothing changes.
    auto stale = replace({{"lines", Json::array()}}, 1);
    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error().code, ErrorCode::kPrecondition);
    EXPECT_EQ(CountOf("deal_lines"), 2);

    // Keep the first line with a new quantity, drop the second; the deal amount follows.
    auto edited =
        replace({{"lines", {{{"id", data[0]["id"]}, {"quantity", 1}}}}}, deal_now->version);
    ASSERT_TRUE(edited) << storage::Describe(edited.error());
    EXPECT_EQ((*edited)["data"].size(), 1u);
    EXPECT_EQ((*edited)["totals"]["total"], "30.00");  // 33.33 - 10% = 29.997
    EXPECT_EQ(Get(tenant_.admin, "deals", deal)->body["amount"], "30.00");
    EXPECT_EQ(CountOf("deal_lines"), 1);
    EXPECT_EQ(
        Count(
            "SELECT COUNT(*) FROM events WHERE tenant_id = $1 AND entity = 'deal_lines'",
            {tenant_.id}
        ),
        4
    );

    // The deal's currency cannot change under its lines.
    auto currency = Update(tenant_.admin, "deals", deal, {{"currency", "USD"}});
    ASSERT_FALSE(currency);
    ExpectField(currency.error(), ErrorCode::kInvalid, "currency");
}

TEST_P(SalesTest, LinePricesComeFromAPriceList) {
    const Json p = MakePipeline();
    const std::string deal = MakeDeal(tenant_.admin, p, {{"currency", "RUB"}});
    auto product = Create(tenant_.admin, "products", {{"name", "Widget"}, {"sku", "W-1"}});
    ASSERT_TRUE(product);
    auto duplicate_sku = Create(tenant_.admin, "products", {{"name", "Other"}, {"sku", "W-1"}});
    ASSERT_FALSE(duplicate_sku);
    ExpectField(duplicate_sku.error(), ErrorCode::kConflict, "sku");
    auto retail = Create(tenant_.admin, "price_lists", {{"name", "Retail"}, {"currency", "RUB"}});
    auto usd = Create(
        tenant_.admin,
        "price_lists",
        {{"name", "Export"}, {"currency", "USD"}, {"kind", "wholesale"}}
    );
    ASSERT_TRUE(retail && usd);
    ASSERT_TRUE(Create(
        tenant_.admin,
        "prices",
        {{"price_list_id", retail->body["id"]},
         {"product_id", product->body["id"]},
         {"price", "1250.00"}}
    ));
    ASSERT_TRUE(Create(
        tenant_.admin,
        "prices",
        {{"price_list_id", usd->body["id"]},
         {"product_id", product->body["id"]},
         {"price", "15.00"}}
    ));
    auto twice = Create(
        tenant_.admin,
        "prices",
        {{"price_list_id", retail->body["id"]},
         {"product_id", product->body["id"]},
         {"price", "1.00"}}
    );
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, ErrorCode::kConflict);

    auto prices = Read([&](Connection& c) {
        return sales_->PriceListPrices(c, tenant_.admin, retail->body["id"]);
    });
    ASSERT_TRUE(prices) << storage::Describe(prices.error());
    ASSERT_EQ((*prices)["data"].size(), 1u);
    EXPECT_EQ((*prices)["data"][0]["price"], "1250.00");
    EXPECT_EQ((*prices)["data"][0]["product_name"], "Widget");

    auto line = Create(
        tenant_.admin,
        "deal_lines",
        {{"deal_id", deal},
         {"product_id", product->body["id"]},
         {"price_list_id", retail->body["id"]},
         {"quantity", 2}}
    );
    ASSERT_TRUE(line) << storage::Describe(line.error());
    EXPECT_EQ(line->body["price"], "1250.00");
    EXPECT_EQ(line->body["total"], "2500.00");
    auto mismatch = Create(
        tenant_.admin,
        "deal_lines",
        {{"deal_id", deal}, {"product_id", product->body["id"]}, {"price_list_id", usd->body["id"]}}
    );
    ASSERT_FALSE(mismatch);
    ExpectField(mismatch.error(), ErrorCode::kInvalid, "currency");
}

TEST_P(SalesTest, BoardCountsAndSumsPerCurrencyWithinScope) {
    const std::string team = tenant_.AddTeam(db());
    auto alice = tenant_.AddUser(db(), "user", team);
    auto bob = tenant_.AddUser(db(), "user", team);
    auto carol = tenant_.AddUser(db(), "user", "");
    const Json p = MakePipeline();
    MakeDeal(alice, p, {{"amount", "1000.50"}, {"currency", "RUB"}, {"tags", {"vip"}}});
    MakeDeal(bob, p, {{"amount", "2000.50"}, {"currency", "RUB"}});
    MakeDeal(bob, p, {{"amount", "10.00"}, {"currency", "USD"}, {"stage_id", StageId(p, 1)}});
    MakeDeal(carol, p, {{"amount", "500.00"}, {"currency", "RUB"}, {"tags", {"vip", "hot"}}});
    MakeDeal(tenant_.admin, p);  // no amount
    auto board = [&](const access::RequestContext& ctx, BoardQuery q = {}) {
        auto r = Read([&](Connection& c) { return sales_->Board(c, ctx, p["id"], q); });
        EXPECT_TRUE(r) << storage::Describe(r.error());
        return r ? *r : Json();
    };
    const Json all = board(tenant_.admin);
    ASSERT_EQ(all["stages"].size(), 4u);
    EXPECT_EQ(all["stages"][0]["count"], 4);
    EXPECT_EQ(all["stages"][0]["sums"], Json({{"RUB", "3501.00"}}));
    EXPECT_EQ(all["stages"][0]["cards"].size(), 4u);
    EXPECT_EQ(all["stages"][1]["count"], 1);
    EXPECT_EQ(all["stages"][1]["sums"], Json({{"USD", "10.00"}}));
    EXPECT_EQ(all["stages"][2]["count"], 0);
    EXPECT_EQ(all["stages"][2]["sums"], Json::object());

    // A user sees own and team deals only, in counts and sums as well as cards.
    const Json mine = board(alice);
    EXPECT_EQ(mine["stages"][0]["count"], 2);
    EXPECT_EQ(mine["stages"][0]["sums"], Json({{"RUB", "3001.00"}}));
    EXPECT_EQ(mine["stages"][0]["cards"].size(), 2u);
    EXPECT_EQ(mine["stages"][1]["count"], 1);
    const Json carols = board(carol);
    EXPECT_EQ(carols["stages"][0]["count"], 1);
    EXPECT_EQ(carols["stages"][0]["sums"], Json({{"RUB", "500.00"}}));
    EXPECT_EQ(carols["stages"][1]["count"], 0);

    BoardQuery vip;
    vip.tag = "vip";
    EXPECT_EQ(board(tenant_.admin, vip)["stages"][0]["count"], 2);
    EXPECT_EQ(board(alice, vip)["stages"][0]["count"], 1);
    BoardQuery by_owner;
    by_owner.owner_id = bob.user_id;
    by_owner.limit = 0;
    const Json bobs = board(tenant_.admin, by_owner);
    EXPECT_EQ(bobs["stages"][0]["count"], 1);
    EXPECT_TRUE(bobs["stages"][0]["cards"].empty());
    BoardQuery by_team;
    by_team.team_id = team;
    by_team.limit = 1;
    const Json teams = board(tenant_.admin, by_team);
    EXPECT_EQ(teams["stages"][0]["count"], 2);
    EXPECT_EQ(teams["stages"][0]["cards"].size(), 1u);
    BoardQuery too_many;
    too_many.limit = 1000;
    auto refused =
        Read([&](Connection& c) { return sales_->Board(c, tenant_.admin, p["id"], too_many); });
    ASSERT_FALSE(refused);
    ExpectField(refused.error(), ErrorCode::kInvalid, "limit");
}

TEST_P(SalesTest, ConvertCreatesContactCompanyAndDealAtomically) {
    const Json p = MakePipeline();
    auto lead = Create(
        tenant_.admin,
        "leads",
        {{"first_name", "Иван"},
         {"last_name", "Петров"},
         {"company_name", "ООО Ромашка"},
         {"phone", "8 915 123-45-67"},
         {"source", "web_form"}}
    );
    ASSERT_TRUE(lead) << storage::Describe(lead.error());
    const std::string lead_id = lead->body["id"];
    EXPECT_EQ(lead->body["status"], "new");
    EXPECT_EQ(lead->body["phone_e164"], "+79151234567");
    auto note = Create(
        tenant_.admin,
        "activities",
        {{"type", "note"},
         {"subject", "Called back"},
         {"related_entity", "leads"},
         {"related_id", lead_id}}
    );
    ASSERT_TRUE(note) << storage::Describe(note.error());

    // A failing conversion (stage of no pipeline given) writes nothing.
    auto failed = Write([&](Connection& tx) {
        return sales_->ConvertLead(
            tx,
            tenant_.admin,
            lead_id,
            {{"deal", {{"pipeline_id", p["id"]}, {"stage_id", core::NewId()}}}}
        );
    });
    ASSERT_FALSE(failed);
    ExpectField(failed.error(), ErrorCode::kInvalid, "deal.stage_id");
    EXPECT_EQ(CountOf("contacts"), 0);
    EXPECT_EQ(CountOf("companies"), 0);
    EXPECT_EQ(CountOf("deals"), 0);
    EXPECT_EQ(Get(tenant_.admin, "leads", lead_id)->body["status"], "new");

    auto converted = Write([&](Connection& tx) {
        return sales_->ConvertLead(
            tx,
            tenant_.admin,
            lead_id,
            {{"deal",
              {{"pipeline_id", p["id"]}, {"stage_id", StageId(p, 1)}, {"amount", "1500.50"}}}}
        );
    });
    ASSERT_TRUE(converted) << storage::Describe(converted.error());
    const std::string contact_id = (*converted)["contact_id"];
    const std::string company_id = (*converted)["company_id"];
    const std::string deal_id = (*converted)["deal_id"];
    auto contact = Get(tenant_.admin, "contacts", contact_id);
    ASSERT_TRUE(contact);
    EXPECT_EQ(contact->body["last_name"], "Петров");
    EXPECT_EQ(contact->body["company_id"], company_id);
    EXPECT_EQ(contact->body["phone_e164"], "+79151234567");
    EXPECT_EQ(Get(tenant_.admin, "companies", company_id)->body["name"], "ООО Ромашка");
    auto deal = Get(tenant_.admin, "deals", deal_id);
    EXPECT_EQ(deal->body["title"], "ООО Ромашка");
    EXPECT_EQ(deal->body["contact_id"], contact_id);
    EXPECT_EQ(deal->body["amount"], "1500.50");
    EXPECT_EQ(deal->body["source"], "web_form");
    auto after = Get(tenant_.admin, "leads", lead_id);
    EXPECT_EQ(after->body["status"], "converted");
    EXPECT_EQ(after->body["converted_contact_id"], contact_id);
    EXPECT_EQ(after->body["converted_deal_id"], deal_id);

    // The lead's activity and history show on the new contact's timeline.
    auto timeline = Read([&](Connection& c) {
        return sales_->Timeline(c, tenant_.admin, "contacts", contact_id, {});
    });
    ASSERT_TRUE(timeline) << storage::Describe(timeline.error());
    bool saw_note = false;
    bool saw_conversion = false;
    for (const auto& item : (*timeline)["data"]) {
        saw_note |= item["kind"] == "activity" && item["activity"]["id"] == note->body["id"];
        saw_conversion |= item["kind"] == "change" && item["entity"] == "leads" &&
                          item["changes"].contains("status");
    }
    EXPECT_TRUE(saw_note);
    EXPECT_TRUE(saw_conversion);

    auto again = Write([&](Connection& tx) {
        return sales_->ConvertLead(tx, tenant_.admin, lead_id, Json::object());
    });
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kConflict);
    auto by_hand = Update(tenant_.admin, "leads", lead_id, {{"status", "new"}});
    ASSERT_FALSE(by_hand);
    ExpectField(by_hand.error(), ErrorCode::kInvalid, "status");

    // Existing contact and company are reused; no company is made without a name.
    auto lead2 = Create(tenant_.admin, "leads", {{"email", "x@example.com"}});
    ASSERT_TRUE(lead2);
    auto reuse = Write([&](Connection& tx) {
        return sales_->ConvertLead(
            tx, tenant_.admin, lead2->body["id"], {{"contact_id", contact_id}}
        );
    });
    ASSERT_TRUE(reuse) << storage::Describe(reuse.error());
    EXPECT_EQ((*reuse)["contact_id"], contact_id);
    EXPECT_TRUE((*reuse)["company_id"].is_null());
    // No funnel named: the deal opens in the first open stage of the first pipeline.
    ASSERT_TRUE((*reuse)["deal_id"].is_string()) << reuse->dump();
    auto opened = Get(tenant_.admin, "deals", (*reuse)["deal_id"].get<std::string>());
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->body["status"], "open");
    EXPECT_EQ(opened->body["contact_id"], contact_id);
    EXPECT_EQ(CountOf("contacts"), 1);

    // "deal": null converts without a deal.
    auto lead3 = Create(tenant_.admin, "leads", {{"email", "y@example.com"}});
    ASSERT_TRUE(lead3);
    auto no_deal = Write([&](Connection& tx) {
        return sales_->ConvertLead(
            tx, tenant_.admin, lead3->body["id"], {{"contact_id", contact_id}, {"deal", nullptr}}
        );
    });
    ASSERT_TRUE(no_deal) << storage::Describe(no_deal.error());
    EXPECT_TRUE((*no_deal)["deal_id"].is_null());
}

TEST_P(SalesTest, RoundRobinAssignsInTurnWithAFirstTask) {
    auto u1 = tenant_.AddUser(db(), "user", "");
    auto u2 = tenant_.AddUser(db(), "user", "");
    auto rule = Create(
        tenant_.admin,
        "distribution_rules",
        {{"name", "Web leads"},
         {"entity", "leads"},
         {"conditions", {{"source", {"web_form", "messenger"}}}},
         {"user_ids", {u1.user_id, u2.user_id}},
         {"first_task_minutes", 15}}
    );
    ASSERT_TRUE(rule) << storage::Describe(rule.error());
    auto create = [&](const Json& body) {
        return Write([&](Connection& tx) {
            return sales_->CreateWithDistribution(tx, tenant_.admin, "leads", body);
        });
    };
    std::vector<std::string> owners;
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) {
        auto lead = create({{"first_name", "Lead " + std::to_string(i)}, {"source", "web_form"}});
        ASSERT_TRUE(lead) << storage::Describe(lead.error());
        owners.push_back(lead->body["owner_id"]);
        ids.push_back(lead->body["id"]);
    }
    EXPECT_EQ(owners, (std::vector<std::string>{u1.user_id, u2.user_id, u1.user_id}));
    auto tasks = Read([&](Connection& c) {
        return c.Query(
            "SELECT related_id, assignee_id, due_at, type FROM activities WHERE tenant_id = $1 "
            "ORDER BY created_at, id",
            {tenant_.id}
        );
    });
    ASSERT_TRUE(tasks);
    ASSERT_EQ(tasks->size(), 3u);
    EXPECT_EQ(storage::AsText(tasks->rows[1][0]), ids[1]);
    EXPECT_EQ(storage::AsText(tasks->rows[1][1]), u2.user_id);
    EXPECT_EQ(storage::AsInt(tasks->rows[1][2]), clock_.NowMicros() + 15 * kMinute);
    EXPECT_EQ(storage::AsText(tasks->rows[1][3]), "task");

    // No match (source), or an explicit owner: no rule, no task.
    auto other = create({{"first_name", "Cold"}, {"source", "call"}});
    ASSERT_TRUE(other);
    EXPECT_EQ(other->body["owner_id"], tenant_.admin.user_id);
    auto explicit_owner =
        create({{"first_name", "Mine"}, {"source", "web_form"}, {"owner_id", u2.user_id}});
    ASSERT_TRUE(explicit_owner);
    EXPECT_EQ(CountOf("activities"), 3);
    // The rotation continues after u1.
    auto next = create({{"first_name", "Next"}, {"source", "messenger"}});
    EXPECT_EQ(next->body["owner_id"], u2.user_id);

    // A failed create does not advance the rotation.
    auto failed = create({{"source", "web_form"}});  // no name, company, email or phone
    ASSERT_FALSE(failed);
    auto after_failure = create({{"first_name", "After"}, {"source", "web_form"}});
    EXPECT_EQ(after_failure->body["owner_id"], u1.user_id);
}

TEST_P(SalesTest, LeastLoadedPicksTheRepWithFewestOpenDeals) {
    const Json p = MakePipeline();
    auto u1 = tenant_.AddUser(db(), "user", "");
    auto u2 = tenant_.AddUser(db(), "user", "");
    MakeDeal(tenant_.admin, p, {{"owner_id", u1.user_id}});
    auto rule = Create(
        tenant_.admin,
        "distribution_rules",
        {{"name", "Deals"},
         {"entity", "deals"},
         {"strategy", "least_loaded"},
         {"user_ids", {u1.user_id, u2.user_id}}}
    );
    ASSERT_TRUE(rule) << storage::Describe(rule.error());
    auto deal = Write([&](Connection& tx) {
        return sales_->CreateWithDistribution(
            tx, tenant_.admin, "deals", {{"title", "New"}, {"pipeline_id", p["id"]}}
        );
    });
    ASSERT_TRUE(deal) << storage::Describe(deal.error());
    EXPECT_EQ(deal->body["owner_id"], u2.user_id);
    auto bad_rule =
        Create(tenant_.admin, "distribution_rules", {{"name", "X"}, {"entity", "deals"}});
    ASSERT_FALSE(bad_rule);
    ExpectField(bad_rule.error(), ErrorCode::kInvalid, "user_ids");
    auto user_rule = Create(
        u1, "distribution_rules", {{"name", "X"}, {"entity", "deals"}, {"user_ids", {u1.user_id}}}
    );
    ASSERT_FALSE(user_rule);
    EXPECT_EQ(user_rule.error().code, ErrorCode::kForbidden);
}

TEST_P(SalesTest, ActivitiesAttachOnlyToVisibleRecords) {
    auto alice = tenant_.AddUser(db(), "user", "");
    auto carol = tenant_.AddUser(db(), "user", "");
    auto contact = Create(alice, "contacts", {{"first_name", "Alice's"}});
    ASSERT_TRUE(contact);
    const std::string id = contact->body["id"];
    auto ok = Create(
        alice,
        "activities",
        {{"type", "call"},
         {"subject", "Intro"},
         {"related_entity", "contacts"},
         {"related_id", id},
         {"direction", "out"},
         {"duration_seconds", 120}}
    );
    ASSERT_TRUE(ok) << storage::Describe(ok.error());
    EXPECT_EQ(ok->body["priority"], "normal");
    EXPECT_EQ(ok->body["assignee_id"], alice.user_id);

    struct Case {
        access::RequestContext ctx;
        Json body;
        std::string field;
    };

    const std::vector<Case> cases = {
        {carol,
         {{"type", "note"}, {"related_entity", "contacts"}, {"related_id", id}},
         "related_id"},
        {alice,
         {{"type", "note"}, {"related_entity", "contacts"}, {"related_id", core::NewId()}},
         "related_id"},
        {alice,
         {{"type", "note"}, {"related_entity", "users"}, {"related_id", id}},
         "related_entity"},
        {alice, {{"type", "note"}, {"related_entity", "contacts"}}, "related_id"},
        {alice, {{"type", "note"}, {"direction", "in"}}, "direction"},
        {alice, {{"type", "meeting"}}, "starts_at"},
        {alice,
         {{"type", "meeting"},
          {"starts_at", "2027-01-15T10:00:00Z"},
          {"ends_at", "2027-01-15T09:00:00Z"}},
         "ends_at"},
        {alice, {{"type", "call"}, {"duration_seconds", -5}}, "duration_seconds"},
    };
    for (const auto& c : cases) {
        auto r = Create(c.ctx, "activities", c.body);
        ASSERT_FALSE(r) << c.body.dump();
        ExpectField(r.error(), ErrorCode::kInvalid, c.field);
    }
    auto done = Update(alice, "activities", ok->body["id"], {{"done", true}});
    ASSERT_TRUE(done);
    EXPECT_EQ(done->body["done_at"], core::FormatTimestamp(clock_.NowMicros()));
}

TEST_P(SalesTest, TimelineMergesActivitiesAndHistoryWithACursor) {
    auto contact = Create(tenant_.admin, "contacts", {{"first_name", "T"}});
    ASSERT_TRUE(contact);
    const std::string id = contact->body["id"];
    for (int i = 0; i < 4; ++i) {
        clock_.Advance(kMinute);
        ASSERT_TRUE(Update(tenant_.admin, "contacts", id, {{"position", "P" + std::to_string(i)}}));
        ASSERT_TRUE(Create(
            tenant_.admin,
            "activities",
            {{"type", "note"},
             {"subject", "N" + std::to_string(i)},
             {"related_entity", "contacts"},
             {"related_id", id}}
        ));
    }
    // Same microsecond for two notes: the cursor must not skip or repeat either.
    ASSERT_TRUE(Create(
        tenant_.admin,
        "activities",
        {{"type", "note"}, {"subject", "Same"}, {"related_entity", "contacts"}, {"related_id", id}}
    ));
    std::vector<std::string> seen;
    TimelineQuery q;
    q.limit = 3;
    for (int page = 0; page < 10; ++page) {
        auto r = Read([&](Connection& c) {
            return sales_->Timeline(c, tenant_.admin, "contacts", id, q);
        });
        ASSERT_TRUE(r) << storage::Describe(r.error());
        for (const auto& item : (*r)["data"]) {
            seen.push_back(
                item["kind"] == "activity" ? item["activity"]["subject"].get<std::string>()
                                           : "v" + std::to_string(item["version"].get<int64_t>())
            );
        }
        if ((*r)["next_cursor"].is_null()) {
            break;
        }
        q.cursor = (*r)["next_cursor"];
    }
    ASSERT_EQ(seen.size(), 10u);
    EXPECT_EQ(seen[0], "v5");
    EXPECT_EQ(seen.back(), "v1");
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 10u);
    TimelineQuery bad;
    bad.cursor = "garbage";
    auto r = Read([&](Connection& c) {
        return sales_->Timeline(c, tenant_.admin, "contacts", id, bad);
    });
    ASSERT_FALSE(r);
    ExpectField(r.error(), ErrorCode::kInvalid, "cursor");
}

TEST_P(SalesTest, MyDayListsOverdueTodayAndMeetings) {
    auto me = tenant_.AddUser(db(), "user", "");
    auto other = tenant_.AddUser(db(), "user", "");
    const int64_t now = clock_.NowMicros();  // 08:00 UTC, 11:00 in Moscow
    auto at = [](int64_t micros) { return core::FormatTimestamp(micros); };
    const int64_t hour = 60 * kMinute;
    ASSERT_TRUE(Create(
        me,
        "activities",
        {{"type", "task"}, {"subject", "Overdue"}, {"due_at", at(now - 24 * hour)}}
    ));
    ASSERT_TRUE(Create(
        me, "activities", {{"type", "task"}, {"subject", "Today"}, {"due_at", at(now + 2 * hour)}}
    ));
    ASSERT_TRUE(Create(
        me,
        "activities",
        {{"type", "task"}, {"subject", "Late today UTC"}, {"due_at", at(now + 14 * hour)}}
    ));
    ASSERT_TRUE(Create(
        me,
        "activities",
        {{"type", "task"}, {"subject", "Done"}, {"due_at", at(now - hour)}, {"done", true}}
    ));
    ASSERT_TRUE(Create(
        me,
        "activities",
        {{"type", "task"}, {"subject", "Tomorrow"}, {"due_at", at(now + 30 * hour)}}
    ));
    ASSERT_TRUE(Create(
        me,
        "activities",
        {{"type", "meeting"}, {"subject", "Demo"}, {"starts_at", at(now + 3 * hour)}}
    ));
    ASSERT_TRUE(Create(
        other, "activities", {{"type", "task"}, {"subject", "Not mine"}, {"due_at", at(now)}}
    ));
    auto subjects = [](const Json& list) {
        std::vector<std::string> out;
        for (const auto& a : list) {
            out.push_back(a["subject"]);
        }
        return out;
    };
    MyDayQuery utc;
    utc.time_zone = "UTC";
    auto day = Read([&](Connection& c) { return sales_->MyDay(c, me, utc); });
    ASSERT_TRUE(day) << storage::Describe(day.error());
    EXPECT_EQ((*day)["date"], "2027-01-15");
    EXPECT_EQ(subjects((*day)["overdue"]), (std::vector<std::string>{"Overdue"}));
    EXPECT_EQ(subjects((*day)["today"]), (std::vector<std::string>{"Today", "Late today UTC"}));
    EXPECT_EQ(subjects((*day)["meetings"]), (std::vector<std::string>{"Demo"}));
    // The user's own zone (Europe/Moscow by default): 22:00 UTC is already tomorrow.
    auto moscow = Read([&](Connection& c) { return sales_->MyDay(c, me, {}); });
    ASSERT_TRUE(moscow);
    EXPECT_EQ((*moscow)["time_zone"], "Europe/Moscow");
    EXPECT_EQ(subjects((*moscow)["today"]), (std::vector<std::string>{"Today"}));
    MyDayQuery bad;
    bad.time_zone = "Mars/Olympus";
    auto refused = Read([&](Connection& c) { return sales_->MyDay(c, me, bad); });
    ASSERT_FALSE(refused);
    ExpectField(refused.error(), ErrorCode::kInvalid, "time_zone");
}

TEST_P(SalesTest, AnotherTenantSeesNothing) {
    const Json p = MakePipeline();
    const std::string deal = MakeDeal(tenant_.admin, p, {{"amount", "10.00"}});
    auto lead = Create(tenant_.admin, "leads", {{"first_name", "Secret"}});
    ASSERT_TRUE(lead);
    auto list = Create(tenant_.admin, "price_lists", {{"name", "Retail"}, {"currency", "RUB"}});
    ASSERT_TRUE(list);
    TestTenant other = TestTenant::Create(db(), "Other");
    const auto& o = other.admin;
    auto not_found = [](const auto& r) { return !r && r.error().code == ErrorCode::kNotFound; };
    EXPECT_TRUE(not_found(Read([&](Connection& c) { return sales_->GetPipeline(c, o, p["id"]); })));
    EXPECT_TRUE(not_found(Read([&](Connection& c) { return sales_->Board(c, o, p["id"], {}); })));
    EXPECT_TRUE(not_found(Read([&](Connection& c) { return sales_->StageHistory(c, o, deal); })));
    EXPECT_TRUE(not_found(Read([&](Connection& c) { return sales_->DealLines(c, o, deal); })));
    EXPECT_TRUE(not_found(Read([&](Connection& c) {
        return sales_->Timeline(c, o, "deals", deal, {});
    })));
    EXPECT_TRUE(not_found(Read([&](Connection& c) {
        return sales_->PriceListPrices(c, o, list->body["id"]);
    })));
    EXPECT_TRUE(not_found(Write([&](Connection& tx) {
        return sales_->ConvertLead(tx, o, lead->body["id"], Json::object());
    })));
    EXPECT_TRUE(not_found(Write([&](Connection& tx) {
        return sales_->UpdatePipeline(tx, o, p["id"], {{"name", "X"}}, std::nullopt);
    })));
    EXPECT_TRUE(not_found(Write([&](Connection& tx) {
        return sales_->ReplaceDealLines(tx, o, deal, {{"lines", Json::array()}}, std::nullopt);
    })));
    auto pipelines = Read([&](Connection& c) { return sales_->ListPipelines(c, o, true); });
    ASSERT_TRUE(pipelines);
    EXPECT_TRUE((*pipelines)["data"].empty());
    // Another tenant's stage and activity targets are not found either.
    auto other_pipeline = Write([&](Connection& tx) {
        return sales_->CreatePipeline(tx, o, {{"name", "Theirs"}, {"stages", {{{"name", "S"}}}}});
    });
    ASSERT_TRUE(other_pipeline);
    auto cross = Create(o, "deals", {{"title", "X"}, {"stage_id", StageId(p, 0)}});
    ASSERT_FALSE(cross);
    ExpectField(cross.error(), ErrorCode::kInvalid, "stage_id");
    auto cross_activity = Create(
        o, "activities", {{"type", "note"}, {"related_entity", "deals"}, {"related_id", deal}}
    );
    ASSERT_FALSE(cross_activity);
    ExpectField(cross_activity.error(), ErrorCode::kInvalid, "related_id");
}

// The routes through the router (no sockets): status codes, problem fields, ETag/If-Match.
TEST_P(SalesTest, RoutesAnswerWithStatusesAndProblemFields) {
    http::Router router;
    access::RequestContext caller = tenant_.admin;
    router.SetAuthenticator([&caller](const http::Request&, http::Policy) {
        access::RequestContext ctx = caller;
        ctx.auth =
            access::AuthKind::kToken;  // the router refuses anonymous contexts on guarded routes
        return core::Result<access::RequestContext>(ctx);
    });
    RegisterSalesCore(router, registry_, *records_, clock_);
    auto call = [&](std::string method,
                    std::string target,
                    const Json& body = nullptr,
                    std::string if_match = "") {
        http::Request req;
        req.method = std::move(method);
        EXPECT_TRUE(http::ParseTarget(target, req)) << target;
        if (!body.is_null()) {
            req.body = body.dump();
        }
        if (!if_match.empty()) {
            req.headers["if-match"] = if_match;
        }
        http::Response r = router.Dispatch(std::move(req));
        Json parsed = r.body.empty() ? Json() : Json::parse(r.body, nullptr, false);
        return std::make_pair(r, parsed);
    };
    auto [created, pipeline] = call(
        "POST",
        "/api/v1/pipelines",
        {{"name", "Web"},
         {"stages", {{{"name", "A"}}, {{"name", "B"}}, {{"name", "Lost"}, {"kind", "lost"}}}}}
    );
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string pid = pipeline["id"];
    ASSERT_EQ(pipeline["stages"].size(), 3u);
    auto [other_created, other] =
        call("POST", "/api/v1/pipelines", {{"name", "Other"}, {"stages", {{{"name", "X"}}}}});
    ASSERT_EQ(other_created.status, 201);

    auto [wrong, wrong_body] = call(
        "POST",
        "/api/v1/deals",
        {{"title", "D"}, {"pipeline_id", pid}, {"stage_id", other["stages"][0]["id"]}}
    );
    EXPECT_EQ(wrong.status, 400);
    EXPECT_EQ(wrong_body["errors"][0]["field"], "stage_id");
    auto [deal_created, deal] = call(
        "POST", "/api/v1/deals", {{"title", "D"}, {"pipeline_id", pid}, {"amount", "3001.00"}}
    );
    ASSERT_EQ(deal_created.status, 201) << deal_created.body;
    const std::string did = deal["id"];
    bool etag = false;
    for (const auto& [name, value] : deal_created.headers) {
        etag |= name == "ETag" && value == "\"1\"";
    }
    EXPECT_TRUE(etag);

    auto [stale, stale_body] =
        call("PUT", "/api/v1/deals/" + did + "/lines", {{"lines", Json::array()}}, "\"7\"");
    EXPECT_EQ(stale.status, 412) << stale.body;
    auto [board, board_body] = call("GET", "/api/v1/pipelines/" + pid + "/board?limit=2");
    ASSERT_EQ(board.status, 200) << board.body;
    EXPECT_EQ(board_body["stages"][0]["count"], 1);
    EXPECT_EQ(board_body["stages"][0]["sums"]["RUB"], "3001.00");
    auto [bad_limit, bad_limit_body] =
        call("GET", "/api/v1/pipelines/" + pid + "/board?limit=lots");
    EXPECT_EQ(bad_limit.status, 400);
    EXPECT_EQ(bad_limit_body["errors"][0]["field"], "limit");
    auto [archive, archive_body] = call(
        "PATCH",
        "/api/v1/pipelines/" + pid,
        {{"stages", {{{"id", pipeline["stages"][0]["id"]}, {"archived", true}}}}}
    );
    EXPECT_EQ(archive.status, 409) << archive.body;
    EXPECT_EQ(archive_body["errors"][0]["field"], "stages[0].archived");
    auto [remove, remove_body] =
        call("DELETE", "/api/v1/stages/" + pipeline["stages"][0]["id"].get<std::string>());
    EXPECT_EQ(remove.status, 409) << remove.body;
    auto [history, history_body] = call("GET", "/api/v1/deals/" + did + "/stage-history");
    EXPECT_EQ(history.status, 200);
    EXPECT_EQ(history_body["data"].size(), 1u);
    auto [timeline, timeline_body] = call("GET", "/api/v1/deals/" + did + "/timeline?limit=0");
    EXPECT_EQ(timeline.status, 400);

    caller.read_only = true;
    auto [read_only, read_only_body] = call("POST", "/api/v1/leads", {{"first_name", "X"}});
    EXPECT_EQ(read_only.status, 403);
    caller = TestTenant::Create(db(), "Else").admin;
    auto [foreign, foreign_body] = call("GET", "/api/v1/pipelines/" + pid + "/board");
    EXPECT_EQ(foreign.status, 404);
    auto [foreign_list, foreign_list_body] = call("GET", "/api/v1/pipelines");
    EXPECT_EQ(foreign_list.status, 200);
    EXPECT_TRUE(foreign_list_body["data"].empty());
}

VORONKA_INSTANTIATE_BACKENDS(SalesTest);

}  // namespace
}  // namespace voronka::sales
