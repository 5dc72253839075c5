// HTTP routes of data quality: duplicates of a record, scans and their pairs, merge and undo,
// and the data-quality report.
#pragma once

#include "core/clock.hpp"
#include "http/router.hpp"
#include "records/record_service.hpp"

namespace voronka::quality {

// Installs the quality fields and hooks on the registered entities (InstallDataQuality) and
// registers, for each of contacts, companies and leads that is registered:
//   GET  /api/v1/{entity}/{id}/duplicates   -> {"data": [{entity, id, title, score, reasons}]}
//   POST /api/v1/{entity}/merge             {"survivor_id", "other_id", "fields"?} -> merge
// and once:
//   POST /api/v1/merges/{id}/undo           -> {"id", "survivor", "other", "reverted", "kept", ...}
//   GET  /api/v1/merges/{id}                -> the merge
//   POST /api/v1/duplicates/scan (admin)    {"entity", "threshold"?} -> {"entity", "records",
//                                            "pairs", "keys_refreshed", "seconds"}
//   GET  /api/v1/duplicates?entity=&limit=&cursor=  -> stored pairs (see ListPairs)
//   GET  /api/v1/quality/report             -> see QualityReport
// Call after every domain registered its entities (leads come with the sales core) and after
// the record engine's routes. `registry`, `records` and `clock` must outlive the router.
void RegisterQualityRoutes(
    http::Router& router,
    records::EntityRegistry& registry,
    records::RecordService& records,
    const core::Clock& clock
);

}  // namespace voronka::quality
