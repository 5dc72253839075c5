// Analytics roll-ups (migration 0013): live deals and leads counted and summed per calendar month
// and per filter key, kept by after-write hooks in the writing transaction, read by win/loss,
// forecast, plan vs fact and sources instead of every deal and lead.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "records/metadata.hpp"
#include "storage/database.hpp"

namespace voronka::analytics {

// The deals' after-write hook: takes a deal out of its old roll-up rows and into its new ones
// (create, update, delete, restore), in the same transaction as the write and its event.
records::AfterWriteHook DealPeriodRollupHook();

// The same for leads (month of created_at, owner, source, campaign, converted or not).
records::AfterWriteHook LeadPeriodRollupHook();

// Adds the two hooks, and the deals' stage roll-up hook (stage_rollups.hpp), to the registered
// "deals" and "leads" entities.
void ExtendForPeriodRollups(records::EntityRegistry& registry);

// Recounts a tenant's roll-ups from its live deals and leads: for data loaded around the record
// engine (bulk loaders, the bench generator) and for repair. Migration 0013 does the same for
// every tenant of an existing database.
core::Status RebuildPeriodRollups(storage::Connection& tx, int64_t tenant_id);

// "YYYY-MM" of a UTC time in microseconds.
std::string MonthOf(int64_t micros);

// A time range [from, to) (microseconds; nullopt: unbounded) split into the whole calendar
// months it covers, read from roll-up rows, and the parts of months at its edges, read from
// the records themselves.
struct MonthSplit {
    // Roll-up months first..last inclusive ("YYYY-MM"); `all_months` when the range is unbounded
    // on both sides (then the rows of month '*', which add up every month and the records
    // without a date, are read); `none` when no whole month fits.
    bool all_months = false;
    bool none = false;
    std::string first;
    std::string last;
    // Partial months at the edges: [from, to) pairs in microseconds.
    std::vector<std::pair<int64_t, int64_t>> edges;

    // " AND month ..." selecting the roll-up rows of the whole months.
    std::string MonthCondition(std::vector<storage::Value>& params) const;
};

MonthSplit SplitByMonths(std::optional<int64_t> from, std::optional<int64_t> to);

}  // namespace voronka::analytics
