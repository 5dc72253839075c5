// The Database contract, checked once for both backends, plus PostgreSQL driver specifics.
#include "storage/database.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "storage/backend_fixture.hpp"
#include "storage/migrations.hpp"
#include "storage/postgres/postgres_database.hpp"
#include "storage/sqlite/sqlite_database.hpp"

namespace voronka::storage {
namespace {

using core::Error;
using core::ErrorCode;

class StorageTest : public BackendTest {
protected:
    // Creates a table with a unique name in the suite's database and returns the name.
    std::string CreateTable(const std::string& columns) {
        const std::string name = UniqueName("t");
        const Status st = db().Write([&](Connection& c) {
            return c.ExecuteScript("CREATE TABLE " + name + " (" + columns + ")");
        });
        EXPECT_TRUE(st.has_value()) << Describe(st.error());
        return name;
    }

    int64_t Count(const std::string& table) {
        auto n = ReadReturning<int64_t>(db(), [&](Connection& c) -> Result<int64_t> {
            VK_ASSIGN_OR_RETURN(Rows r, c.Query("SELECT COUNT(*) AS n FROM " + table));
            return AsInt(r.rows.at(0).at(0), -1);
        });
        EXPECT_TRUE(n.has_value()) << Describe(n.error());
        return n ? *n : -1;
    }

