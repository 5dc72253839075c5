#include "sales/deal_rollups.hpp"

#include <random>
#include <tuple>

#include <gtest/gtest.h>

#include "core/money.hpp"
#include "records/test_support.hpp"
#include "sales/sales_entities.hpp"
#include "sales/sales_service.hpp"

namespace voronka::sales {
namespace {

using records::testing::TestTenant;
using storage::Connection;

core::Status Done(core::Result<records::Record> r) {
    return r ? core::Ok() : core::Status(std::move(r).error());
}

// One roll-up row as text: pipeline, stage, owner, currency, deals, amounts, amount_minor.
using Row = std::vector<std::string>;

class DealRollupsTest : public storage::BackendTest {
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

    Json MakePipeline(const std::string& name) {
        auto p = storage::WriteReturning<Json>(db(), [&](Connection& tx) {
            return sales_->CreatePipeline(
                tx,
                tenant_.admin,
                {{"name", name},
                 {"stages",
                  {{{"name", "New"}, {"probability", 10}},
                   {{"name", "Offer"}, {"probability", 50}},
                   {{"name", "Won"}, {"kind", "won"}},
                   {{"name", "Lost"}, {"kind", "lost"}}}}}
            );
        });
        EXPECT_TRUE(p) << storage::Describe(p.error());
        return p ? *p : Json();
    }

    // A deal "A" in the first stage of `pipeline` as the admin; its id, "" when refused.
    std::string MakeDeal(const Json& pipeline, const std::string& amount) {
        auto made = storage::WriteReturning<records::Record>(db(), [&](Connection& tx) {
            return records_->Create(
                tx,
                tenant_.admin,
                "deals",
                {{"title", "A"},
                 {"pipeline_id", pipeline["id"]},
                 {"stage_id", pipeline["stages"][0]["id"]},
                 {"amount", amount},
                 {"currency", "RUB"}}
            );
        });
        EXPECT_TRUE(made) << storage::Describe(made.error());
        return made ? made->body["id"].get<std::string>() : std::string();
    }

    std::vector<Row> Rows(const std::string& sql) {
        auto rows = storage::ReadReturning<storage::Rows>(db(), [&](Connection& c) {
            return c.Query(sql, {tenant_.id});
        });
        EXPECT_TRUE(rows) << storage::Describe(rows.error());
        std::vector<Row> out;
        for (const auto& r : rows ? rows->rows : std::vector<std::vector<storage::Value>>{}) {
            Row row;
            for (const auto& v : r) {
                row.push_back(storage::AsText(v));
            }
            out.push_back(std::move(row));
        }
        return out;
    }

    // The roll-ups as stored (rows that net to nothing are as good as absent).
    std::vector<Row> Stored() {
        return Rows(
            "SELECT pipeline_id, stage_id, owner_id, currency, deals, amounts, amount_minor "
            "FROM deal_rollups WHERE tenant_id = $1 AND (deals <> 0 OR amounts <> 0 OR "
            "amount_minor <> 0) ORDER BY pipeline_id, stage_id, owner_id, currency"
        );
    }

    // The same figures recounted from the deals themselves.
    std::vector<Row> Recount() {
        return Rows(
            "SELECT pipeline_id, stage_id, COALESCE(owner_id, ''), COALESCE(currency, ''), "
            "COUNT(*), COUNT(amount), COALESCE(CAST(SUM(amount) AS BIGINT), 0) FROM deals "
            "WHERE tenant_id = $1 AND deleted_at IS NULL GROUP BY pipeline_id, stage_id, "
            "COALESCE(owner_id, ''), COALESCE(currency, '') "
            "ORDER BY pipeline_id, stage_id, COALESCE(owner_id, ''), COALESCE(currency, '')"
        );
    }

    Json Board(const access::RequestContext& ctx, const std::string& pipeline, BoardQuery q) {
        auto r = storage::ReadReturning<Json>(db(), [&](Connection& c) {
            return sales_->Board(c, ctx, pipeline, q);
        });
        EXPECT_TRUE(r) << storage::Describe(r.error());
        return r ? *r : Json();
    }

