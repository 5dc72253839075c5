// Shared pieces of the sales analytics: the dialect fragment for stage history in the event log,
// exact decimal ratios and money division, calendar periods, and list URLs for drill-downs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"
#include "records/record_service.hpp"
#include "storage/database.hpp"

namespace voronka::analytics {

// The new value of `field` in an event's changes ({"field": {"from", "to"}}) as text:
// SQLite json_extract(c, '$.field.to'); PostgreSQL (c::jsonb -> 'field' ->> 'to'), since the
// events column is TEXT there. REQUIRES: field is an identifier.
std::string ChangedTo(storage::Dialect d, std::string_view changes_column, std::string_view field);

// num/den as a decimal string with `digits` fraction digits, rounded half to even ("0.6667");
// null when den is 0. Exact: integer arithmetic only.
core::Json Ratio(int64_t num, int64_t den, int digits = 4);

// num/den rounded half to even to an integer. REQUIRES: den > 0.
int64_t DivideHalfEven(int64_t num, int64_t den);

// Minor units per ISO 4217 currency.
using MoneyMap = std::map<std::string, int64_t>;

// {"RUB": "123.00", ...}; an empty object when there is nothing.
core::Json MoneyJson(const MoneyMap& sums);

// A calendar month or quarter in UTC: [start_micros, end_micros), first and last day.
struct Period {
    std::string label;      // "2026-11" or "2026-Q4"
    std::string first_day;  // "2026-10-01"
    std::string last_day;   // "2026-12-31"
    int64_t start_micros = 0;
    int64_t end_micros = 0;
};

// "YYYY-MM" (months 01..12, years 1970..9999); nullopt otherwise.
std::optional<Period> ParseMonth(std::string_view text);

// The month or quarter that contains `micros`, shifted by `offset` periods (-1 = the one before).
Period PeriodAt(int64_t micros, bool quarter, int offset = 0);

// Midnight UTC of a valid "YYYY-MM-DD" in microseconds; of the day after when `next_day`.
int64_t DayStartMicros(std::string_view date, bool next_day = false);

// A list URL that shows the records behind a figure: "/api/v1/deals?filter[status]=won&...",
// in the list filter language, values percent-encoded.
std::string ListUrl(std::string_view entity, const std::vector<records::FilterTerm>& terms);

}  // namespace voronka::analytics
