// CSV transaction reader: a small RFC 4180 splitter plus exact decimal parsing.
#include "analytics/transaction_reader.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "analytics/date_format.hpp"

namespace voronka::analytics {

namespace {

// Splits one record; a quoted field may span lines, so more lines are pulled from `input`.
core::Result<std::vector<std::string>> ReadRecord(
    std::istream& input, std::string line, char delimiter, int64_t* line_number
) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (;;) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        for (size_t i = 0; i < line.size(); ++i) {
            const char c = line[i];
            if (quoted) {
                if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                    fields.back() += '"';
                    ++i;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    fields.back() += c;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == delimiter) {
                fields.emplace_back();
            } else {
                fields.back() += c;
            }
        }
        if (!quoted) {
            return fields;
        }
        if (!std::getline(input, line)) {
            return core::Error::Invalid(
                "line " + std::to_string(*line_number) + ": unterminated quoted field"
            );
        }
        fields.back() += '\n';
        ++*line_number;
    }
}

std::string Trim(std::string_view text) {
    const auto begin = text.find_first_not_of(" \t");
    if (begin == std::string_view::npos) {
        return {};
    }
    const auto end = text.find_last_not_of(" \t");
    return std::string(text.substr(begin, end - begin + 1));
}

core::Result<size_t> FindColumn(
    const std::vector<std::string>& header, const std::string& name, std::string_view role
) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
        std::string known;
        for (const auto& column : header) {
            known += (known.empty() ? "" : ", ") + column;
        }
        return core::Error::Invalid(
            std::string(role) + " column '" + name + "' not found in header (columns: " + known +
            ")"
        );
    }
    return static_cast<size_t>(it - header.begin());
}

}  // namespace

core::Result<double> ParseDecimal(std::string_view text) {
    size_t i = 0;
    bool negative = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
        negative = text[i] == '-';
        ++i;
    }
    int64_t mantissa = 0;
    int significant = 0;
    int scale = 0;
    bool any_digit = false;
    bool in_fraction = false;
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '.' && !in_fraction) {
            in_fraction = true;
            continue;
        }
        if (c < '0' || c > '9') {
            return core::Error::Invalid("'" + std::string(text) + "' is not a decimal number");
        }
        any_digit = true;
        if (mantissa == 0 && c == '0') {
            scale += in_fraction ? 1 : 0;  // leading zeros carry no significance
            continue;
        }
        if (++significant > 18) {
            return core::Error::Invalid(
                "'" + std::string(text) + "' has more than 18 significant digits"
            );
        }
        mantissa = mantissa * 10 + (c - '0');
        scale += in_fraction ? 1 : 0;
    }
    if (!any_digit) {
        return core::Error::Invalid("'" + std::string(text) + "' is not a decimal number");
    }
    // One correctly rounded division of two exactly representable values (for mantissa < 2^53).
    const double value = static_cast<double>(mantissa) / std::pow(10.0, scale);
    return negative ? -value : value;
}

core::Result<std::vector<Transaction>> ParseTransactionsCsv(
    std::istream& input, const TransactionCsvOptions& options
) {
    std::string line;
    int64_t line_number = 1;
    if (!std::getline(input, line)) {
        return core::Error::Invalid("input is empty: expected a header row");
    }
    VK_ASSIGN_OR_RETURN(auto header, ReadRecord(input, line, options.delimiter, &line_number));
    for (auto& name : header) {
        name = Trim(name);
    }
    if (!header.empty() && header[0].rfind("\xEF\xBB\xBF", 0) == 0) {
        header[0].erase(0, 3);  // UTF-8 byte order mark from spreadsheet exports
    }
    VK_ASSIGN_OR_RETURN(
        const size_t customer_index, FindColumn(header, options.customer_col, "customer")
    );
    VK_ASSIGN_OR_RETURN(const size_t date_index, FindColumn(header, options.date_col, "date"));
    size_t amount_index = 0;
    if (!options.amount_col.empty()) {
        VK_ASSIGN_OR_RETURN(amount_index, FindColumn(header, options.amount_col, "amount"));
    }
    const size_t needed = std::max({customer_index, date_index, amount_index}) + 1;

    std::vector<Transaction> transactions;
    while (std::getline(input, line)) {
        ++line_number;
        const int64_t record_line = line_number;
        if (line.empty() || line == "\r") {
            continue;
        }
        VK_ASSIGN_OR_RETURN(auto fields, ReadRecord(input, line, options.delimiter, &line_number));
        const auto where = "line " + std::to_string(record_line) + ": ";
        if (fields.size() < needed) {
            return core::Error::Invalid(
                where + "expected at least " + std::to_string(needed) + " fields, found " +
                std::to_string(fields.size())
            );
        }
        Transaction tx;
        tx.customer_id = Trim(fields[customer_index]);
        if (tx.customer_id.empty()) {
            return core::Error::Invalid(where + "empty customer id");
        }
        auto day = ParseDate(Trim(fields[date_index]), options.date_format);
        if (!day) {
            return core::Error::Invalid(where + day.error().message);
        }
        tx.day = *day;
        if (!options.amount_col.empty()) {
            auto amount = ParseDecimal(Trim(fields[amount_index]));
            if (!amount) {
                return core::Error::Invalid(where + "amount " + amount.error().message);
            }
            tx.amount = *amount;
        }
        transactions.push_back(std::move(tx));
    }
    return transactions;
}

core::Result<std::vector<Transaction>> ReadTransactionsCsv(
    const std::string& path, const TransactionCsvOptions& options
) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        return core::Error::NotFound("cannot open input file '" + path + "'");
    }
    auto transactions = ParseTransactionsCsv(file, options);
    if (!transactions) {
        return core::Error::Invalid(path + ": " + transactions.error().message);
    }
    return transactions;
}

}  // namespace voronka::analytics
