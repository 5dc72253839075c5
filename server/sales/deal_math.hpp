// Exact arithmetic for product lines on deals: integer minor units, half-up rounding per line.
#pragma once

#include <cstdint>

#include "core/result.hpp"

namespace voronka::sales {

struct LineTotals {
    int64_t amount_minor = 0;  // price x quantity less the discount, rounded
    int64_t tax_minor = 0;     // tax on the rounded amount, rounded
    int64_t total_minor = 0;   // amount + tax
};

// Totals of one line. Rounding is half-up, once per value, per line:
//   amount = round(price_minor * quantity_milli / 1000 * (10000 - discount_bp) / 10000)
//   tax    = round(amount * tax_bp / 10000)
//   total  = amount + tax
// so 3 x 33.33 with a 10% discount is 89.991 -> 89.99, and a deal's total is the plain sum of
// its lines' totals (no second rounding).
// REQUIRES: price_minor >= 0, quantity_milli > 0, discount_bp and tax_bp in [0, 10000].
// Fails with kInvalid when a result does not fit in int64.
core::Result<LineTotals> ComputeLineTotals(
    int64_t price_minor, int64_t quantity_milli, int64_t discount_bp, int64_t tax_bp
);

}  // namespace voronka::sales
