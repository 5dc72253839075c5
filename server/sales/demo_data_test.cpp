// A demo company is as consistent as one built through the record engine: every record has its
// events, search document and matching keys, the board roll-ups and customer metrics match the
// records they summarise, on both backends and on SQLite's one-transaction bulk path too.
#include "sales/demo_data.hpp"

#include <array>

#include <gtest/gtest.h>

#include "app/app.hpp"
#include "storage/backend_fixture.hpp"
#include "storage/tenant_scope.hpp"

namespace voronka::sales {
namespace {

using storage::Connection;
using storage::Dialect;

constexpr std::array<const char*, 6> kEntities{
    "companies", "contacts", "deals", "leads", "activities", "orders"};

class DemoDataTest : public storage::BackendTest {
protected:
    void SetUp() override {
        storage::BackendTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        app_ = app::BuildApp(db(), clock_);
        const std::string name = storage::UniqueName("demo");
        auto created =
            storage::WriteReturning<std::pair<int64_t, std::string>>(db(), [&](Connection& tx) {
                return app_->auth.CreateTenant(tx, name, name + "@test.example", "password-123");
            });
        ASSERT_TRUE(created) << storage::Describe(created.error());
        ctx_.tenant_id = created->first;
        ctx_.user_id = created->second;
        ctx_.role = "admin";
        ctx_.permissions = access::BuiltinRole("admin");
    }

    int64_t Count(const std::string& sql) {
        auto rows = storage::ReadReturning<storage::Rows>(db(), [&](Connection& c) {
            return c.Query(sql, {ctx_.tenant_id});
        });
        EXPECT_TRUE(rows) << sql << ": " << storage::Describe(rows.error());
        return rows ? storage::AsInt(rows->rows.at(0).at(0)) : -1;
    }

    std::vector<std::string> Indexes() {
        std::vector<std::string> names;
        if (dialect() != Dialect::kSqlite) {
            return names;
        }
        auto rows = storage::ReadReturning<storage::Rows>(db(), [&](Connection& c) {
            return c.Query("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name");
        });
        EXPECT_TRUE(rows);
        for (const auto& row : rows->rows) {
            names.push_back(storage::AsText(row[0]));
        }
        return names;
    }