    Status Insert(const std::string& table, int64_t id) {
        return db().Write([&](Connection& c) -> Status {
            VK_RETURN_IF_ERROR(c.Execute("INSERT INTO " + table + " (id) VALUES ($1)", {id}));
            return core::Ok();
        });
    }
};

// Driver text (SQLite's and PostgreSQL's) that must never reach Error::message.
void ExpectNoDriverText(const Error& e) {
    for (const char* leak :
         {"duplicate", "UNIQUE", "constraint \"", "violates", "SQLITE", "syntax"}) {
        EXPECT_EQ(e.message.find(leak), std::string::npos)
            << "leaked '" << leak << "': " << e.message;
    }
    EXPECT_FALSE(e.internal.empty()) << "driver text belongs in Error::internal";
}

TEST_P(StorageTest, RoundTripsEveryValueType) {
    const std::string t =
        CreateTable("id BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, s TEXT");
    const std::vector<std::vector<Value>> rows = {
        {int64_t{1}, std::numeric_limits<int64_t>::max(), 0.1, std::string("Привет, мир! Ёё")},
        {int64_t{2}, std::numeric_limits<int64_t>::min(), -1.5e300, std::string("")},
        {int64_t{3}, nullptr, nullptr, nullptr},
        {int64_t{4}, int64_t{0}, 1.0 / 3.0, std::string("' \" \\ $1 ?1 😀")},
        {int64_t{5}, int64_t{-1}, 2.0, std::string("12")},
    };
    VK_ASSERT_OK(db().Write([&](Connection& c) -> Status {
        for (const auto& row : rows) {
            VK_RETURN_IF_ERROR(
                c.Execute("INSERT INTO " + t + " (id, i, d, s) VALUES ($1, $2, $3, $4)", row)
            );
        }
        return core::Ok();
    }));
    auto got = ReadReturning<Rows>(db(), [&](Connection& c) {
        return c.Query("SELECT id, i, d, s FROM " + t + " ORDER BY id");
    });
    VK_ASSERT_OK(got);
    EXPECT_EQ(got->columns, (std::vector<std::string>{"id", "i", "d", "s"}));
    ASSERT_EQ(got->size(), rows.size());
    for (size_t r = 0; r < rows.size(); ++r) {
        for (size_t c = 0; c < rows[r].size(); ++c) {
            EXPECT_EQ(got->rows[r][c], rows[r][c]) << "row " << r << " column " << c;
        }
    }
}

TEST_P(StorageTest, AggregatesAndExpressionsComeBackTyped) {
    const std::string t = CreateTable("id BIGINT PRIMARY KEY, amount_minor BIGINT");
    VK_ASSERT_OK(db().Write([&](Connection& c) -> Status {
        VK_RETURN_IF_ERROR(c.Execute(
            "INSERT INTO " + t + " (id, amount_minor) VALUES ($1, $2), ($3, $4)",
            {int64_t{1}, int64_t{150}, int64_t{2}, int64_t{250}}
        ));
        return core::Ok();
    }));
    auto got = ReadReturning<Rows>(db(), [&](Connection& c) {
        return c.Query(
            "SELECT COUNT(*) AS n, SUM(amount_minor) AS total, MAX(amount_minor) AS top FROM " + t
        );
    });
    VK_ASSERT_OK(got);
    ASSERT_EQ(got->size(), 1u);
    EXPECT_EQ(got->Column("total"), 1);
    EXPECT_EQ(got->rows[0][0], Value(int64_t{2}));
    // SUM(bigint) is numeric on PostgreSQL (a double here), an integer on SQLite.
    EXPECT_EQ(AsInt(got->rows[0][1]), 400);
    EXPECT_EQ(got->rows[0][2], Value(int64_t{250}));
}

TEST_P(StorageTest, WriteRollsBackWhenFnFails) {
    const std::string t = CreateTable("id BIGINT PRIMARY KEY");
    const Status st = db().Write([&](Connection& c) -> Status {
        VK_RETURN_IF_ERROR(c.Execute("INSERT INTO " + t + " (id) VALUES ($1)", {int64_t{1}}));
        VK_RETURN_IF_ERROR(c.Execute("INSERT INTO " + t + " (id) VALUES ($1)", {int64_t{2}}));
        return Error::Invalid("stop here");
    });
    ASSERT_FALSE(st.has_value());
    EXPECT_EQ(st.error().code, ErrorCode::kInvalid);
    EXPECT_EQ(st.error().message, "stop here");
    EXPECT_EQ(Count(t), 0);
    // The same statements succeed afterwards: nothing was left half-done on the connection.
    VK_EXPECT_OK(db().Write([&](Connection& c) -> Status {
        return c.Execute("INSERT INTO " + t + " (id) VALUES ($1)", {int64_t{1}}).has_value()
                   ? core::Ok()
                   : Status(Error::Internal("insert failed"));
    }));
    EXPECT_EQ(Count(t), 1);
}

TEST_P(StorageTest, NestedWriteRollsBackOnlyItsOwnWork) {
    const std::string t = CreateTable("id BIGINT PRIMARY KEY");
    VK_ASSERT_OK(db().Write([&](Connection& c) -> Status {
        VK_RETURN_IF_ERROR(c.Execute("INSERT INTO " + t + " (id) VALUES ($1)", {int64_t{1}}));
        const Status inner = db().Write([&](Connection& n) -> Status {
            // Nested: part of the outer transaction, so the outer's uncommitted row is visible.
            VK_ASSIGN_OR_RETURN(Rows seen, n.Query("SELECT COUNT(*) FROM " + t));
            EXPECT_EQ(AsInt(seen.rows.at(0).at(0)), 1);
            VK_RETURN_IF_ERROR(n.Execute("INSERT INTO " + t + " (id) VALUES ($1)", {int64_t{2}}));
            return Error::Conflict("inner gives up");
        });
        EXPECT_FALSE(inner.has_value());
        return c.Execute("INSERT INTO " + t + " (id) VALUES ($1)", {int64_t{3}}).has_value()
                   ? core::Ok()
                   : Status(Error::Internal("outer insert after inner failure failed"));
    }));
    auto ids = ReadReturning<Rows>(db(), [&](Connection& c) {
        return c.Query("SELECT id FROM " + t + " ORDER BY id");
    });
    VK_ASSERT_OK(ids);
    ASSERT_EQ(ids->size(), 2u);
    EXPECT_EQ(AsInt(ids->rows[0][0]), 1);
    EXPECT_EQ(AsInt(ids->rows[1][0]), 3);
}

// Rows for InsertBeforeCommit: on SQLite written at commit in ascending key order (the table's
// serial shows the order), dropped by DropBeforeCommit or with a failed nested write; on
// PostgreSQL written at once, as called.
TEST_P(StorageTest, RowsBeforeCommitGoInKeyOrderAndLeaveWithTheirWork) {
    const std::string t = CreateTable(
        GetParam() == Dialect::kSqlite ? "serial INTEGER PRIMARY KEY, id BIGINT"
                                       : "serial BIGSERIAL PRIMARY KEY, id BIGINT"
    );
    const std::string insert = "INSERT INTO " + t + " (id) VALUES ($1)";
    VK_ASSERT_OK(db().Write([&](Connection& c) -> Status {
        for (int64_t id : {30, 10, 50, 20}) {
            VK_RETURN_IF_ERROR(c.InsertBeforeCommit(id, insert, {id}));
        }
        EXPECT_EQ(c.DropBeforeCommit(50), GetParam() == Dialect::kSqlite);
        EXPECT_FALSE(c.DropBeforeCommit(99));
        const Status inner = db().Write([&](Connection& n) -> Status {
            VK_RETURN_IF_ERROR(n.InsertBeforeCommit(40, insert, {int64_t{40}}));
            EXPECT_EQ(n.DropBeforeCommit(10), GetParam() == Dialect::kSqlite);
            return Error::Conflict("inner gives up");
        });
        EXPECT_FALSE(inner.has_value());
        return core::Ok();
    }));
    // A failed write leaves none of its rows.
    EXPECT_FALSE(db().Write(
                         [&](Connection& c) -> Status {
                             VK_RETURN_IF_ERROR(c.InsertBeforeCommit(5, insert, {int64_t{5}}));
                             return Error::Conflict("gives up");
                         }
    ).has_value());
    auto ids = ReadReturning<Rows>(db(), [&](Connection& c) {
        return c.Query("SELECT id FROM " + t + " ORDER BY serial");
    });
    VK_ASSERT_OK(ids);
    std::vector<int64_t> got;
    for (const auto& row : ids->rows) {
        got.push_back(AsInt(row[0]));
    }
    // On PostgreSQL the dropped 50 was already written, the inner 40 rolled back with its
    // savepoint.
    const std::vector<int64_t> want = GetParam() == Dialect::kSqlite
                                          ? std::vector<int64_t>{10, 20, 30}
                                          : std::vector<int64_t>{30, 10, 50, 20};
    EXPECT_EQ(got, want);
}

TEST_P(StorageTest, UniqueViolationIsConflictWithDriverTextOnlyInternal) {
    const std::string t = CreateTable("id BIGINT PRIMARY KEY, email TEXT NOT NULL UNIQUE");
    auto insert = [&](int64_t id, const std::string& email) {
        return db().Write([&](Connection& c) -> Status {
            VK_RETURN_IF_ERROR(
                c.Execute("INSERT INTO " + t + " (id, email) VALUES ($1, $2)", {id, email})
            );
            return core::Ok();
        });
    };
    VK_ASSERT_OK(insert(1, "anna@example.ru"));
    const Status dup = insert(2, "anna@example.ru");
    ASSERT_FALSE(dup.has_value());
    EXPECT_EQ(dup.error().code, ErrorCode::kConflict) << Describe(dup.error());
    ExpectNoDriverText(dup.error());
    EXPECT_EQ(Count(t), 1);
}

TEST_P(StorageTest, CheckAndNotNullViolationsAreInvalid) {
    const std::string t =
        CreateTable("id BIGINT PRIMARY KEY, qty BIGINT NOT NULL CHECK (qty >= 0)");
    for (const Value& qty : {Value(int64_t{-1}), Value(nullptr)}) {
        const Status st = db().Write([&](Connection& c) -> Status {
            VK_RETURN_IF_ERROR(
                c.Execute("INSERT INTO " + t + " (id, qty) VALUES ($1, $2)", {int64_t{1}, qty})
            );
            return core::Ok();
        });
        ASSERT_FALSE(st.has_value());
        EXPECT_EQ(st.error().code, ErrorCode::kInvalid) << Describe(st.error());
        ExpectNoDriverText(st.error());
    }
    EXPECT_EQ(Count(t), 0);
}

TEST_P(StorageTest, ConcurrentWritesFromEightThreadsAllLand) {
    const std::string items = CreateTable("id BIGINT PRIMARY KEY, thread BIGINT NOT NULL");
    const std::string counter = CreateTable("id BIGINT PRIMARY KEY, n BIGINT NOT NULL");
    VK_ASSERT_OK(db().Write([&](Connection& c) -> Status {
        VK_RETURN_IF_ERROR(c.Execute("INSERT INTO " + counter + " (id, n) VALUES (1, 0)"));
        return core::Ok();
    }));
    constexpr int kThreads = 8;
    constexpr int kWritesPerThread = 25;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int th = 0; th < kThreads; ++th) {
        threads.emplace_back([&, th] {
            for (int i = 0; i < kWritesPerThread; ++i) {
                const Status st = db().Write([&](Connection& c) -> Status {
                    VK_RETURN_IF_ERROR(c.Execute(
                        "INSERT INTO " + items + " (id, thread) VALUES ($1, $2)",
                        {int64_t{th * 1000 + i}, int64_t{th}}
                    ));
                    VK_RETURN_IF_ERROR(
                        c.Execute("UPDATE " + counter + " SET n = n + 1 WHERE id = 1")
                    );
                    return core::Ok();
                });
                if (!st) {
                    ADD_FAILURE() << Describe(st.error());
                    ++failures;
                }
            }
        });
    }
    for (std::thread& t : threads) {
        t.join();
    }
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(Count(items), kThreads * kWritesPerThread);
    auto n = ReadReturning<Rows>(db(), [&](Connection& c) {
        return c.Query("SELECT n FROM " + counter + " WHERE id = 1");
    });
    VK_ASSERT_OK(n);
    EXPECT_EQ(AsInt(n->rows.at(0).at(0)), kThreads * kWritesPerThread);
}

TEST_P(StorageTest, ReadSeesCommittedDataInOneSnapshot) {
    const std::string t = CreateTable("id BIGINT PRIMARY KEY");
    VK_ASSERT_OK(Insert(t, 1));
    EXPECT_EQ(Count(t), 1);
    int64_t before = -1;
    int64_t after = -1;
    VK_ASSERT_OK(db().Read([&](Connection& c) -> Status {
        VK_ASSIGN_OR_RETURN(Rows first, c.Query("SELECT COUNT(*) FROM " + t));
        before = AsInt(first.rows.at(0).at(0));
        // A write that commits while this read is open must not show up in it.
        Status concurrent;
        std::thread writer([&] { concurrent = Insert(t, 2); });
        writer.join();
        VK_RETURN_IF_ERROR(concurrent);
        VK_ASSIGN_OR_RETURN(Rows second, c.Query("SELECT COUNT(*) FROM " + t));
        after = AsInt(second.rows.at(0).at(0));
        return core::Ok();
    }));
    EXPECT_EQ(before, 1);
    EXPECT_EQ(after, 1);
    EXPECT_EQ(Count(t), 2);
}

TEST_P(StorageTest, MigrationsApplyAgainIdempotently) {
    VK_ASSERT_OK(db().Migrate());
    VK_ASSERT_OK(db().Migrate());
    auto applied = ReadReturning<Rows>(db(), [](Connection& c) {
        return c.Query("SELECT number FROM schema_migrations ORDER BY number");
    });
    VK_ASSERT_OK(applied);
    const std::vector<Migration>& expected = MigrationsFor(dialect());
    ASSERT_FALSE(expected.empty());
    ASSERT_EQ(applied->size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(AsInt(applied->rows[i][0]), expected[i].number);
    }
}

TEST_P(StorageTest, PlaceholdersRepeatAndGoPastNine) {
    const std::string t = CreateTable("id BIGINT PRIMARY KEY, a TEXT, b TEXT");
    VK_ASSERT_OK(db().Write([&](Connection& c) -> Status {
        VK_RETURN_IF_ERROR(c.Execute(
            "INSERT INTO " + t + " (id, a, b) VALUES ($2, $1, $1)", {std::string("икс"), int64_t{7}}
        ));
        VK_RETURN_IF_ERROR(c.Execute(
            "INSERT INTO " + t + " (id, a, b) VALUES ($1, $2, $3)",
            {int64_t{8}, std::string("икс"), std::string("other")}
        ));
        return core::Ok();
    }));
    auto same = ReadReturning<Rows>(db(), [&](Connection& c) {
        return c.Query("SELECT id FROM " + t + " WHERE a = $1 AND b = $1", {std::string("икс")});
    });
    VK_ASSERT_OK(same);
    ASSERT_EQ(same->size(), 1u);
    EXPECT_EQ(AsInt(same->rows[0][0]), 7);

    std::vector<Value> params;
    for (int64_t i = 100; i < 109; ++i) {
        params.emplace_back(i);  // $1..$9 match nothing
    }
    params.emplace_back(int64_t{8});            // $10
    params.emplace_back(std::string("other"));  // $11
    auto wide = ReadReturning<Rows>(db(), [&](Connection& c) {
        return c.Query(
            "SELECT id, b FROM " + t +
                " WHERE id IN ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) AND b = $11",
            params
        );
    });
    VK_ASSERT_OK(wide);
    ASSERT_EQ(wide->size(), 1u);
    EXPECT_EQ(AsInt(wide->rows[0][0]), 8);
    EXPECT_EQ(wide->rows[0][1], Value(std::string("other")));
}

TEST_P(StorageTest, ExecuteReportsChangedRows) {
    const std::string t = CreateTable("id BIGINT PRIMARY KEY, v BIGINT");
    VK_ASSERT_OK(db().Write([&](Connection& c) -> Status {
        VK_ASSIGN_OR_RETURN(
            int64_t inserted,
            c.Execute("INSERT INTO " + t + " (id, v) VALUES (1, 0), (2, 0), (3, 0)")
        );
        EXPECT_EQ(inserted, 3);
        VK_ASSIGN_OR_RETURN(
            int64_t updated,
            c.Execute("UPDATE " + t + " SET v = v + 1 WHERE id >= $1", {int64_t{2}})
        );
        EXPECT_EQ(updated, 2);
        VK_ASSIGN_OR_RETURN(
            int64_t deleted, c.Execute("DELETE FROM " + t + " WHERE id = $1", {int64_t{42}})
        );
        EXPECT_EQ(deleted, 0);
        return core::Ok();
    }));
}

TEST_P(StorageTest, BadSqlIsInternalErrorAndDatabaseStaysUsable) {
    const std::string t = CreateTable("id BIGINT PRIMARY KEY");
    const std::vector<std::string> bad = {
        "SELEC 1",
        "SELECT * FROM no_such_table_anywhere",
        "SELECT no_such_column FROM " + t,
    };
    for (const std::string& sql : bad) {
        const Status w = db().Write([&](Connection& c) -> Status {
            VK_RETURN_IF_ERROR(c.Query(sql));
            return core::Ok();
        });
        ASSERT_FALSE(w.has_value()) << sql;
        EXPECT_EQ(w.error().code, ErrorCode::kInternal) << sql << ": " << Describe(w.error());
        EXPECT_EQ(w.error().message, "Internal error") << sql;
        ExpectNoDriverText(w.error());
        const Status r = db().Read([&](Connection& c) -> Status {
            VK_RETURN_IF_ERROR(c.Query(sql));
            return core::Ok();
        });
        ASSERT_FALSE(r.has_value()) << sql;
        EXPECT_EQ(r.error().code, ErrorCode::kInternal) << sql << ": " << Describe(r.error());
    }
    VK_EXPECT_OK(db().Ping());
    VK_EXPECT_OK(Insert(t, 1));
    EXPECT_EQ(Count(t), 1);
}

TEST_P(StorageTest, BackupWritesAFile) {
    const std::string t = CreateTable("id BIGINT PRIMARY KEY");
    VK_ASSERT_OK(Insert(t, 1));
    const std::filesystem::path dest =
        std::filesystem::temp_directory_path() / (UniqueName("voronka-backup") + ".bak");
    VK_ASSERT_OK(db().Backup(dest.string()));
    std::error_code ec;
    EXPECT_GT(std::filesystem::file_size(dest, ec), 0u) << ec.message();
    std::filesystem::remove(dest, ec);
}

VORONKA_INSTANTIATE_BACKENDS(StorageTest);

// PostgreSQL driver behaviour that SQLite has no counterpart for.
class PostgresDriverTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (TestPostgresUrl().empty()) {
            return;
        }
        auto opened = OpenTestDatabase(Dialect::kPostgres, /*migrate=*/false);
        ASSERT_TRUE(opened.has_value()) << Describe(opened.error());
        scratch_ = std::move(opened).value().release();
    }

    static void TearDownTestSuite() {
        delete scratch_;
        scratch_ = nullptr;
    }

    void SetUp() override {
        if (TestPostgresUrl().empty()) {
            GTEST_SKIP() << "PostgreSQL test skipped: " << kTestPgUrlEnv
                         << " is not set (run through scripts/with-postgres.sh)";
        }
        ASSERT_NE(scratch_, nullptr);
    }

    static Database& db() { return *scratch_; }

    // A second handle on the same database with its own pool.
    static std::unique_ptr<Database> OpenAnother(int pool_size) {
        auto opened = OpenPostgres(scratch_->location(), pool_size);
        EXPECT_TRUE(opened.has_value()) << Describe(opened.error());
        return opened ? std::move(opened).value() : nullptr;
    }

    static Result<Rows> ReadQuery(
        Database& on, const std::string& sql, std::vector<Value> params = {}
    ) {
        return ReadReturning<Rows>(on, [&](Connection& c) { return c.Query(sql, params); });
    }

    static inline ScratchDatabase* scratch_ = nullptr;
};

