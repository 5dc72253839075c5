#include "storage/batch_insert.hpp"

#include <gtest/gtest.h>

#include "storage/backend_fixture.hpp"

namespace voronka::storage {
namespace {

TEST(PlaceholdersTest, NumbersFromFirst) {
    EXPECT_EQ(Placeholders(3, 3), "$3, $4, $5");
    EXPECT_EQ(Placeholders(1, 0), "");
}

class BatchInsertTest : public BackendTest {
protected:
    static constexpr int64_t kRows = 45;  // six batches of 7 and 3 rows left for Flush
};

TEST_P(BatchInsertTest, WritesEveryRowInBatchesAndTheRest) {
    auto done = db().Write([&](Connection& tx) -> Status {
        VK_RETURN_IF_ERROR(tx.ExecuteScript(
            "DROP TABLE IF EXISTS batch_rows; CREATE TABLE batch_rows (n BIGINT, label TEXT)"
        ));
        BatchInsert insert(tx, "INSERT INTO batch_rows (n, label) VALUES ", 2, "", 7);
        for (int64_t n = 0; n < kRows; ++n) {
            VK_RETURN_IF_ERROR(
                insert.Add({n, n % 3 == 0 ? Value(nullptr) : Value("r" + std::to_string(n))})
            );
        }
        return insert.Flush();
    });
    ASSERT_TRUE(done) << Describe(done.error());
    auto rows = ReadReturning<Rows>(db(), [](Connection& c) {
        return c.Query("SELECT COUNT(*), SUM(n), COUNT(label) FROM batch_rows");
    });
    ASSERT_TRUE(rows);
    EXPECT_EQ(AsInt(rows->rows[0][0]), kRows);
    EXPECT_EQ(AsInt(rows->rows[0][1]), kRows * (kRows - 1) / 2);
    EXPECT_EQ(AsInt(rows->rows[0][2]), kRows - (kRows + 2) / 3);
}

TEST_P(BatchInsertTest, TheTailAppliesToEveryStatement) {
    auto done = db().Write([&](Connection& tx) -> Status {
        VK_RETURN_IF_ERROR(tx.ExecuteScript(
            "DROP TABLE IF EXISTS batch_keys; CREATE TABLE batch_keys (k BIGINT PRIMARY KEY, v "
            "BIGINT)"
        ));
        for (int64_t round = 1; round <= 2; ++round) {
            BatchInsert upsert(
                tx,
                "INSERT INTO batch_keys (k, v) VALUES ",
                2,
                " ON CONFLICT (k) DO UPDATE SET v = excluded.v",
                4
            );
            for (int64_t k = 0; k < 10 * round; ++k) {
                VK_RETURN_IF_ERROR(upsert.Add({k, k * round}));
            }
            VK_RETURN_IF_ERROR(upsert.Flush());
        }
        return core::Ok();
    });
    ASSERT_TRUE(done) << Describe(done.error());
    auto rows = ReadReturning<Rows>(db(), [](Connection& c) {
        return c.Query("SELECT COUNT(*), SUM(v) FROM batch_keys");
    });
    ASSERT_TRUE(rows);
    EXPECT_EQ(AsInt(rows->rows[0][0]), 20);
    EXPECT_EQ(AsInt(rows->rows[0][1]), 2 * (19 * 20 / 2));
}

TEST_P(BatchInsertTest, RejectsARowOfTheWrongWidth) {
    auto done = db().Write([&](Connection& tx) -> Status {
        BatchInsert insert(tx, "INSERT INTO nowhere (a, b) VALUES ", 2);
        return insert.Add({int64_t{1}});
    });
    ASSERT_FALSE(done);
    EXPECT_EQ(done.error().code, core::ErrorCode::kInternal);
}

VORONKA_INSTANTIATE_BACKENDS(BatchInsertTest);

}  // namespace
}  // namespace voronka::storage
