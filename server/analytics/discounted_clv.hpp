// Discounted customer lifetime value: expected purchases x expected spend x margin, as an NPV.
#pragma once

#include <functional>

#include "core/result.hpp"

namespace voronka::analytics {

struct ClvOptions {
    int horizon_weeks = 52;
    double annual_discount_rate = 0.1;  // 0.1 = 10 % a year
    double margin = 1.0;                // share of revenue kept as profit
    double days_per_unit = 7.0;         // model time unit in days (1 or 7)
};

// Invalid for a negative horizon, a rate <= -1 or a non-finite margin.
core::Status ValidateClvOptions(const ClvOptions& options);

// Expected purchases in (T, T + t] for one customer, t in model units (a model's conditional
// expectation bound to that customer's x, t_x, T).
using CumulativePurchases = std::function<double(double t)>;

// NPV over the horizon in weekly steps: sum over weeks w = 1..H of
//   (E[Y(week w end)] - E[Y(week w-1 end)]) * expected_spend * margin / (1 + rate)^(7w / 365.25),
// i.e. each week's expected purchases are discounted from the end of that week.
double DiscountedClv(
    const CumulativePurchases& cumulative_purchases,
    double expected_spend,
    const ClvOptions& options
);

// The sum above without the spend and margin factors: the discounted expected purchases. Equal
// customers (same x, t_x, T) share it, so a refit evaluates it once per such group.
double DiscountedPurchases(
    const CumulativePurchases& cumulative_purchases, const ClvOptions& options
);

// DiscountedClv from DiscountedPurchases, with the same arithmetic.
double DiscountedClvOf(
    double discounted_purchases, double expected_spend, const ClvOptions& options
);

}  // namespace voronka::analytics
