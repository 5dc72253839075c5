// Stage history roll-ups (migration 0015) behind the funnel and velocity: per deal and stage the
// time spent there, and live deals counted per month, filter keys, current stage and the set of
// stages they have been in. Kept by the deals' after-write hook in the writing transaction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "records/metadata.hpp"
#include "storage/database.hpp"

namespace voronka::analytics {

// The deals' after-write hook: rewrites the deal's deal_stage_times rows from its events and
// moves it between deal_funnel_rollups rows (create, update, delete, restore).
records::AfterWriteHook DealStageRollupHook();

// Recounts a tenant's stage roll-ups from its live deals and their events: for data loaded
// around the record engine and for repair. Migration 0015 does the same for every tenant.
core::Status RebuildStageRollups(storage::Connection& tx, int64_t tenant_id);

// The stage ids of a deal_funnel_rollups.visited value.
std::vector<std::string> VisitedStages(const std::string& visited);

// Sorted, distinct stage ids joined by ',': a deal_funnel_rollups.visited value.
std::string VisitedKey(std::vector<std::string> stages);

}  // namespace voronka::analytics