    void FillAndCheck(DemoOptions options) {
        const storage::TenantScope tenant_scope(ctx_.tenant_id);
        const std::vector<std::string> indexes = Indexes();
        auto created = FillDemoCompany(*app_->records, ctx_, options);
        ASSERT_TRUE(created) << storage::Describe(created.error());
        EXPECT_EQ(Indexes(), indexes);  // indexes dropped for the load are all back

        EXPECT_EQ(Count("SELECT COUNT(*) FROM contacts WHERE tenant_id = $1"), options.contacts);
        int64_t records = 0;
        for (const std::string entity : kEntities) {
            SCOPED_TRACE(entity);
            const int64_t rows = Count("SELECT COUNT(*) FROM " + entity + " WHERE tenant_id = $1");
            EXPECT_GT(rows, 0);
            records += rows;
            // One event per version, numbered 1..version, the first a create.
            EXPECT_EQ(
                Count(
                    "SELECT COUNT(*) FROM " + entity +
                    " r WHERE r.tenant_id = $1 AND r.version <> (SELECT COUNT(*) FROM events e "
                    "WHERE e.tenant_id = r.tenant_id AND e.entity = '" +
                    entity + "' AND e.record_id = r.id AND e.version BETWEEN 1 AND r.version)"
                ),
                0
            );
            EXPECT_EQ(
                Count(
                    "SELECT COUNT(*) FROM events WHERE tenant_id = $1 AND entity = '" + entity +
                    "' AND version = 1 AND action = 'create'"
                ),
                rows
            );
            // One search document each.
            EXPECT_EQ(
                Count(
                    "SELECT COUNT(*) FROM search_docs WHERE tenant_id = $1 AND entity = '" +
                    entity + "'"
                ),
                rows
            );
        }
        EXPECT_GE(*created, records);
        if (dialect() == Dialect::kSqlite) {
            // Every document is in the full-text index under the same rowid.
            EXPECT_EQ(
                Count("SELECT COUNT(*) FROM search_docs d WHERE d.tenant_id = $1 AND NOT EXISTS "
                      "(SELECT 1 FROM search_fts f WHERE f.rowid = -d.doc_id)"),
                0
            );
        }
        // Normalised phones and matching keys on every person and company.
        for (const std::string entity : {"contacts", "leads", "companies"}) {
            SCOPED_TRACE(entity);
            EXPECT_EQ(
                Count(
                    "SELECT COUNT(*) FROM " + entity +
                    " WHERE tenant_id = $1 AND (name_key IS NULL OR quality_flags IS NULL OR "
                    "(email IS NOT NULL AND email_key IS NULL) OR "
                    "(phone IS NOT NULL AND phone_e164 IS NULL))"
                ),
                0
            );
        }
        EXPECT_EQ(
            Count("SELECT COUNT(*) FROM contacts WHERE tenant_id = $1 AND name_latin IS NULL"), 0
        );
        // The board's roll-ups are the deals counted and summed.
        EXPECT_EQ(
            Count("SELECT COUNT(*) FROM (SELECT pipeline_id, stage_id, COALESCE(owner_id, '') o, "
                  "COALESCE(currency, '') c, COUNT(*) n, COUNT(amount) a, "
                  "COALESCE(CAST(SUM(amount) AS BIGINT), 0) s FROM deals WHERE tenant_id = $1 AND "
                  "deleted_at IS NULL GROUP BY pipeline_id, stage_id, COALESCE(owner_id, ''), "
                  "COALESCE(currency, '')) d LEFT JOIN deal_rollups r ON r.tenant_id = $1 AND "
                  "r.pipeline_id = d.pipeline_id AND r.stage_id = d.stage_id AND r.owner_id = d.o "
                  "AND r.currency = d.c WHERE r.deals IS NULL OR r.deals <> d.n OR "
                  "r.amounts <> d.a OR r.amount_minor <> d.s"),
            0
        );
        EXPECT_EQ(
            Count("SELECT COALESCE(CAST(SUM(deals) AS BIGINT), 0) FROM deal_rollups WHERE "
                  "tenant_id = $1"),
            Count("SELECT COUNT(*) FROM deals WHERE tenant_id = $1 AND deleted_at IS NULL")
        );
        // Each won deal with a contact has its one order; each buyer has metrics.
        EXPECT_EQ(
            Count("SELECT COUNT(*) FROM deals d WHERE d.tenant_id = $1 AND d.status = 'won' AND "
                  "d.contact_id IS NOT NULL AND (SELECT COUNT(*) FROM orders o WHERE "
                  "o.tenant_id = d.tenant_id AND o.deal_id = d.id) <> 1"),
            0
        );
        EXPECT_EQ(
            Count("SELECT COUNT(*) FROM customer_metrics WHERE tenant_id = $1"),
            Count("SELECT COUNT(DISTINCT contact_id) FROM orders WHERE tenant_id = $1 AND "
                  "status = 'completed' AND deleted_at IS NULL")
        );
        // Orders carry their contact's owner, as the order hook sets it.
        EXPECT_EQ(
            Count("SELECT COUNT(*) FROM orders o JOIN contacts c ON c.tenant_id = o.tenant_id AND "
                  "c.id = o.contact_id WHERE o.tenant_id = $1 AND o.owner_id IS DISTINCT FROM "
                  "c.owner_id"),
            0
        );
    }

    core::ManualClock clock_{1'781'524'800'000'000};
    std::unique_ptr<app::App> app_;
    access::RequestContext ctx_;
};

TEST_P(DemoDataTest, RecordsHaveTheirEventsSearchDocumentsKeysRollupsAndMetrics) {
    DemoOptions options;
    options.contacts = 120;
    FillAndCheck(options);
}

// The path a large demo takes on SQLite: each phase in one transaction, indexes built after.
TEST_P(DemoDataTest, OneTransactionBulkPathIsEquallyConsistent) {
    DemoOptions options;
    options.contacts = 120;
    options.one_transaction_from = 1;
    FillAndCheck(options);
}

VORONKA_INSTANTIATE_BACKENDS(DemoDataTest);

}  // namespace
}  // namespace voronka::sales
