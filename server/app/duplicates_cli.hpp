// `voronka duplicates scan`: the duplicate scan of a whole entity from the command line.
#pragma once

#include <ostream>
#include <string>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "storage/database.hpp"
#include <CLI/CLI.hpp>

namespace voronka::app {

struct DuplicatesScanArgs {
    std::string entity = "contacts";  // contacts | companies | leads
    std::string tenant;               // company name; "" = the first (box mode: the only) one
    double threshold = 0.5;
    int threads = 0;     // 0 = all cores
    bool store = false;  // also replace the tenant's duplicate_pairs, as POST /duplicates/scan does
};

// Scans every live record of the entity in the tenant and writes the pairs as CSV to `csv`
// (header + entity,left_id,right_id,score,reasons,left_title,right_title). A summary line goes
// to `log`. `db` must be migrated. Errors: kNotFound (tenant), kInvalid (entity, threshold).
core::Status RunDuplicatesScan(
    storage::Database& db,
    const core::Clock& clock,
    const DuplicatesScanArgs& args,
    std::ostream& csv,
    std::ostream& log
);

// Adds `duplicates scan --db DB --entity E --output FILE|- [--tenant NAME] [--threshold T]
// [--threads N] [--store]` to `app`. Failures print "duplicates scan: <message>" to stderr and
// throw CLI::RuntimeError(1). `clock` must outlive `app`.
void RegisterDuplicatesCommands(CLI::App& app, const core::Clock& clock);

}  // namespace voronka::app
