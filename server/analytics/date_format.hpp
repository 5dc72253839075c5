// Calendar dates as whole days since 1970-01-01, parsed with a small strftime-like format.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace voronka::analytics {

// Parses `text` against `format`, which may hold %Y (4 digits), %m and %d (1-2 digits, or
// exactly 2 when another directive follows without a separator, as in %Y%m%d), %% and literal
// characters. Returns days since 1970-01-01. Fails with Invalid on a mismatch, trailing text
// or an impossible calendar date (2023-02-29).
core::Result<int32_t> ParseDate(std::string_view text, std::string_view format);

// Formats days since 1970-01-01 as YYYY-MM-DD.
std::string FormatDate(int32_t day);

// The month containing `day` as an index (year * 12 + month - 1), for month arithmetic.
int32_t MonthIndex(int32_t day);

// YYYY-MM for a month index from MonthIndex.
std::string FormatMonth(int32_t month_index);

}  // namespace voronka::analytics
