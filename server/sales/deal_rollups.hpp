// Board roll-ups of deals: count and amount sum per (pipeline, stage, owner, currency), kept in
// the writing transaction so the kanban reads a few rows instead of every deal of a pipeline.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "records/metadata.hpp"
#include "storage/database.hpp"

namespace voronka::sales {

// The deals' after-write hook: takes a deal out of the roll-up row of its old key and amount and
// into the row of its new ones (create, update, delete, restore; the engine runs it in the same
// transaction as the write and its event).
records::AfterWriteHook DealRollupHook();

// Recomputes the roll-ups of a tenant from its live deals: for data loaded around the record
// engine (the demo company's bulk writer) and for repair. Migration 0010 does the same for every
// tenant of an existing database.
core::Status RebuildDealRollups(storage::Connection& tx, int64_t tenant_id);

// Live deals of one stage: how many, and per currency how many have an amount and their sum.
struct StageTotals {
    int64_t count = 0;
    std::map<std::string, int64_t> sums;  // currency -> minor units, only with an amount
};

// Totals per stage of the pipeline $2 of the tenant $1 among the deals matching `conditions`
// (" AND ..." on owner_id, or on any deal column when `per_row`; parameters in `params`). Sums
// the roll-up rows, or with `per_row` (a condition that is not a roll-up key, such as a tag)
// counts the live deals themselves.
core::Result<std::map<std::string, StageTotals>> PipelineTotals(
    storage::Connection& c,
    const std::string& conditions,
    const std::vector<storage::Value>& params,
    bool per_row
);

}  // namespace voronka::sales
