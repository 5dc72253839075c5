// The co-purchase counts kept with each order write against the model built from every order
// line, as the next best offer used to compute it per request.
#include <random>

#include <gtest/gtest.h>

#include "analytics/customers/customer_analytics.hpp"
#include "analytics/customers/customers_internal.hpp"
#include "analytics/next_best_offer.hpp"
#include "app/app.hpp"
#include "records/test_support.hpp"

namespace voronka::analytics::customers_internal {
namespace {

using records::testing::TestTenant;

constexpr int64_t kNow = 1794312000000000;  // 2026-11-10T12:00:00Z

class CoPurchasesTest : public storage::BackendTest {
protected:
    void SetUp() override {
        storage::BackendTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        app_ = app::BuildApp(db(), clock_);
        tenant_ = TestTenant::Create(db(), "Shop");
    }

    void Write(const std::function<core::Status(Connection&)>& fn) {
        auto done = db().Write([&](Connection& tx) -> core::Status { return fn(tx); });
        ASSERT_TRUE(done) << storage::Describe(done.error());
    }

    std::string Create(const std::string& entity, const Json& body) {
        std::string id;
        Write([&](Connection& tx) -> core::Status {
            VK_ASSIGN_OR_RETURN(
                records::Record r, app_->records->Create(tx, tenant_.admin, entity, body)
            );
            id = r.body["id"].get<std::string>();
            return core::Ok();
        });
        return id;
    }

    std::vector<std::vector<std::string>> Rows(const std::string& sql) {
        return storage::QueryAsText(db(), sql, {tenant_.id});
    }

    std::vector<std::vector<std::string>> Stored() {
        auto products = Rows(
            "SELECT contact_id, product_key, lines FROM customer_products WHERE tenant_id = $1 "
            "ORDER BY contact_id, product_key"
        );
        auto pairs = Rows(
            "SELECT product_key, other_key, customers FROM product_copurchases WHERE tenant_id = "
            "$1 AND customers <> 0 ORDER BY product_key, other_key"
        );
        products.insert(products.end(), pairs.begin(), pairs.end());
        return products;
    }

    // The model of every live completed order line, as the per-request code built it.
    CoPurchaseModel ModelOfAllLines() {
        std::vector<ProductPurchase> purchases;
        for (const auto& row :
             Rows("SELECT contact_id, lines FROM orders WHERE tenant_id = $1 AND deleted_at IS "
                  "NULL AND status = 'completed' AND lines IS NOT NULL ORDER BY id")) {
            for (const Json& line : Json::parse(row[1])) {
                if (line.contains("product_id") && line["product_id"].is_string()) {
                    purchases.push_back({row[0], "id:" + line["product_id"].get<std::string>()});
                } else if (line.contains("sku") && line["sku"].is_string()) {
                    purchases.push_back({row[0], "sku:" + line["sku"].get<std::string>()});
                }
            }
        }
        return CoPurchaseModel::Build(purchases);
    }

    core::ManualClock clock_{kNow};
    std::unique_ptr<app::App> app_;
    TestTenant tenant_;
};

TEST_P(CoPurchasesTest, OffersMatchTheModelOfEveryLineAfterRandomWrites) {
    std::vector<std::string> products;
    for (int i = 0; i < 6; ++i) {
        products.push_back(Create(
            "products", {{"name", "P" + std::to_string(i)}, {"sku", "SKU-" + std::to_string(i)}}
        ));
    }
    std::vector<std::string> contacts;
    for (int i = 0; i < 6; ++i) {
        contacts.push_back(Create("contacts", {{"first_name", "C" + std::to_string(i)}}));
    }
    std::mt19937 rng(20261123);
    auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    auto lines = [&]() {
        Json out = Json::array();
        const size_t n = 1 + pick(3);
        for (size_t i = 0; i < n; ++i) {
            if (pick(5) == 0) {  // a line without a catalogue product: known by its SKU
                out.push_back({{"sku", "LOOSE-" + std::to_string(pick(2))}, {"price", "5.00"}});
            } else {
                out.push_back({{"product_id", products[pick(products.size())]}, {"price", "10.00"}}
                );
            }
        }
        return out;
    };
    std::vector<std::string> live;
    std::vector<std::string> deleted;
    for (int step = 0; step < 150; ++step) {
        const size_t op = live.empty() ? 0 : pick(8);
        if (op <= 2) {
            live.push_back(Create(
                "orders",
                {{"contact_id", contacts[pick(contacts.size())]},
                 {"ordered_at",
                  core::FormatTimestamp(kNow - static_cast<int64_t>(pick(300)) * 86'400'000'000)},
                 {"currency", "RUB"},
                 {"status", pick(6) == 0 ? "cancelled" : "completed"},
                 {"lines", lines()}}
            ));
        } else if (op <= 4) {
            Json body = Json::object();
            switch (pick(3)) {
                case 0:
                    body["lines"] = lines();
                    break;
                case 1:
                    body["contact_id"] = contacts[pick(contacts.size())];
                    break;
                default:
                    body["status"] = pick(2) ? "completed" : "refunded";
                    break;
            }
            const std::string id = live[pick(live.size())];
            Write([&](Connection& tx) -> core::Status {
                auto r = app_->records->Update(tx, tenant_.admin, "orders", id, body, std::nullopt);
                return r ? core::Ok() : core::Status(std::move(r).error());
            });
        } else if (op <= 5) {
            const size_t i = pick(live.size());
            Write([&](Connection& tx) {
                return app_->records->Delete(tx, tenant_.admin, "orders", live[i], std::nullopt);
            });
            deleted.push_back(live[i]);
            live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
        } else if (!deleted.empty()) {
            const size_t i = pick(deleted.size());
            Write([&](Connection& tx) -> core::Status {
                auto r = app_->records->Restore(tx, tenant_.admin, "orders", deleted[i]);
                return r ? core::Ok() : core::Status(std::move(r).error());
            });
            live.push_back(deleted[i]);
            deleted.erase(deleted.begin() + static_cast<std::ptrdiff_t>(i));
        }
        if (step % 30 != 29) {
            continue;
        }
        const CoPurchaseModel model = ModelOfAllLines();
        for (const std::string& contact : contacts) {
            auto got = storage::ReadReturning<std::vector<Offer>>(db(), [&](Connection& c) {
                return NextBestOffers(c, tenant_.id, contact, 5);
            });
            ASSERT_TRUE(got) << storage::Describe(got.error());
            const auto want = model.RecommendForCustomer(contact, 5, CoPurchaseMeasure::kCosine);
            ASSERT_EQ(got->size(), want.size()) << "step " << step << ", contact " << contact;
            for (size_t i = 0; i < want.size(); ++i) {
                EXPECT_EQ((*got)[i].key, want[i].product_id) << "step " << step << ", rank " << i;
                EXPECT_NEAR((*got)[i].score, want[i].score, 1e-12) << "step " << step;
            }
        }
        // The counts kept by the hooks equal a recount from every order.
        const auto stored = Stored();
        ASSERT_FALSE(stored.empty());
        Write([&](Connection& tx) { return RebuildCustomerRollups(tx, tenant_.id); });
        ASSERT_EQ(stored, Stored()) << "after step " << step;
    }
}

VORONKA_INSTANTIATE_BACKENDS(CoPurchasesTest);

}  // namespace
}  // namespace voronka::analytics::customers_internal
