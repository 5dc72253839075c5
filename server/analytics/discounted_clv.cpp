// Weekly discounting of model-expected purchases into a net present value.
#include "analytics/discounted_clv.hpp"

#include <cmath>

namespace voronka::analytics {

core::Status ValidateClvOptions(const ClvOptions& options) {
    if (options.horizon_weeks < 0) {
        return core::Error::InvalidField("horizon_weeks", "must not be negative");
    }
    if (!(options.annual_discount_rate > -1.0) || !std::isfinite(options.annual_discount_rate)) {
        return core::Error::InvalidField("annual_discount_rate", "must be greater than -1");
    }
    if (!std::isfinite(options.margin)) {
        return core::Error::InvalidField("margin", "must be a finite number");
    }
    if (!(options.days_per_unit > 0)) {
        return core::Error::InvalidField("days_per_unit", "must be positive");
    }
    return core::Ok();
}

double DiscountedClv(
    const CumulativePurchases& cumulative_purchases,
    double expected_spend,
    const ClvOptions& options
) {
    return DiscountedClvOf(
        DiscountedPurchases(cumulative_purchases, options), expected_spend, options
    );
}

double DiscountedClvOf(
    double discounted_purchases, double expected_spend, const ClvOptions& options
) {
    return discounted_purchases * expected_spend * options.margin;
}

double DiscountedPurchases(
    const CumulativePurchases& cumulative_purchases, const ClvOptions& options
) {
    const double units_per_week = 7.0 / options.days_per_unit;
    const double log_growth = std::log1p(options.annual_discount_rate);
    double previous = 0;
    double value = 0;
    for (int week = 1; week <= options.horizon_weeks; ++week) {
        const double cumulative = cumulative_purchases(week * units_per_week);
        const double years = 7.0 * week / 365.25;
        value += (cumulative - previous) * std::exp(-years * log_growth);
        previous = cumulative;
    }
    return value;
}

}  // namespace voronka::analytics