TEST_F(PostgresDriverTest, SessionsRunInUtcWithSynchronousCommit) {
    auto got = ReadQuery(
        db(), "SELECT current_setting('TimeZone'), current_setting('synchronous_commit')"
    );
    VK_ASSERT_OK(got);
    EXPECT_EQ(got->rows.at(0).at(0), Value(std::string("UTC")));
    EXPECT_EQ(got->rows.at(0).at(1), Value(std::string("on")));
}

TEST_F(PostgresDriverTest, ResultsAreTypedByColumnType) {
    auto got = ReadQuery(
        db(),
        "SELECT 1::int2 AS a, 2::int4 AS b, 3::int8 AS c, 1.5::float4 AS d, 2.5::float8 AS e, "
        "3.25::numeric AS f, true AS g, false AS h, 'x'::text AS i, '{\"k\": 1}'::jsonb AS j, "
        "NULL::bigint AS k, 'Ёж'::varchar AS l"
    );
    VK_ASSERT_OK(got);
    const std::vector<Value> expected = {
        int64_t{1},
        int64_t{2},
        int64_t{3},
        1.5,
        2.5,
        3.25,
        int64_t{1},
        int64_t{0},
        std::string("x"),
        std::string("{\"k\": 1}"),
        nullptr,
        std::string("Ёж"),
    };
    ASSERT_EQ(got->rows.at(0).size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(got->rows[0][i], expected[i]) << "column " << got->columns[i];
    }
}

