// Numbered schema migrations, embedded at build time, the same numbers for both dialects.
#pragma once

#include <string>
#include <vector>

#include "storage/database.hpp"

namespace voronka::storage {

struct Migration {
    int number;
    std::string name;
    std::string sql;
};

const std::vector<Migration>& Embedded_sqlite();
const std::vector<Migration>& Embedded_postgres();

const std::vector<Migration>& MigrationsFor(Dialect dialect);

// Applies every migration newer than the recorded schema version, each in its own transaction,
// recording it in schema_migrations. Safe to call on every start.
Status ApplyMigrations(Database& db);

}  // namespace voronka::storage
