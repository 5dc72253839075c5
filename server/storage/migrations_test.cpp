#include "storage/migrations.hpp"

#include <gtest/gtest.h>

namespace voronka::storage {
namespace {

TEST(Migrations, BothDialectsHoldTheSameNumbersInOrder) {
    const auto& sqlite = MigrationsFor(Dialect::kSqlite);
    const auto& postgres = MigrationsFor(Dialect::kPostgres);
    ASSERT_FALSE(sqlite.empty());
    ASSERT_EQ(sqlite.size(), postgres.size());
    for (size_t i = 0; i < sqlite.size(); ++i) {
        EXPECT_EQ(sqlite[i].number, static_cast<int>(i) + 1);
        EXPECT_EQ(sqlite[i].number, postgres[i].number);
        EXPECT_EQ(sqlite[i].name, postgres[i].name);
    }
}

}  // namespace
}  // namespace voronka::storage