TEST_F(PostgresDriverTest, SendsDoublesAndLargeIntegersExactly) {
    const double third = 1.0 / 3.0;
    auto got = ReadQuery(
        db(),
        "SELECT $1::float8 AS d, $2::bigint AS i, $3::bigint IS NULL AS n",
        {third, std::numeric_limits<int64_t>::min(), nullptr}
    );
    VK_ASSERT_OK(got);
    EXPECT_EQ(got->rows[0][0], Value(third));
    EXPECT_EQ(got->rows[0][1], Value(std::numeric_limits<int64_t>::min()));
    EXPECT_EQ(got->rows[0][2], Value(int64_t{1}));
}

TEST_F(PostgresDriverTest, RetriesSerializationFailureOnce) {
    const std::string t = UniqueName("retry");
    VK_ASSERT_OK(db().Write([&](Connection& c) {
        return c.ExecuteScript("CREATE TABLE " + t + " (id BIGINT PRIMARY KEY)");
    }));
    int attempts = 0;
    const Status st = db().Write([&](Connection& c) -> Status {
        ++attempts;
        VK_RETURN_IF_ERROR(c.Execute("INSERT INTO " + t + " (id) VALUES (1)"));
        if (attempts == 1) {
            VK_RETURN_IF_ERROR(c.Execute(
                "DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = 'serialization_failure'; "
                "END $$"
            ));
        }
        return core::Ok();
    });
    VK_EXPECT_OK(st);
    EXPECT_EQ(attempts, 2);
    auto n = ReadQuery(db(), "SELECT COUNT(*) FROM " + t);
    VK_ASSERT_OK(n);
    EXPECT_EQ(n->rows[0][0], Value(int64_t{1}));
}

