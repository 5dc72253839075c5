// Analytics rows as a table, written as CSV (RFC 4180) or XLSX (libxlsxwriter) for download.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"
#include "core/result.hpp"

namespace voronka::analytics {

// Columns and cells; a cell is a JSON scalar (null, bool, number or string).
struct Table {
    std::vector<std::string> columns;
    std::vector<std::vector<core::Json>> rows;
};

// An array of row objects as a table: nested objects become dotted columns ("revenue.RUB"),
// arrays their JSON text; `leading` columns first, then the others in order of first appearance,
// then "drilldown" and "drilldown.*" last.
Table Flatten(const core::Json& rows, const std::vector<std::string>& leading = {});

// Header row plus one line per row, CRLF line ends, fields quoted when they hold a comma, quote
// or line break. Text that a spreadsheet would run as a formula (= + @ or - not starting a
// number) is prefixed with an apostrophe.
std::string ToCsv(const Table& table);

// An .xlsx workbook (a ZIP file) with one sheet: a bold header row, numbers as numbers.
// kInternal when the temporary file cannot be written.
core::Result<std::string> ToXlsx(const Table& table, std::string_view sheet_name);

}  // namespace voronka::analytics
