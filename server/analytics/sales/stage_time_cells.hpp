// Time-in-stage cells (migration 0020): deal_stage_times counted per pipeline, stage and cell of
// time, so the velocity's average and exact median for a whole pipeline read a few thousand
// cells and the rows of the one or two cells where the median lies, not every deal.
//
// A finished row (no open span) falls in a cell of its time: an hour wide up to 730 days, a day
// wide up to 3,650 days, 30 days wide beyond. An open row's time grows with the clock, so it falls
// in a cell of its effective start (open_at minus its finished time), a day wide: at request
// time that cell covers a day of times. A row with neither is counted as untimed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/result.hpp"
#include "storage/database.hpp"

namespace voronka::analytics {

enum class StageTimeKind : char { kFinished = 'f', kOpen = 'o', kUntimed = 'u' };

// One deal_stage_times row as far as the cells need it.
struct StageTimeRow {
    std::string pipeline_id;
    std::string stage_id;
    std::optional<int64_t> closed_micros;
    std::optional<int64_t> open_at;
};

// One deal_stage_time_cells row: the rows in the cell and the sum of their offsets from the
// cell's base (finished: time - base; open: effective start - base), which keeps sums small.
struct StageTimeCell {
    StageTimeKind kind = StageTimeKind::kUntimed;
    int64_t bucket = 0;
    int64_t deals = 0;
    int64_t offset_micros = 0;
};

// Cell changes of a write, keyed by pipeline, stage, kind and bucket.
using StageTimeCellKey = std::tuple<std::string, std::string, char, int64_t>;
using StageTimeCellDeltas = std::map<StageTimeCellKey, StageTimeCell>;

// Adds `sign` times the row to its cell.
void AddStageTimeCell(const StageTimeRow& row, int64_t sign, StageTimeCellDeltas& out);

// Applies the changes in key order (so concurrent writers on PostgreSQL queue, not deadlock).
core::Status WriteStageTimeCells(
    storage::Connection& tx, int64_t tenant_id, const StageTimeCellDeltas& deltas
);

// Recounts a tenant's cells from its deal_stage_times rows.
core::Status RebuildStageTimeCells(storage::Connection& tx, int64_t tenant_id);

// An inclusive range of finished times or of open rows' effective starts, in microseconds.
struct MicrosRange {
    int64_t lo = 0;
    int64_t hi = 0;
};

// Reads the times (now - effective start for open rows) of the rows in the given ranges.
using ReadStageTimes = std::function<core::Result<std::vector<int64_t>>(
    std::optional<MicrosRange> finished, std::optional<MicrosRange> open_starts
)>;

// A stage's velocity figures: rows, timed rows, their total time, and the middle time (or the
// sum of the two middle times of an even count, middle_n = 2).
struct StageTimeSummary {
    int64_t deals = 0;
    int64_t timed = 0;
    int64_t total_micros = 0;
    int64_t middle_micros = 0;
    int64_t middle_n = 0;
};

// The figures of one stage from its cells, reading only the rows of the cells around the median.
core::Result<StageTimeSummary> SummariseStageTimes(
    const std::vector<StageTimeCell>& cells, int64_t now, const ReadStageTimes& read
);

}  // namespace voronka::analytics
