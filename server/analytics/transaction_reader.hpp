// Reads purchase history (customer, date, amount) from a CSV file with a header row.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace voronka::analytics {

struct Transaction {
    std::string customer_id;
    int32_t day = 0;    // days since 1970-01-01
    double amount = 0;  // statistics, not a ledger: exact decimal text converted once to double
};

struct TransactionCsvOptions {
    std::string customer_col;
    std::string date_col;
    std::string amount_col;  // empty: no amount column, every amount is 0
    std::string date_format = "%Y-%m-%d";
    char delimiter = ',';
};

// Parses a plain decimal such as "29.33", "-3" or "0.5" exactly (digit by digit, up to 18
// significant digits) and returns the nearest double. Rejects exponents, separators, empty text.
core::Result<double> ParseDecimal(std::string_view text);

// Reads CSV (RFC 4180 quoting, LF or CRLF line ends) whose first row names the columns.
// Blank lines are skipped. Errors name the line and column: a missing column, an unparsable
// date or amount, a row with too few fields, an unterminated quote.
core::Result<std::vector<Transaction>> ParseTransactionsCsv(
    std::istream& input, const TransactionCsvOptions& options
);

// As ParseTransactionsCsv, from a file; fails with NotFound when the file cannot be opened.
core::Result<std::vector<Transaction>> ReadTransactionsCsv(
    const std::string& path, const TransactionCsvOptions& options
);

}  // namespace voronka::analytics
