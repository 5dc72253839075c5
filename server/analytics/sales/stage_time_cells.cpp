// Time-in-stage cells: their arithmetic, upkeep and the median search over them.
#include "analytics/sales/stage_time_cells.hpp"

#include <algorithm>
#include <limits>

#include "storage/batch_insert.hpp"

namespace voronka::analytics {

using core::Status;

namespace {

// Sums of a million times in microseconds can pass int64.
__extension__ typedef __int128 WideSum;

constexpr int64_t kHour = 3'600'000'000;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kHourCells = 730 * 24;           // hour-wide cells: times below 730 days
constexpr int64_t kHourPart = kHourCells * kHour;  // 730 days
constexpr int64_t kDayCells = 3650 - 730;          // then day-wide cells up to 3,650 days
constexpr int64_t kDayPart = kHourPart + kDayCells * kDay;
constexpr int64_t kWide = 30 * kDay;  // then 30 days wide
// Below every time a finished cell can hold, with room to subtract one.
constexpr int64_t kFar = std::numeric_limits<int64_t>::min() / 4;

int64_t FinishedBucket(int64_t micros) {
    if (micros < 0) {
        return -1;
    }
    if (micros < kHourPart) {
        return micros / kHour;
    }
    if (micros < kDayPart) {
        return kHourCells + (micros - kHourPart) / kDay;
    }
    return kHourCells + kDayCells + (micros - kDayPart) / kWide;
}

int64_t FinishedBase(int64_t bucket) {
    if (bucket < 0) {
        return 0;
    }
    if (bucket < kHourCells) {
        return bucket * kHour;
    }
    if (bucket < kHourCells + kDayCells) {
        return kHourPart + (bucket - kHourCells) * kDay;
    }
    return kDayPart + (bucket - kHourCells - kDayCells) * kWide;
}

// Inclusive range of the times in a finished cell.
MicrosRange FinishedRange(int64_t bucket) {
    if (bucket < 0) {
        return {kFar, -1};
    }
    return {FinishedBase(bucket), FinishedBase(bucket + 1) - 1};
}

// Open cells hold effective starts by the day, truncated towards zero as SQL divides.
int64_t OpenBucket(int64_t start) { return start / kDay; }

MicrosRange OpenStarts(int64_t bucket) {
    if (bucket > 0) {
        return {bucket * kDay, bucket * kDay + kDay - 1};
    }
    if (bucket == 0) {
        return {-(kDay - 1), kDay - 1};
    }
    return {bucket * kDay - kDay + 1, bucket * kDay};
}

// The cell SQL for both dialects: kind and the value the bucket is taken of, then the bucket,
// then the offset from its base; the same arithmetic as the functions above.
std::string CellRowsSql(const std::string& where) {
    const std::string h = std::to_string(kHour);
    const std::string d = std::to_string(kDay);
    const std::string hp = std::to_string(kHourPart);
    const std::string dp = std::to_string(kDayPart);
    const std::string w = std::to_string(kWide);
    const std::string hc = std::to_string(kHourCells);
    const std::string dc = std::to_string(kHourCells + kDayCells);
    const std::string bucket =
        "CASE kind WHEN 'o' THEN v / " + d + " WHEN 'u' THEN 0 ELSE CASE WHEN v < 0 THEN -1 " +
        "WHEN v < " + hp + " THEN v / " + h + " WHEN v < " + dp + " THEN " + hc + " + (v - " + hp +
        ") / " + d + " ELSE " + dc + " + (v - " + dp + ") / " + w + " END END";
    const std::string base = "CASE kind WHEN 'o' THEN bucket * " + d +
                             " WHEN 'u' THEN 0 ELSE CASE WHEN bucket < 0 THEN 0 WHEN bucket < " +
                             hc + " THEN bucket * " + h + " WHEN bucket < " + dc + " THEN " + hp +
                             " + (bucket - " + hc + ") * " + d + " ELSE " + dp + " + (bucket - " +
                             dc + ") * " + w + " END END";
    return "SELECT tenant_id, pipeline_id, stage_id, kind, bucket, COUNT(*) AS deals, "
           "CAST(SUM(v - " +
           base +
           ") AS BIGINT) AS offset_micros FROM (SELECT tenant_id, pipeline_id, stage_id, "
           "kind, v, " +
           bucket +
           " AS bucket FROM (SELECT tenant_id, pipeline_id, stage_id, CASE WHEN open_at IS NOT "
           "NULL THEN 'o' WHEN closed_micros IS NOT NULL THEN 'f' ELSE 'u' END AS kind, CASE "
           "WHEN open_at IS NOT NULL THEN open_at - COALESCE(closed_micros, 0) ELSE "
           "COALESCE(closed_micros, 0) END AS v FROM deal_stage_times" +
           where + ") t) b GROUP BY tenant_id, pipeline_id, stage_id, kind, bucket";
}

Status Done(core::Result<int64_t> r) { return r ? core::Ok() : Status(std::move(r).error()); }

// A cell at request time: its inclusive range of times, its rows, and where its rows are.
struct TimedCell {
    MicrosRange times;
    int64_t deals = 0;
    bool open = false;
    MicrosRange stored;  // finished times or open effective starts
};

}  // namespace

void AddStageTimeCell(const StageTimeRow& row, int64_t sign, StageTimeCellDeltas& out) {
    StageTimeKind kind = StageTimeKind::kUntimed;
    int64_t bucket = 0;
    int64_t offset = 0;
    if (row.open_at) {
        const int64_t start = *row.open_at - row.closed_micros.value_or(0);
        kind = StageTimeKind::kOpen;
        bucket = OpenBucket(start);
        offset = start - bucket * kDay;
    } else if (row.closed_micros) {
        kind = StageTimeKind::kFinished;
        bucket = FinishedBucket(*row.closed_micros);
        offset = *row.closed_micros - FinishedBase(bucket);
    }
    StageTimeCell& cell =
        out[StageTimeCellKey{row.pipeline_id, row.stage_id, static_cast<char>(kind), bucket}];
    cell.kind = kind;
    cell.bucket = bucket;
    cell.deals += sign;
    cell.offset_micros += sign * offset;
}

Status WriteStageTimeCells(
    storage::Connection& tx, int64_t tenant_id, const StageTimeCellDeltas& deltas
) {
    // One statement for the write's few cells.
    storage::BatchInsert upsert(
        tx,
        "INSERT INTO deal_stage_time_cells (tenant_id, pipeline_id, stage_id, kind, bucket, deals, "
        "offset_micros) VALUES ",
        7,
        " ON CONFLICT (tenant_id, pipeline_id, stage_id, kind, bucket) DO UPDATE SET deals = "
        "deal_stage_time_cells.deals + excluded.deals, offset_micros = "
        "deal_stage_time_cells.offset_micros + excluded.offset_micros"
    );
    for (const auto& [key, cell] : deltas) {
        if (cell.deals == 0 && cell.offset_micros == 0) {
            continue;
        }
        const auto& [pipeline, stage, kind, bucket] = key;
        VK_RETURN_IF_ERROR(upsert.Add(
            {tenant_id,
             pipeline,
             stage,
             std::string(1, kind),
             bucket,
             cell.deals,
             cell.offset_micros}
        ));
    }
    return upsert.Flush();
}

Status RebuildStageTimeCells(storage::Connection& tx, int64_t tenant_id) {
    VK_RETURN_IF_ERROR(
        Done(tx.Execute("DELETE FROM deal_stage_time_cells WHERE tenant_id = $1", {tenant_id}))
    );
    return Done(tx.Execute(
        "INSERT INTO deal_stage_time_cells (tenant_id, pipeline_id, stage_id, kind, bucket, "
        "deals, offset_micros) " +
            CellRowsSql(" WHERE tenant_id = $1"),
        {tenant_id}
    ));
}

core::Result<StageTimeSummary> SummariseStageTimes(
    const std::vector<StageTimeCell>& cells, int64_t now, const ReadStageTimes& read
) {
    StageTimeSummary out;
    WideSum total = 0;
    std::vector<TimedCell> timed;
    for (const StageTimeCell& c : cells) {
        out.deals += c.deals;
        if (c.kind == StageTimeKind::kUntimed || c.deals == 0) {
            continue;
        }
        out.timed += c.deals;
        if (c.kind == StageTimeKind::kFinished) {
            total += static_cast<WideSum>(c.deals) * FinishedBase(c.bucket) + c.offset_micros;
            timed.push_back({FinishedRange(c.bucket), c.deals, false, FinishedRange(c.bucket)});
        } else {
            total += static_cast<WideSum>(c.deals) * (now - c.bucket * kDay) - c.offset_micros;
            const MicrosRange starts = OpenStarts(c.bucket);
            timed.push_back({{now - starts.hi, now - starts.lo}, c.deals, true, starts});
        }
    }
    out.total_micros = static_cast<int64_t>(total);
    if (out.timed == 0) {
        return out;
    }
    // The k-th smallest time (1-based) for the middle one or two: below `below` at most k - 1
    // times can lie (cells starting at or below it hold fewer than k), at or below `upto` at
    // least k do (cells ending there hold k or more). Only cells reaching into (below, upto]
    // are read; the cells ending at or below `below` are counted.
    const int64_t k_lo = (out.timed + 1) / 2;
    const int64_t k_hi = (out.timed + 2) / 2;
    std::vector<int64_t> thresholds;
    for (const TimedCell& c : timed) {
        thresholds.push_back(c.times.lo - 1);
        thresholds.push_back(c.times.hi);
    }
    std::sort(thresholds.begin(), thresholds.end());
    auto count = [&](int64_t t, bool whole) {
        int64_t n = 0;
        for (const TimedCell& c : timed) {
            n += (whole ? c.times.hi : c.times.lo) <= t ? c.deals : 0;
        }
        return n;
    };
    // Both searches walk sorted thresholds over monotone counts: binary search each.
    auto first = [&](auto pred) {
        auto it = std::partition_point(thresholds.begin(), thresholds.end(), [&](int64_t t) {
            return !pred(t);
        });
        return it == thresholds.end() ? thresholds.back() : *it;
    };
    const int64_t below = [&] {
        // The last threshold with fewer than k_lo cells starting at or below it.
        auto it = std::partition_point(thresholds.begin(), thresholds.end(), [&](int64_t t) {
            return count(t, false) < k_lo;
        });
        return it == thresholds.begin() ? thresholds.front() : *(it - 1);
    }();
    const int64_t upto = first([&](int64_t t) { return count(t, true) >= k_hi; });
    std::optional<MicrosRange> finished;
    std::optional<MicrosRange> open;
    int64_t counted = 0;   // times in cells ending at or below `below`
    int64_t expected = 0;  // times in the cells read
    for (const TimedCell& c : timed) {
        if (c.times.hi <= below) {
            counted += c.deals;
        } else if (c.times.lo <= upto) {
            expected += c.deals;
            std::optional<MicrosRange>& range = c.open ? open : finished;
            range =
                range
                    ? MicrosRange{std::min(range->lo, c.stored.lo), std::max(range->hi, c.stored.hi)}
                    : c.stored;
        }
    }
    VK_ASSIGN_OR_RETURN(std::vector<int64_t> times, read(finished, open));
    if (static_cast<int64_t>(times.size()) != expected || k_lo <= counted ||
        k_hi > counted + expected) {
        return core::Error::Internal("time-in-stage cells disagree with deal_stage_times");
    }
    std::sort(times.begin(), times.end());
    out.middle_micros = times[static_cast<size_t>(k_lo - counted - 1)];
    out.middle_n = 1;
    if (k_hi != k_lo) {
        out.middle_micros += times[static_cast<size_t>(k_hi - counted - 1)];
        out.middle_n = 2;
    }
    return out;
}

}  // namespace voronka::analytics
