#include "storage/dialect.hpp"

#include <gtest/gtest.h>

namespace voronka::storage {
namespace {

TEST(Dialect, ExactFragmentsForBothDatabases) {
    EXPECT_EQ(JsonText(Dialect::kSqlite, "custom", "tier"), "json_extract(custom, '$.tier')");
    EXPECT_EQ(JsonText(Dialect::kPostgres, "custom", "tier"), "(custom ->> 'tier')");
    EXPECT_EQ(
        JsonNumber(Dialect::kPostgres, "custom", "score"), "(custom ->> 'score')::double precision"
    );
    EXPECT_EQ(UtcMonth(Dialect::kSqlite, "at"), "strftime('%Y-%m', at / 1000000, 'unixepoch')");
    EXPECT_EQ(
        UtcMonth(Dialect::kPostgres, "at"),
        "to_char(TIMESTAMP 'epoch' + at * INTERVAL '1 microsecond', 'YYYY-MM')"
    );
    EXPECT_EQ(NullSafeEquals(Dialect::kSqlite, "a", "$1"), "a IS $1");
    EXPECT_EQ(NullSafeEquals(Dialect::kPostgres, "a", "$1"), "a IS NOT DISTINCT FROM $1");
    EXPECT_EQ(ContainsExpr(Dialect::kSqlite, "name", "$2"), "instr(vk_fold(name), $2) > 0");
    EXPECT_EQ(ContainsExpr(Dialect::kPostgres, "name", "$2"), "name::text ILIKE $2 ESCAPE '\\'");
    EXPECT_EQ(ContainsPattern(Dialect::kSqlite, "ИВ"), "ив");
    EXPECT_EQ(ContainsPattern(Dialect::kPostgres, "50%_off"), "%50\\%\\_off%");
    EXPECT_EQ(StartsPattern(Dialect::kPostgres, "Ив"), "Ив%");
}

TEST(Dialect, RewritesPlaceholdersOutsideQuotes) {
    EXPECT_EQ(
        RewritePlaceholders("SELECT $1, '$2', \"$3\" WHERE a = $12 AND b = $1"),
        "SELECT ?1, '$2', \"$3\" WHERE a = ?12 AND b = ?1"
    );
    EXPECT_EQ(RewritePlaceholders("SELECT 'it''s $1'"), "SELECT 'it''s $1'");
}

}  // namespace
}  // namespace voronka::storage
