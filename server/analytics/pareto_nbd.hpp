// Pareto/NBD repeat-purchase model (Schmittlein, Morrison & Colombo 1987; Fader & Hardie 2005
// note).
#pragma once

#include "analytics/recency_frequency.hpp"
#include "core/result.hpp"

namespace voronka::analytics {

// Purchase rate lambda ~ Gamma(r, alpha); lifetime ~ Exponential(mu), mu ~ Gamma(s, beta).
struct ParetoNbdParams {
    double r = 0;
    double alpha = 0;
    double s = 0;
    double beta = 0;
};

// Log-likelihood of one customer. Uses the 2F1 form of Fader & Hardie's note (equation 22) with
// the argument |alpha - beta| / (max(alpha, beta) + t), which stays in [0, 1) for either order
// of alpha and beta, and sums in log space. Where that argument is close to 1 (one of alpha,
// beta tiny next to the other) the series would crawl, so the same term is integrated
// numerically instead.
double ParetoNbdLogLikelihood(const ParetoNbdParams& params, const RecencyFrequency& customer);

// Sum over all groups, each weighted by its customer count.
double ParetoNbdLogLikelihood(const ParetoNbdParams& params, const RecencyFrequencyData& data);

struct ParetoNbdFit {
    ParetoNbdParams params;
    double log_likelihood = 0;
    int evaluations = 0;
};

// Maximum-likelihood fit (Nelder-Mead on log-parameters).
core::Result<ParetoNbdFit> FitParetoNbd(const RecencyFrequencyData& data);

// E[X(t)] for a new customer in (0, t].
double ParetoNbdExpectedPurchases(const ParetoNbdParams& params, double t);

// P(alive | x, t_x, T) at T.
double ParetoNbdProbabilityAlive(const ParetoNbdParams& params, const RecencyFrequency& customer);

// E[Y(t) | x, t_x, T]: expected purchases in (T, T + t]; s = 1 is handled as its limit.
double ParetoNbdConditionalExpectedPurchases(
    const ParetoNbdParams& params, const RecencyFrequency& customer, double t
);

// The factor of E[Y(t) | x, t_x, T] besides P(alive), which depends on x and T only.
double ParetoNbdExpectedPurchasesIfAlive(
    const ParetoNbdParams& params, int64_t frequency, double age, double t
);

}  // namespace voronka::analytics
