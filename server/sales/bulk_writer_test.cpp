// BulkWriter::DropSecondaryIndexes on both backends: the demo's bulk load relies on the indexes
// coming back in the same transaction, and staying when that transaction fails.
#include "sales/bulk_writer.hpp"

#include <gtest/gtest.h>

#include "storage/backend_fixture.hpp"

namespace voronka::sales {
namespace {

using storage::Connection;
using storage::Dialect;

class BulkWriterTest : public storage::BackendTest {
protected:
    // Names of the secondary indexes of `table` (SQLite's catalogue; empty on PostgreSQL).
    std::vector<std::string> IndexNames(const std::string& table) {
        std::vector<std::string> names;
        VK_EXPECT_OK(db().Read([&](Connection& c) -> core::Status {
            if (c.dialect() != Dialect::kSqlite) {
                return core::Ok();
            }
            VK_ASSIGN_OR_RETURN(
                storage::Rows rows,
                c.Query(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 "
                    "AND sql IS NOT NULL ORDER BY name",
                    {table}
                )
            );
            for (const auto& row : rows.rows) {
                names.push_back(storage::AsText(row[0]));
            }
            return core::Ok();
        }));
        return names;
    }
};

TEST_P(BulkWriterTest, DroppedIndexesComeBackInTheSameTransaction) {
    const std::vector<std::string> before = IndexNames("contacts");
    if (dialect() == Dialect::kSqlite) {
        ASSERT_GT(before.size(), 3U);
    }
    VK_ASSERT_OK(db().Write([&](Connection& tx) -> core::Status {
        VK_ASSIGN_OR_RETURN(
            std::vector<std::string> create, BulkWriter::DropSecondaryIndexes(tx, "contacts")
        );
        EXPECT_EQ(create.size(), before.size());
        VK_ASSIGN_OR_RETURN(
            storage::Rows left,
            tx.dialect() == Dialect::kSqlite
                ? tx.Query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND "
                           "tbl_name = 'contacts' AND sql IS NOT NULL")
                : tx.Query("SELECT 0")
        );
        EXPECT_EQ(storage::AsInt(left.rows[0][0]), 0);
        for (const std::string& sql : create) {
            VK_RETURN_IF_ERROR(tx.ExecuteScript(sql));
        }
        return core::Ok();
    }));
    EXPECT_EQ(IndexNames("contacts"), before);
}

TEST_P(BulkWriterTest, AFailedLoadKeepsTheIndexes) {
    const std::vector<std::string> before = IndexNames("contacts");
    const core::Status failed = db().Write([&](Connection& tx) -> core::Status {
        VK_ASSIGN_OR_RETURN(auto create, BulkWriter::DropSecondaryIndexes(tx, "contacts"));
        (void)create;
        return core::Error::Invalid("the load failed");
    });
    EXPECT_FALSE(failed);
    EXPECT_EQ(IndexNames("contacts"), before);
}

VORONKA_INSTANTIATE_BACKENDS(BulkWriterTest);

}  // namespace
}  // namespace voronka::sales
