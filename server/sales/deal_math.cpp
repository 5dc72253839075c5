// Line totals in 128-bit integers so no intermediate product can overflow or lose a digit.
#include "sales/deal_math.hpp"

#include <limits>

namespace voronka::sales {

__extension__ typedef __int128 Int128;

namespace {

// Half-up division of non-negative numbers.
Int128 DivideHalfUp(Int128 numerator, Int128 denominator) {
    return (numerator + denominator / 2) / denominator;
}

}  // namespace

core::Result<LineTotals> ComputeLineTotals(
    int64_t price_minor, int64_t quantity_milli, int64_t discount_bp, int64_t tax_bp
) {
    constexpr Int128 kMax = std::numeric_limits<int64_t>::max();
    const Int128 amount = DivideHalfUp(
        Int128{price_minor} * quantity_milli * (10000 - discount_bp), Int128{1000} * 10000
    );
    if (amount > kMax) {
        return core::Error::InvalidField("price", "the line total is too large");
    }
    const Int128 tax = DivideHalfUp(amount * tax_bp, 10000);
    if (amount + tax > kMax) {
        return core::Error::InvalidField("price", "the line total is too large");
    }
    LineTotals out;
    out.amount_minor = static_cast<int64_t>(amount);
    out.tax_minor = static_cast<int64_t>(tax);
    out.total_minor = static_cast<int64_t>(amount + tax);
    return out;
}

}  // namespace voronka::sales