TEST_F(PostgresDriverTest, GivesUpAfterOneRetryAndNeverRetriesOtherErrors) {
    struct Case {
        const char* errcode;
        ErrorCode expected;
        int attempts;
    };

    for (const Case& k : {
             Case{"deadlock_detected", ErrorCode::kUnavailable, 2},
             Case{"unique_violation", ErrorCode::kConflict, 1},
             Case{"raise_exception", ErrorCode::kInternal, 1},
         }) {
        int attempts = 0;
        const Status st = db().Write([&](Connection& c) -> Status {
            ++attempts;
            VK_RETURN_IF_ERROR(c.Execute(
                std::string("DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '") +
                k.errcode + "'; END $$"
            ));
            return core::Ok();
        });
        ASSERT_FALSE(st.has_value()) << k.errcode;
        EXPECT_EQ(st.error().code, k.expected) << k.errcode << ": " << Describe(st.error());
        EXPECT_EQ(attempts, k.attempts) << k.errcode;
        ExpectNoDriverText(st.error());
    }
}

TEST_F(PostgresDriverTest, IgnoredStatementErrorStillFailsTheWrite) {
    const std::string t = UniqueName("swallow");
    VK_ASSERT_OK(db().Write([&](Connection& c) {
        return c.ExecuteScript("CREATE TABLE " + t + " (id BIGINT PRIMARY KEY)");
    }));
    const Status st = db().Write([&](Connection& c) -> Status {
        VK_RETURN_IF_ERROR(c.Execute("INSERT INTO " + t + " (id) VALUES (1)"));
        (void)c.Query("SELECT * FROM no_such_table");  // error ignored on purpose
        return core::Ok();
    });
    ASSERT_FALSE(st.has_value());
    EXPECT_EQ(st.error().code, ErrorCode::kInternal) << Describe(st.error());
    auto n = ReadQuery(db(), "SELECT COUNT(*) FROM " + t);
    VK_ASSERT_OK(n);
    EXPECT_EQ(n->rows[0][0], Value(int64_t{0}));
}

