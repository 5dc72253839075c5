// Fresh, migrated SQLite and PostgreSQL databases for storage suites written once for both.
//
// Usage in any domain's test:
//
//   class DealServiceTest : public voronka::storage::BackendTest {};
//   TEST_P(DealServiceTest, Creates) { ... db() ... dialect() ... }
//   VORONKA_INSTANTIATE_BACKENDS(DealServiceTest);   // DealServiceTest.Creates/Sqlite, /Postgres
//
// Every suite gets its own database per backend, created on first use and removed after the
// suite's last test, so tests inside a suite share it: give each test a fresh tenant or unique
// table names (UniqueName). PostgreSQL uses the cluster at VORONKA_TEST_PG_URL (set by
// scripts/with-postgres.sh) and skips with a message when it is unset.
#pragma once

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "storage/database.hpp"
#include "storage/postgres/postgres_database.hpp"
#include <stdlib.h>
#include <unistd.h>

namespace voronka::storage {

inline constexpr const char* kTestPgUrlEnv = "VORONKA_TEST_PG_URL";

// The PostgreSQL cluster URL for tests, or "" when VORONKA_TEST_PG_URL is unset.
inline std::string TestPostgresUrl() {
    const char* url = std::getenv(kTestPgUrlEnv);
    return url ? url : "";
}

// One line describing an error for assertion messages: code, message and driver text.
inline std::string Describe(const core::Error& e) {
    return "code=" + std::to_string(static_cast<int>(e.code)) + " message='" + e.message +
           "' internal='" + e.internal + "'";
}

// A unique lower-case identifier (prefix_N) for tables or names inside a shared test database.
inline std::string UniqueName(std::string_view prefix) {
    static std::atomic<int> counter{0};
    return std::string(prefix) + "_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
}

namespace fixture_detail {

// Runs one statement outside a transaction (CREATE/DROP DATABASE) on a short-lived connection.
inline core::Status AdminExec(const std::string& url, const std::string& sql) {
    PGconn* conn = PQconnectdb(url.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string text = PQerrorMessage(conn);
        PQfinish(conn);
        return core::Error::Unavailable("Cannot reach the test cluster", text);
    }
    PGresult* res = PQexec(conn, sql.c_str());
    const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    std::string text = ok ? "" : PQresultErrorMessage(res);
    PQclear(res);
    PQfinish(conn);
    if (!ok) {
        return core::Error::Internal(sql + ": " + text);
    }
    return core::Ok();
}

// The same cluster URL pointing at another database; keeps user, host, port and query.
inline std::string WithDatabase(const std::string& url, const std::string& database) {
    const size_t scheme = url.find("://");
    if (scheme == std::string::npos) {
        return url + " dbname=" + database;  // key=value form: the last dbname wins
    }
    const size_t query = url.find('?', scheme + 3);
    const size_t end = std::min(url.find('/', scheme + 3), query);
    std::string out = url.substr(0, std::min(end, url.size())) + "/" + database;
    if (query != std::string::npos) {
        out += url.substr(query);
    }
    return out;
}

}  // namespace fixture_detail

// A Database on a scratch store that is deleted when this object is destroyed: a temp
// directory (SQLite) or a database created from template0 and dropped (PostgreSQL).
class ScratchDatabase final : public Database {
public:
    ScratchDatabase(
        Dialect dialect, std::unique_ptr<Database> inner, std::string location, std::string cleanup
    )
        : dialect_(dialect),
          inner_(std::move(inner)),
          location_(std::move(location)),
          cleanup_(std::move(cleanup)) {}

    ~ScratchDatabase() override {
        inner_.reset();
        if (dialect_ == Dialect::kSqlite) {
            std::error_code ec;
            std::filesystem::remove_all(cleanup_, ec);
        } else {
            (void)fixture_detail::AdminExec(
                TestPostgresUrl(), "DROP DATABASE IF EXISTS " + cleanup_ + " WITH (FORCE)"
            );
        }
    }

    ScratchDatabase(const ScratchDatabase&) = delete;
    ScratchDatabase& operator=(const ScratchDatabase&) = delete;

    // The SQLite file path or the PostgreSQL URL of this database, to open more handles on it.
    const std::string& location() const { return location_; }

    Status Write(const WriteFn& fn) override { return inner_->Write(fn); }

    Status Read(const ReadFn& fn) override { return inner_->Read(fn); }

    Status Migrate() override { return inner_->Migrate(); }

    Status Backup(const std::string& destination) override { return inner_->Backup(destination); }

    Dialect dialect() const override { return dialect_; }