    core::ManualClock clock_{1'800'000'000'000'000};
    records::EntityRegistry registry_;
    std::unique_ptr<records::RecordService> records_;
    std::unique_ptr<SalesService> sales_;
    TestTenant tenant_;
};

TEST_P(DealRollupsTest, MatchRecountAfterRandomWrites) {
    const std::string team = tenant_.AddTeam(db());
    const std::vector<access::RequestContext> users = {
        tenant_.admin,
        tenant_.AddUser(db(), "user", team),
        tenant_.AddUser(db(), "user", team),
        tenant_.AddUser(db(), "user", "")};
    const std::vector<Json> pipelines = {MakePipeline("Retail"), MakePipeline("Wholesale")};
    std::mt19937 rng(20261123);
    auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    // A random place: pipeline, stage and what a lost stage needs.
    auto place = [&]() {
        const Json& p = pipelines[pick(pipelines.size())];
        const size_t s = pick(4);
        Json body = {{"pipeline_id", p["id"]}, {"stage_id", p["stages"][s]["id"]}};
        if (s == 3) {
            body["loss_reason"] = "Price";
        }
        return body;
    };
    auto money = [&]() {
        static const char* kAmounts[] = {"100.00", "2500.50", "0.01", "99999.99", "7.70"};
        static const char* kCurrencies[] = {"RUB", "USD", "JPY"};
        Json body = Json::object();
        const size_t kind = pick(4);
        if (kind == 0) {
            body["amount"] = nullptr;
            return body;
        }
        const std::string currency = kCurrencies[pick(3)];
        body["currency"] = currency;
        body["amount"] =
            currency == "JPY" ? std::to_string(pick(100000)) : std::string(kAmounts[pick(5)]);
        return body;
    };
    std::vector<std::string> live;
    std::vector<std::string> deleted;
    auto write = [&](auto&& fn) {
        auto done = db().Write([&](Connection& tx) -> core::Status { return fn(tx); });
        ASSERT_TRUE(done) << storage::Describe(done.error());
    };
    for (int step = 0; step < 200; ++step) {
        const size_t op = live.empty() ? 0 : pick(10);
        if (op <= 2) {
            Json body = place();
            body.update(money());
            body["title"] = "Deal " + std::to_string(step);
            body["owner_id"] = users[pick(users.size())].user_id;
            write([&](Connection& tx) -> core::Status {
                VK_ASSIGN_OR_RETURN(
                    records::Record r, records_->Create(tx, tenant_.admin, "deals", body)
                );
                live.push_back(r.body["id"]);
                return core::Ok();
            });
        } else if (op <= 5) {
            const std::string id = live[pick(live.size())];
            write([&](Connection& tx) -> core::Status {
                return Done(records_->Update(tx, tenant_.admin, "deals", id, place(), std::nullopt)
                );
            });
        } else if (op == 6) {
            const std::string id = live[pick(live.size())];
            Json body = money();
            if (pick(3) == 0) {
                body["owner_id"] = pick(2) == 0 ? Json(nullptr) : Json(users[1].user_id);
            }
            write([&](Connection& tx) -> core::Status {
                return Done(records_->Update(tx, tenant_.admin, "deals", id, body, std::nullopt));
            });
        } else if (op <= 8) {
            const size_t i = pick(live.size());
            write([&](Connection& tx) {
                return records_->Delete(tx, tenant_.admin, "deals", live[i], std::nullopt);
            });
            deleted.push_back(live[i]);
            live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
        } else if (!deleted.empty()) {
            const size_t i = pick(deleted.size());
            write([&](Connection& tx) {
                return Done(records_->Restore(tx, tenant_.admin, "deals", deleted[i]));
            });
            live.push_back(deleted[i]);
            deleted.erase(deleted.begin() + static_cast<std::ptrdiff_t>(i));
        }
        if (step % 40 == 39) {
            ASSERT_EQ(Stored(), Recount()) << "after step " << step;
        }
    }
    const auto recount = Recount();
    ASSERT_FALSE(recount.empty());
    EXPECT_EQ(Stored(), recount);

    // The board's figures from roll-ups equal those counted row by row (a tag forces that path,
    // and every deal carries none of the tags, so "no tag" is spelt as a filter on all owners).
    for (const auto& ctx : users) {
        for (const Json& p : pipelines) {
            const Json board = Board(ctx, p["id"], {});
            const std::string scope =
                ctx.role == "admin"
                    ? ""
                    : " AND (owner_id = '" + ctx.user_id +
                          "' OR owner_id IN (SELECT id FROM users WHERE team_id = '" +
                          (ctx.team_id.empty() ? std::string("-") : ctx.team_id) + "'))";
            for (const Json& stage : board["stages"]) {
                const auto rows = Rows(
                    "SELECT COUNT(*), COALESCE(currency, ''), COUNT(amount), "
                    "COALESCE(CAST(SUM(amount) AS BIGINT), 0) FROM deals WHERE tenant_id = $1 "
                    "AND deleted_at IS NULL AND stage_id = '" +
                    stage["id"].get<std::string>() + "'" + scope +
                    " GROUP BY COALESCE(currency, '')"
                );
                int64_t count = 0;
                Json sums = Json::object();
                for (const Row& r : rows) {
                    count += std::stoll(r[0]);
                    if (!r[1].empty() && r[2] != "0") {
                        sums[r[1]] = core::FormatAmount(std::stoll(r[3]), r[1]);
                    }
                }
                EXPECT_EQ(stage["count"], count) << ctx.role << " " << stage["name"];
                EXPECT_EQ(stage["sums"], sums) << ctx.role << " " << stage["name"];
            }
        }
    }

    // A rebuild from the deals gives the same rows as the incremental upkeep.
    write([&](Connection& tx) -> core::Status {
        auto wiped = tx.Execute("DELETE FROM deal_rollups WHERE tenant_id = $1", {tenant_.id});
        if (!wiped) {
            return std::move(wiped).error();
        }
        return RebuildDealRollups(tx, tenant_.id);
    });
    EXPECT_EQ(Stored(), recount);
}

TEST_P(DealRollupsTest, CurrencyChangeRewritesTheUnchangedAmount) {
    // An update writes only changed columns, and an amount is stored in its currency's minor
    // units: the same number in a currency with other minor units is a new stored amount.
    const Json p = MakePipeline("Retail");
    const std::string id = MakeDeal(p, "100");
    ASSERT_FALSE(id.empty());
    auto moved = storage::WriteReturning<records::Record>(db(), [&](Connection& tx) {
        return records_->Update(
            tx, tenant_.admin, "deals", id, {{"amount", "100"}, {"currency", "JPY"}}, std::nullopt
        );
    });
    ASSERT_TRUE(moved) << storage::Describe(moved.error());
    EXPECT_EQ(moved->body["currency"], "JPY");
    EXPECT_EQ(moved->body["amount"], "100");
    auto stored = storage::ReadReturning<storage::Rows>(db(), [&](Connection& c) {
        return c.Query(
            "SELECT amount FROM deals WHERE tenant_id = $1 AND id = $2", {tenant_.id, id}
        );
    });
    ASSERT_TRUE(stored);
    EXPECT_EQ(storage::AsInt(stored->rows[0][0]), 100);
    EXPECT_EQ(Stored(), Recount());
}

TEST_P(DealRollupsTest, FailedWriteLeavesRollupsUntouched) {
    const Json p = MakePipeline("Retail");
    const std::string id = MakeDeal(p, "10.00");
    ASSERT_FALSE(id.empty());
    const auto before = Stored();
    // Lost without a reason is refused: nothing of the move may reach the roll-ups.
    auto refused = storage::WriteReturning<records::Record>(db(), [&](Connection& tx) {
        return records_->Update(
            tx, tenant_.admin, "deals", id, {{"stage_id", p["stages"][3]["id"]}}, std::nullopt
        );
    });
    ASSERT_FALSE(refused);
    EXPECT_EQ(Stored(), before);
    EXPECT_EQ(Stored(), Recount());
}

VORONKA_INSTANTIATE_BACKENDS(DealRollupsTest);

}  // namespace
}  // namespace voronka::sales