TEST_F(PostgresDriverTest, ReadIsReadOnly) {
    const Status st = db().Read([](Connection& c) -> Status {
        return c.ExecuteScript("CREATE TABLE must_not_exist (id BIGINT)");
    });
    ASSERT_FALSE(st.has_value());
    EXPECT_EQ(st.error().code, ErrorCode::kInternal) << Describe(st.error());
}

TEST_F(PostgresDriverTest, BrokenConnectionIsReplaced) {
    std::unique_ptr<Database> one = OpenAnother(/*pool_size=*/1);
    ASSERT_NE(one, nullptr);
    const Status killed = one->Write([](Connection& c) -> Status {
        VK_RETURN_IF_ERROR(c.Query("SELECT pg_terminate_backend(pg_backend_pid())"));
        return core::Ok();
    });
    ASSERT_FALSE(killed.has_value());
    EXPECT_EQ(killed.error().code, ErrorCode::kUnavailable) << Describe(killed.error());
    VK_EXPECT_OK(one->Ping());
    auto got = ReadQuery(*one, "SELECT 1");
    VK_EXPECT_OK(got);
}

TEST_F(PostgresDriverTest, IdleConnectionKilledByServerIsReconnectedTransparently) {
    std::unique_ptr<Database> one = OpenAnother(/*pool_size=*/1);
    ASSERT_NE(one, nullptr);
    auto pid = ReadQuery(*one, "SELECT pg_backend_pid()");
    VK_ASSERT_OK(pid);
    // pg_terminate_backend(pid, timeout) waits until the backend is gone.
    auto terminated =
        ReadQuery(db(), "SELECT pg_terminate_backend($1::int, 10000)", {pid->rows[0][0]});
    VK_ASSERT_OK(terminated);
    ASSERT_EQ(terminated->rows[0][0], Value(int64_t{1}));
    auto again = ReadQuery(*one, "SELECT pg_backend_pid()");
    VK_ASSERT_OK(again);
    EXPECT_NE(again->rows[0][0], pid->rows[0][0]);
    VK_EXPECT_OK(one->Write([](Connection& c) -> Status {
        VK_RETURN_IF_ERROR(c.Query("SELECT 1"));
        return core::Ok();
    }));
}