    Status Ping() override { return inner_->Ping(); }

private:
    Dialect dialect_;
    std::unique_ptr<Database> inner_;
    std::string location_;
    std::string cleanup_;  // SQLite: the temp directory; PostgreSQL: the database name
};

// Opens a new, empty database on the given backend and, unless migrate is false, applies all
// migrations. PostgreSQL needs VORONKA_TEST_PG_URL (kUnavailable without it).
inline Result<std::unique_ptr<ScratchDatabase>> OpenTestDatabase(
    Dialect dialect, bool migrate = true
) {
    std::unique_ptr<ScratchDatabase> scratch;
    if (dialect == Dialect::kSqlite) {
        const char* tmp = std::getenv("TMPDIR");
        std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/voronka-test-XXXXXX";
        if (::mkdtemp(dir.data()) == nullptr) {
            return core::Error::Unavailable("Cannot create a temporary directory", dir);
        }
        const std::string path = dir + "/test.db";
        auto db = OpenDatabase(path);
        if (!db) {
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
            return std::move(db).error();
        }
        scratch = std::make_unique<ScratchDatabase>(dialect, std::move(db).value(), path, dir);
    } else {
        const std::string cluster = TestPostgresUrl();
        if (cluster.empty()) {
            return core::Error::Unavailable(
                std::string(kTestPgUrlEnv) + " is not set; run through scripts/with-postgres.sh"
            );
        }
        const std::string name = UniqueName("vk_test");
        VK_RETURN_IF_ERROR(
            fixture_detail::AdminExec(cluster, "CREATE DATABASE " + name + " TEMPLATE template0")
        );
        const std::string url = fixture_detail::WithDatabase(cluster, name);
        auto db = OpenPostgres(url);
        if (!db) {
            (void)fixture_detail::AdminExec(cluster, "DROP DATABASE IF EXISTS " + name);
            return std::move(db).error();
        }
        scratch = std::make_unique<ScratchDatabase>(dialect, std::move(db).value(), url, name);
    }
    if (migrate) {
        VK_RETURN_IF_ERROR(scratch->Migrate());
    }
    return scratch;
}

// Test names: "Sqlite" / "Postgres".
inline std::string BackendName(const ::testing::TestParamInfo<Dialect>& info) {
    return info.param == Dialect::kSqlite ? "Sqlite" : "Postgres";
}

// The rows of a query as text ("NULL" for null), to compare whole tables in tests.
inline std::vector<std::vector<std::string>> QueryAsText(
    Database& db, const std::string& sql, const std::vector<Value>& params
) {
    auto rows = ReadReturning<Rows>(db, [&](Connection& c) { return c.Query(sql, params); });
    EXPECT_TRUE(rows) << Describe(rows.error());
    std::vector<std::vector<std::string>> out;
    for (const auto& r : rows ? rows->rows : std::vector<std::vector<Value>>{}) {
        std::vector<std::string> row;
        for (const auto& v : r) {
            row.push_back(IsNull(v) ? "NULL" : AsText(v));
        }
        out.push_back(std::move(row));
    }
    return out;
}

// Base fixture for suites parameterized by backend; db() is the suite's migrated database.
// A suite that defines its own TearDownTestSuite must call BackendTest::TearDownTestSuite().
class BackendTest : public ::testing::TestWithParam<Dialect> {
protected:
    void SetUp() override {
        if (GetParam() == Dialect::kPostgres && TestPostgresUrl().empty()) {
            GTEST_SKIP() << "PostgreSQL test skipped: " << kTestPgUrlEnv
                         << " is not set (run through scripts/with-postgres.sh; make test does)";
        }
        std::unique_ptr<ScratchDatabase>& slot = Shared()[GetParam()];
        if (!slot) {
            auto opened = OpenTestDatabase(GetParam());
            ASSERT_TRUE(opened.has_value()) << Describe(opened.error());
            slot = std::move(opened).value();
        }
        db_ = slot.get();
    }

    // Drops the suite's databases once its last test has run.
    static void TearDownTestSuite() { Shared().clear(); }

    Database& db() { return *db_; }

    ScratchDatabase& scratch() { return *db_; }

    Dialect dialect() const { return GetParam(); }

private:
    // gtest runs a suite's tests contiguously, so one map serves each suite in turn.
    static std::map<Dialect, std::unique_ptr<ScratchDatabase>>& Shared() {
        static std::map<Dialect, std::unique_ptr<ScratchDatabase>> shared;
        return shared;
    }

    ScratchDatabase* db_ = nullptr;
};

}  // namespace voronka::storage

// Instantiates a BackendTest-derived suite for SQLite and PostgreSQL (names end in /Sqlite,
// /Postgres).
#define VORONKA_INSTANTIATE_BACKENDS(suite)                                              \
    INSTANTIATE_TEST_SUITE_P(                                                            \
        Backends,                                                                        \
        suite,                                                                           \
        ::testing::Values(                                                               \
            ::voronka::storage::Dialect::kSqlite, ::voronka::storage::Dialect::kPostgres \
        ),                                                                               \
        ::voronka::storage::BackendName                                                  \
    )

// Asserts that a Status/Result succeeded, printing the error otherwise.
#define VK_ASSERT_OK(expr)                                              \
    do {                                                                \
        const auto& vk_assert_result_ = (expr);                         \
        ASSERT_TRUE(vk_assert_result_.has_value())                      \
            << ::voronka::storage::Describe(vk_assert_result_.error()); \
    } while (0)

#define VK_EXPECT_OK(expr)                                              \
    do {                                                                \
        const auto& vk_expect_result_ = (expr);                         \
        EXPECT_TRUE(vk_expect_result_.has_value())                      \
            << ::voronka::storage::Describe(vk_expect_result_.error()); \
    } while (0)
