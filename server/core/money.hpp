// Exact money: integer minor units plus an ISO 4217 code. No floating point anywhere.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace voronka::core {

struct Money {
    int64_t amount_minor = 0;
    std::string currency;  // ISO 4217 alphabetic code, upper case

    bool operator==(const Money&) const = default;
};

// True for a current ISO 4217 code known to ICU (e.g. "RUB", "UAH", "USD").
bool IsCurrencyCode(std::string_view code);

// Minor-unit digits of a currency per ISO 4217 (RUB 2, JPY 0, BHD 3). REQUIRES: IsCurrencyCode.
int CurrencyDigits(std::string_view code);

// Parses "1500.50", "-3", "0.5" into minor units of `currency`. Rejects more fraction digits
// than the currency has, exponents, separators and overflow.
Result<int64_t> ParseAmount(std::string_view text, std::string_view currency);

// Formats minor units as a plain decimal string with exactly the currency's fraction digits.
std::string FormatAmount(int64_t amount_minor, std::string_view currency);

// Checked arithmetic for totals: fails instead of wrapping.
Result<int64_t> AddMinor(int64_t a, int64_t b);
Result<int64_t> MulMinor(int64_t a, int64_t b);

}  // namespace voronka::core