TEST_F(PostgresDriverTest, CachedStatementsFollowSchemaChanges) {
    std::unique_ptr<Database> one = OpenAnother(/*pool_size=*/1);
    ASSERT_NE(one, nullptr);
    const std::string t = UniqueName("shape");
    VK_ASSERT_OK(one->Write([&](Connection& c) {
        return c.ExecuteScript("CREATE TABLE " + t + " (id BIGINT PRIMARY KEY)");
    }));
    const std::string select_all = "SELECT * FROM " + t;
    auto before = ReadQuery(*one, select_all);
    VK_ASSERT_OK(before);
    EXPECT_EQ(before->columns.size(), 1u);
    VK_ASSERT_OK(one->Write([&](Connection& c) {
        return c.ExecuteScript("ALTER TABLE " + t + " ADD COLUMN custom TEXT");
    }));
    auto after = ReadQuery(*one, select_all);
    VK_ASSERT_OK(after);
    EXPECT_EQ(after->columns, (std::vector<std::string>{"id", "custom"}));
}

TEST_F(PostgresDriverTest, WrongParameterCountIsInternalNotUnavailable) {
    auto got = ReadQuery(db(), "SELECT $1::bigint + $2::bigint", {int64_t{1}});
    ASSERT_FALSE(got.has_value());
    EXPECT_EQ(got.error().code, ErrorCode::kInternal) << Describe(got.error());
}

