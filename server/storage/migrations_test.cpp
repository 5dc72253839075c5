#include "storage/migrations.hpp"

#include <gtest/gtest.h>

namespace voronka::storage {
namespace {

TEST(Migrations, BothDialectsHoldTheSameNumbersInOrder) {
    const auto& sqlite = MigrationsFor(Dialect::kSqlite);
    const auto& postgres = MigrationsFor(Dialect::kPostgres);
    ASSERT_FALSE(sqlite.empty());
    ASSERT_EQ(sqlite.size(), postgres.size());
    EXPECT_EQ(sqlite[0].number, 1);
    for (size_t i = 0; i < sqlite.size(); ++i) {
        // Numbers are reserved per branch of work, so one may be missing until its branch lands;
        // the runner applies each missing number, whatever the gaps.
        if (i > 0) {
            EXPECT_GT(sqlite[i].number, sqlite[i - 1].number);
        }
        EXPECT_EQ(sqlite[i].number, postgres[i].number);
        EXPECT_EQ(sqlite[i].name, postgres[i].name);
    }
}

}  // namespace
}  // namespace voronka::storage
