// Row-level security on a real PostgreSQL, through a role that does not bypass it: a statement
// without any tenant filter sees only the scope's tenant, no scope sees and writes nothing.
#include <gtest/gtest.h>

#include "storage/backend_fixture.hpp"
#include "storage/tenant_scope.hpp"

namespace voronka::storage {
namespace {

// The cluster URL with another user (libpq URL form: scheme://user@host...).
std::string WithUser(const std::string& url, const std::string& user) {
    const size_t scheme = url.find("://");
    const size_t at = url.find('@', scheme + 3);
    const size_t slash = url.find('/', scheme + 3);
    const size_t host = at != std::string::npos && at < slash ? at + 1 : scheme + 3;
    return url.substr(0, scheme + 3) + user + "@" + url.substr(host);
}

// An ordinary role (no SUPERUSER, no BYPASSRLS) owning a migrated database, as in production.
class RowSecurityTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        const std::string cluster = TestPostgresUrl();
        if (cluster.empty()) {
            return;
        }
        role_ = UniqueName("vk_rls_role");
        database_ = UniqueName("vk_rls_db");
        ASSERT_TRUE(fixture_detail::AdminExec(
            cluster, "CREATE ROLE " + role_ + " LOGIN NOSUPERUSER NOBYPASSRLS"
        ));
        ASSERT_TRUE(fixture_detail::AdminExec(
            cluster, "CREATE DATABASE " + database_ + " OWNER " + role_ + " TEMPLATE template0"
        ));
        auto db =
            OpenPostgres(WithUser(fixture_detail::WithDatabase(cluster, database_), role_), 4);
        ASSERT_TRUE(db.has_value()) << Describe(db.error());
        db_ = std::move(db).value().release();
        auto migrated = db_->Migrate();
        ASSERT_TRUE(migrated.has_value()) << Describe(migrated.error());
        // Two tenants with two teams each, written where every tenant is visible.
        const SystemScope setup;
        auto seeded = db_->Write([](Connection& c) -> Status {
            for (const char* name : {"A", "B"}) {
                VK_ASSIGN_OR_RETURN(
                    Rows t,
                    c.Query(
                        "INSERT INTO tenants (name, created_at) VALUES ($1, 0) RETURNING id",
                        {std::string(name)}
                    )
                );
                const int64_t id = AsInt(t.rows[0][0]);
                (name[0] == 'A' ? tenant_a_ : tenant_b_) = id;
                for (const char* team : {"t1", "t2"}) {
                    VK_RETURN_IF_ERROR(c.Execute(
                        "INSERT INTO teams (tenant_id, id, name, created_at) VALUES ($1, $2, $3, "
                        "0)",
                        {id, std::string(team), std::string(name) + team}
                    ));
                }
            }
            return core::Ok();
        });
        ASSERT_TRUE(seeded.has_value()) << Describe(seeded.error());
    }

    static void TearDownTestSuite() {
        delete db_;
        db_ = nullptr;
        if (!database_.empty()) {
            (void)fixture_detail::AdminExec(
                TestPostgresUrl(), "DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)"
            );
            (void)fixture_detail::AdminExec(TestPostgresUrl(), "DROP ROLE IF EXISTS " + role_);
        }
    }

    void SetUp() override {
        if (TestPostgresUrl().empty()) {
            GTEST_SKIP() << kTestPgUrlEnv << " is not set (run through scripts/with-postgres.sh)";
        }
        ASSERT_NE(db_, nullptr);
    }

    // Every team's "tenant_id/name" the current scope lets an unfiltered SELECT see.
    static std::vector<std::string> VisibleTeams() {
        std::vector<std::string> out;
        auto st = db_->Read([&](Connection& c) -> Status {
            VK_ASSIGN_OR_RETURN(
                Rows rows, c.Query("SELECT tenant_id, name FROM teams ORDER BY name")
            );
            for (const auto& r : rows.rows) {
                out.push_back(std::to_string(AsInt(r[0])) + "/" + AsText(r[1]));
            }
            return core::Ok();
        });
        EXPECT_TRUE(st.has_value()) << Describe(st.error());
        return out;
    }

    static Status InsertTeam(int64_t tenant, const std::string& id) {
        return db_->Write([&](Connection& c) -> Status {
            return c.Execute(
                        "INSERT INTO teams (tenant_id, id, name, created_at) VALUES ($1, $2, 'x', "
                        "0)",
                        {tenant, id}
                   )
                           .has_value()
                       ? core::Ok()
                       : Status(core::Error::Internal("insert failed"));
        });
    }

    static inline std::string role_;
    static inline std::string database_;
    static inline Database* db_ = nullptr;
    static inline int64_t tenant_a_ = 0;
    static inline int64_t tenant_b_ = 0;
};

