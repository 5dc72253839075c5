// SQLite driver: WAL, a pool of read connections, one writer thread with group commit.
#pragma once

#include <memory>
#include <string>

#include "storage/database.hpp"

namespace voronka::storage {

struct SqliteOptions {
    // Most jobs the writer commits in one transaction; each runs in its own savepoint.
    size_t max_batch = 512;
    // A commit is on disk (WAL fsync'd) before Write returns.
    bool durable = true;
    // WAL frames after which the sync thread checkpoints (copies pages back to the database).
    int checkpoint_frames = 4000;
};

// Opens (creating if needed) the database file. ":memory:" opens a private temporary file that
// is removed on close, so that readers and the writer still share one database.
Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, SqliteOptions options = {});

}  // namespace voronka::storage
