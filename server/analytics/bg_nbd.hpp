// BG/NBD repeat-purchase model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way").
#pragma once

#include <cstdint>

#include "analytics/recency_frequency.hpp"
#include "core/result.hpp"

namespace voronka::analytics {

// Purchase rate lambda ~ Gamma(r, alpha); after each repeat purchase the customer drops out with
// probability p ~ Beta(a, b). Times are in the unit of the data (days or weeks).
struct BgNbdParams {
    double r = 0;
    double alpha = 0;
    double a = 0;
    double b = 0;
};

// d(log-likelihood)/d(param).
struct BgNbdGradient {
    double r = 0;
    double alpha = 0;
    double a = 0;
    double b = 0;
};

// Log-likelihood of one customer (equation 6 of the paper, in log form).
double BgNbdLogLikelihood(const BgNbdParams& params, const RecencyFrequency& customer);

// Sum over all customers; fills `gradient` when not null. Cost is one exp/log1p per group plus
// a log per distinct t_x and T and a few lgamma/digamma per distinct x.
double BgNbdLogLikelihood(
    const BgNbdParams& params, const RecencyFrequencyData& data, BgNbdGradient* gradient = nullptr
);

struct BgNbdFit {
    BgNbdParams params;
    double log_likelihood = 0;
    int evaluations = 0;
};

// Maximum-likelihood fit (L-BFGS on log-parameters with the analytic gradient).
core::Result<BgNbdFit> FitBgNbd(const RecencyFrequencyData& data);

// E[X(t)]: expected purchases of a new customer in (0, t] (equation 9).
double BgNbdExpectedPurchases(const BgNbdParams& params, double t);

// E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] (equation 10).
// a = 1 is a removable singularity, evaluated at a = 1 + 1e-7.
double BgNbdConditionalExpectedPurchases(
    const BgNbdParams& params, const RecencyFrequency& customer, double t
);

// The factor of E[Y(t) | x, t_x, T] besides P(alive): it depends on x and T only, so customers
// with equal x and T share it (E[Y(t) | x, t_x, T] = this * P(alive | x, t_x, T)).
double BgNbdExpectedPurchasesIfAlive(
    const BgNbdParams& params, int64_t frequency, double age, double t
);

// P(alive | x, t_x, T) at T; 1 for x = 0, since BG/NBD drop-out happens only after a repeat.
double BgNbdProbabilityAlive(const BgNbdParams& params, const RecencyFrequency& customer);

}  // namespace voronka::analytics
