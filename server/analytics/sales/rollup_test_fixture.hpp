// Fixture of the sales roll-up suites: the sales entities and their analytics on one backend,
// a tenant with a team and users of every built-in role, and a manual clock.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "analytics/sales/sales_analytics.hpp"
#include "analytics/sales/sales_analytics_entities.hpp"
#include "records/test_support.hpp"
#include "sales/sales_entities.hpp"
#include "sales/sales_service.hpp"

namespace voronka::analytics::testing {

constexpr int64_t kRollupTestStart = 1782864000000000;  // 2026-07-01T00:00:00Z

class SalesRollupTest : public storage::BackendTest {
protected:
    void SetUp() override {
        storage::BackendTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        sales::RegisterSalesEntities(registry_);
        sales::RegisterOperationalEntities(registry_, clock_);
        RegisterSalesAnalyticsEntities(registry_);
        records_ = std::make_unique<records::RecordService>(db(), registry_, clock_);
        sales_ = std::make_unique<sales::SalesService>(*records_, clock_);
        analytics_ = std::make_unique<SalesAnalytics>(*records_, clock_);
        tenant_ = records::testing::TestTenant::Create(db(), "Acme");
        team_ = tenant_.AddTeam(db());
        // admin, two users of team_, a user without a team, a manager
        users_ = {
            tenant_.admin,
            tenant_.AddUser(db(), "user", team_),
            tenant_.AddUser(db(), "user", team_),
            tenant_.AddUser(db(), "user", ""),
            tenant_.AddUser(db(), "manager", "")};
    }

    // A pipeline with the given stages ([{"name", "probability"?, "kind"?}, ...]).
    core::Json MakePipeline(const std::string& name, core::Json stages) {
        auto p = storage::WriteReturning<core::Json>(db(), [&](storage::Connection& tx) {
            return sales_->CreatePipeline(
                tx, tenant_.admin, {{"name", name}, {"stages", std::move(stages)}}
            );
        });
        EXPECT_TRUE(p) << storage::Describe(p.error());
        return p ? *p : core::Json();
    }

    void Write(const std::function<core::Status(storage::Connection&)>& fn) {
        auto done = db().Write([&](storage::Connection& tx) -> core::Status { return fn(tx); });
        ASSERT_TRUE(done) << storage::Describe(done.error());
    }

    core::Json Read(const std::function<core::Result<core::Json>(storage::Connection&)>& fn) {
        auto r = storage::ReadReturning<core::Json>(db(), fn);
        EXPECT_TRUE(r) << storage::Describe(r.error());
        return r ? *r : core::Json();
    }

    // Creates a deal as the admin and adds its id to `live`.
    void CreateDeal(const core::Json& body, std::vector<std::string>& live) {
        Write([&](storage::Connection& tx) -> core::Status {
            VK_ASSIGN_OR_RETURN(
                records::Record r, records_->Create(tx, tenant_.admin, "deals", body)
            );
            live.push_back(r.body["id"]);
            return core::Ok();
        });
    }

    // Soft-deletes deal live[i] as the admin and moves its id to `deleted`.
    void DeleteDeal(std::vector<std::string>& live, std::vector<std::string>& deleted, size_t i) {
        Write([&](storage::Connection& tx) {
            return records_->Delete(tx, tenant_.admin, "deals", live[i], std::nullopt);
        });
        deleted.push_back(live[i]);
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
    }

    // Restores deal deleted[i] as the admin and moves its id back to `live`.
    void RestoreDeal(std::vector<std::string>& live, std::vector<std::string>& deleted, size_t i) {
        Write([&](storage::Connection& tx) -> core::Status {
            auto restored = records_->Restore(tx, tenant_.admin, "deals", deleted[i]);
            return restored ? core::Ok() : core::Status(std::move(restored).error());
        });
        live.push_back(deleted[i]);
        deleted.erase(deleted.begin() + static_cast<std::ptrdiff_t>(i));
    }

    // The rows of a query whose $1 is the tenant, as text ("NULL" for null).
    std::vector<std::vector<std::string>> TextRows(const std::string& sql) {
        return storage::QueryAsText(db(), sql, {tenant_.id});
    }

    core::ManualClock clock_{kRollupTestStart};
    records::EntityRegistry registry_;
    std::unique_ptr<records::RecordService> records_;
    std::unique_ptr<sales::SalesService> sales_;
    std::unique_ptr<SalesAnalytics> analytics_;
    records::testing::TestTenant tenant_;
    std::string team_;
    std::vector<access::RequestContext> users_;
};

}  // namespace voronka::analytics::testing