TEST_F(PostgresDriverTest, UnreachableServerIsUnavailable) {
    // Port 1 on loopback: nothing listens there.
    auto opened = OpenPostgres("postgresql://postgres@127.0.0.1:1/postgres?connect_timeout=2", 1);
    ASSERT_FALSE(opened.has_value());
    EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable) << Describe(opened.error());
    EXPECT_EQ(opened.error().message.find("127.0.0.1"), std::string::npos);
}

TEST_F(PostgresDriverTest, BackupIsACustomFormatDump) {
    const std::filesystem::path dest =
        std::filesystem::temp_directory_path() / (UniqueName("voronka-pgdump") + ".dump");
    VK_ASSERT_OK(db().Backup(dest.string()));
    std::ifstream in(dest, std::ios::binary);
    std::string magic(5, '\0');
    in.read(magic.data(), 5);
    EXPECT_EQ(magic, "PGDMP");
    std::error_code ec;
    std::filesystem::remove(dest, ec);
}

// Planner statistics appear once the event log has grown past the last analysed size, and only
// then: a small database is not analysed at every open.
TEST(SqliteDriverTest, RefreshesPlannerStatisticsWhenTheEventLogHasGrown) {
    const std::filesystem::path file =
        std::filesystem::temp_directory_path() / (UniqueName("voronka-stat") + ".db");
    auto stat_rows = [&](Database& db) {
        return ReadReturning<int64_t>(db, [](Connection& c) -> Result<int64_t> {
            VK_ASSIGN_OR_RETURN(
                Rows r, c.Query("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            );
            if (AsInt(r.rows.at(0).at(0)) == 0) {
                return int64_t{0};
            }
            VK_ASSIGN_OR_RETURN(Rows n, c.Query("SELECT COUNT(*) FROM sqlite_stat1"));
            return AsInt(n.rows.at(0).at(0));
        });
    };
    auto add_events = [](Database& db, int n, const std::string& prefix) {
        return db.Write([n, &prefix](Connection& c) -> Status {
            for (int i = 0; i < n; ++i) {
                VK_RETURN_IF_ERROR(c.Execute(
                    "INSERT INTO events (tenant_id, entity, record_id, version, action, actor_id, "
                    "at, changes) VALUES (1, 'contacts', $1, 1, 'create', NULL, 1, '{}')",
                    {prefix + std::to_string(i)}
                ));
            }
            return core::Ok();
        });
    };
    {
        auto db = OpenSqlite(file.string());
        VK_ASSERT_OK(db);
        VK_ASSERT_OK(ApplyMigrations(**db));
        VK_ASSERT_OK(add_events(**db, 10, "a"));
    }
    {
        auto db = OpenSqlite(file.string());
        VK_ASSERT_OK(db);
        auto before = stat_rows(**db);
        VK_ASSERT_OK(before);
        EXPECT_EQ(*before, 0);  // 10 events: not worth it
        VK_ASSERT_OK(add_events(**db, 1500, "b"));
    }
    auto db = OpenSqlite(file.string());
    VK_ASSERT_OK(db);
    auto after = stat_rows(**db);
    VK_ASSERT_OK(after);
    EXPECT_GT(*after, 0);  // analysed when the second process closed
    db->reset();
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::error_code ec;
        std::filesystem::remove(file.string() + suffix, ec);
    }
}

}  // namespace
}  // namespace voronka::storage
