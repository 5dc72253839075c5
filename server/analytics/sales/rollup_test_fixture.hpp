// Fixture of the sales roll-up suites: the sales entities and their analytics on one backend,
// a tenant with a team and users of every built-in role, and a manual clock.
#pragma once

#include <functional>
#include <memory>
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

    // The rows of a query whose $1 is the tenant, as text ("NULL" for null).
    std::vector<std::vector<std::string>> TextRows(const std::string& sql) {
        auto rows = storage::ReadReturning<storage::Rows>(db(), [&](storage::Connection& c) {
            return c.Query(sql, {tenant_.id});
        });
        EXPECT_TRUE(rows) << storage::Describe(rows.error());
        std::vector<std::vector<std::string>> out;
        for (const auto& r : rows ? rows->rows : std::vector<std::vector<storage::Value>>{}) {
            std::vector<std::string> row;
            for (const auto& v : r) {
                row.push_back(storage::IsNull(v) ? "NULL" : storage::AsText(v));
            }
            out.push_back(std::move(row));
        }
        return out;
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
