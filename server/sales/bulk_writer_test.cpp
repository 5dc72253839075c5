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

// The create event's changes are written without building the object; the text must be what
// the JSON library makes of {field: {"from": null, "to": value}}, byte for byte.
TEST_P(BulkWriterTest, CreateEventIsTheJsonLibrarysText) {
    records::EntityDef def;
    def.name = "things";
    def.has_owner = false;
    const core::Json values = {
        {"b_plain", "Иван Petrov"},
        {"a_quoted", "say \"hi\" \\ C:\\dir"},
        {"c_controls", std::string("tab\tnew\nline\x01\x7f end")},
        {"d_int", -42},
        {"e_big", uint64_t{18'000'000'000'000'000'000U}},
        {"f_double", 1.5},
        {"g_bool", true},
        {"h_list", core::Json::array({"x", 1, nullptr})},
        {"i_null", nullptr},
    };
    core::Json expected = core::Json::object();
    for (const auto& [name, value] : values.items()) {
        def.fields.push_back(
            {.name = name,
             .type = value.is_string() ? records::FieldType::kText : records::FieldType::kJson}
        );
        if (!value.is_null()) {
            expected[name] = {{"from", nullptr}, {"to", value}};
        }
    }
    access::RequestContext ctx;
    ctx.tenant_id = 1;
    VK_EXPECT_OK(db().Read([&](Connection& c) -> core::Status {
        VK_ASSIGN_OR_RETURN(
            PreparedRecord prepared, BulkWriter::Prepare(c, ctx, def, false, "id-1", values, 7)
        );
        EXPECT_EQ(storage::AsText(prepared.events.at(0).at(7)), expected.dump());
        return core::Ok();
    }));
}

VORONKA_INSTANTIATE_BACKENDS(BulkWriterTest);

}  // namespace
}  // namespace voronka::sales
