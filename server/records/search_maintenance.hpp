// Keeps the SQLite full-text index compact. Every group commit adds a small FTS5 segment and
// automerge only merges segments of the same size, so a large index carries many segments; a
// prefix query must merge the matching doclists of every one of them (on a million contacts a
// fully merged index halved the p90 of the search benchmark). PostgreSQL's GIN needs none of it.
#pragma once

#include <chrono>

#include "core/periodic_task.hpp"
#include "core/result.hpp"
#include "storage/database.hpp"

namespace voronka::records {

// One bounded step of merging the search index's segments into one (FTS5 'merge' with a
// negative page count, which merges segments of any level). Returns whether it merged anything;
// false once the index is a single segment. A no-op on PostgreSQL.
core::Result<bool> MergeSearchIndexStep(storage::Connection& tx, int pages);

// Merges the whole index, one short write transaction per step so requests interleave.
core::Status MergeSearchIndex(storage::Database& db, int pages_per_step = 256);

// Runs MergeSearchIndex every `interval` on a thread of its own (SQLite only; zero: never).
class SearchIndexMaintenance {
public:
    SearchIndexMaintenance(storage::Database& db, std::chrono::minutes interval);

private:
    core::PeriodicTask task_;
};

}  // namespace voronka::records
