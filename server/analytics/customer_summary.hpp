// Per-customer recency/frequency/monetary summary of purchase history for a calibration period.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/transaction_reader.hpp"
#include "core/result.hpp"

namespace voronka::analytics {

enum class TimeUnit { kDay, kWeek };

// "day" or "week".
core::Result<TimeUnit> ParseTimeUnit(std::string_view text);

// Length of one unit in days (1 or 7).
double DaysPerUnit(TimeUnit unit);

struct SummaryOptions {
    int32_t calibration_end_day = 0;             // last day of calibration, inclusive
    std::optional<int32_t> observation_end_day;  // last holdout day; none: all later data
    TimeUnit unit = TimeUnit::kWeek;
};

// One customer, in the notation of Fader, Hardie & Lee (2005).
struct CustomerSummary {
    std::string customer_id;
    int32_t first_day = 0;
    int64_t frequency = 0;      // x: repeat purchase days in calibration (days after the first)
    double recency = 0;         // t_x: last calibration purchase minus first, in units; 0 if x = 0
    double age = 0;             // T: calibration end minus first purchase, in units
    double monetary_value = 0;  // mean value of the x repeat purchase days; 0 if x = 0
    double first_value = 0;     // value of the first purchase day
    int64_t holdout_frequency = 0;  // purchase days after calibration end (to observation end)
    double holdout_value = 0;       // their total value
};

// Merges same-day purchases of a customer into one (values summed), then summarises each
// customer whose first purchase is on or before the calibration end. Customers come out in
// order of first appearance in `transactions`. Transactions after observation_end_day are
// ignored. Input order does not matter otherwise.
std::vector<CustomerSummary> SummariseTransactions(
    const std::vector<Transaction>& transactions, const SummaryOptions& options
);

// One customer's purchase: its day and value.
struct DayValue {
    int32_t day = 0;
    double value = 0;
};

// One customer's summary from its purchases sorted by day (same-day purchases are merged here;
// `history` is reordered in place). Nothing when the first purchase is after the calibration end
// or there is none. Purchases after observation_end_day must already be left out.
std::optional<CustomerSummary> SummariseCustomer(
    std::string customer_id, std::vector<DayValue>& history, const SummaryOptions& options
);

}  // namespace voronka::analytics