TEST_F(RowSecurityTest, UnfilteredQueryInATenantScopeSeesOnlyThatTenant) {
    const std::string a = std::to_string(tenant_a_);
    const std::string b = std::to_string(tenant_b_);
    {
        const TenantScope scope(tenant_a_);
        EXPECT_EQ(VisibleTeams(), (std::vector<std::string>{a + "/At1", a + "/At2"}));
    }
    {
        const TenantScope scope(tenant_b_);
        EXPECT_EQ(VisibleTeams(), (std::vector<std::string>{b + "/Bt1", b + "/Bt2"}));
        // The tenants table is guarded by its id.
        auto tenants = ReadReturning<Rows>(*db_, [](Connection& c) {
            return c.Query("SELECT id FROM tenants");
        });
        ASSERT_TRUE(tenants.has_value());
        ASSERT_EQ(tenants->size(), 1u);
        EXPECT_EQ(AsInt(tenants->rows[0][0]), tenant_b_);
    }
}

TEST_F(RowSecurityTest, WithoutAScopeNothingIsVisibleOrWritable) {
    EXPECT_EQ(CurrentScope().kind, ScopeState::Kind::kNone);
    EXPECT_TRUE(VisibleTeams().empty());
    EXPECT_FALSE(InsertTeam(tenant_a_, "no-scope").has_value());
    // An empty tenant scope (public and operator requests) is the same.
    const TenantScope none(0);
    EXPECT_TRUE(VisibleTeams().empty());
    EXPECT_FALSE(InsertTeam(tenant_a_, "no-tenant").has_value());
}

TEST_F(RowSecurityTest, ATenantCannotWriteAnotherTenantsRows) {
    const TenantScope scope(tenant_a_);
    EXPECT_FALSE(InsertTeam(tenant_b_, "intruder").has_value());
    auto moved = WriteReturning<int64_t>(*db_, [&](Connection& c) {
        return c.Execute("UPDATE teams SET name = 'taken' WHERE tenant_id = $1", {tenant_b_});
    });
    ASSERT_TRUE(moved.has_value());
    EXPECT_EQ(*moved, 0);  // B's rows are invisible, so nothing matched
    // Nor move its own rows to another tenant.
    EXPECT_FALSE(db_->Write(
                        [&](Connection& c) -> Status {
                            auto r = c.Execute("UPDATE teams SET tenant_id = $1", {tenant_b_});
                            return r ? core::Ok() : Status(std::move(r).error());
                        }
    ).has_value());
    const SystemScope check;
    EXPECT_EQ(VisibleTeams().size(), 4u);
}

TEST_F(RowSecurityTest, SystemScopeSeesEveryTenantAndScopesApplyPerStatement) {
    {
        const SystemScope scope;
        EXPECT_EQ(VisibleTeams().size(), 4u);
    }
    // A scope opened inside a transaction applies from the next statement, and the outer one
    // resumes when it closes.
    const TenantScope outer(tenant_a_);
    auto counts = ReadReturning<std::vector<int64_t>>(
        *db_,
        [](Connection& c) -> Result<std::vector<int64_t>> {
            std::vector<int64_t> out;
            auto count = [&]() -> Status {
                VK_ASSIGN_OR_RETURN(Rows r, c.Query("SELECT COUNT(*) FROM teams"));
                out.push_back(AsInt(r.rows[0][0]));
                return core::Ok();
            };
            VK_RETURN_IF_ERROR(count());
            {
                const SystemScope inner;
                VK_RETURN_IF_ERROR(count());
            }
            VK_RETURN_IF_ERROR(count());
            return out;
        }
    );
    ASSERT_TRUE(counts.has_value()) << Describe(counts.error());
    EXPECT_EQ(*counts, (std::vector<int64_t>{2, 4, 2}));
}

TEST_F(RowSecurityTest, ANestedWriteRolledBackRestoresTheOuterScope) {
    const TenantScope outer(tenant_a_);
    auto seen = WriteReturning<int64_t>(*db_, [&](Connection& c) -> Result<int64_t> {
        (void)db_->Write([&](Connection& inner) -> Status {
            const SystemScope system;
            auto all = inner.Query("SELECT COUNT(*) FROM teams");
            if (!all) {
                return std::move(all).error();
            }
            return core::Error::Invalid("rolled back on purpose");
        });
        VK_ASSIGN_OR_RETURN(Rows r, c.Query("SELECT COUNT(*) FROM teams"));
        return AsInt(r.rows[0][0]);
    });
    ASSERT_TRUE(seen.has_value()) << Describe(seen.error());
    EXPECT_EQ(*seen, 2);
}

TEST_F(RowSecurityTest, EveryTenantOwnedTableHasForcedRowSecurity) {
    const SystemScope catalog;
    auto rows = ReadReturning<Rows>(*db_, [](Connection& c) {
        return c.Query(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = current_schema() "
            "AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a WHERE "
            "a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)) "
            "AND NOT (c.relrowsecurity AND c.relforcerowsecurity AND EXISTS (SELECT 1 FROM "
            "pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation'))"
        );
    });
    ASSERT_TRUE(rows.has_value()) << Describe(rows.error());
    std::string unguarded;
    for (const auto& r : rows->rows) {
        unguarded += AsText(r[0]) + " ";
    }
    EXPECT_EQ(
        unguarded, ""
    ) << "call voronka_protect_tenant_table() in the migration that adds them";
}

}  // namespace
}  // namespace voronka::storage
