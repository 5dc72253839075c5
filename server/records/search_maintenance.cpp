#include "records/search_maintenance.hpp"

#include <spdlog/spdlog.h>

namespace voronka::records {

core::Result<bool> MergeSearchIndexStep(storage::Connection& tx, int pages) {
    if (tx.dialect() != storage::Dialect::kSqlite) {
        return false;
    }
    // FTS5 reports merge work through the connection's change counter: a difference of two or
    // more means the step merged something (fts5 documentation, the 'merge' command).
    VK_ASSIGN_OR_RETURN(storage::Rows before, tx.Query("SELECT total_changes()"));
    VK_ASSIGN_OR_RETURN(
        int64_t ignored,
        tx.Execute(
            "INSERT INTO search_fts (search_fts, rank) VALUES ('merge', $1)", {int64_t{-pages}}
        )
    );
    (void)ignored;
    VK_ASSIGN_OR_RETURN(storage::Rows after, tx.Query("SELECT total_changes()"));
    return storage::AsInt(after.rows[0][0]) - storage::AsInt(before.rows[0][0]) >= 2;
}

core::Status MergeSearchIndex(storage::Database& db, int pages_per_step) {
    if (db.dialect() != storage::Dialect::kSqlite) {
        return core::Ok();
    }
    // Bounded: under a steady stream of writes new segments keep arriving; the next run merges
    // them.
    for (int step = 0; step < 100000; ++step) {
        VK_ASSIGN_OR_RETURN(
            bool merged,
            storage::WriteReturning<bool>(
                db,
                [&](storage::Connection& tx) { return MergeSearchIndexStep(tx, pages_per_step); }
            )
        );
        if (!merged) {
            break;
        }
    }
    return core::Ok();
}

SearchIndexMaintenance::SearchIndexMaintenance(storage::Database& db, std::chrono::minutes interval)
    : task_(db.dialect() == storage::Dialect::kSqlite ? interval : std::chrono::minutes(0), [&db] {
          const core::Status done = MergeSearchIndex(db);
          if (!done) {
              spdlog::warn("search index merge failed: {}", done.error().message);
          }
      }) {}

}  // namespace voronka::records
