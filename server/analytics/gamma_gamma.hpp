// Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader & Hardie note 025).
#pragma once

#include <cstdint>
#include <vector>

#include "analytics/customer_summary.hpp"
#include "core/result.hpp"

namespace voronka::analytics {

// Each transaction value ~ Gamma(p, nu); nu ~ Gamma(q, gamma) across customers.
struct GammaGammaParams {
    double p = 0;
    double q = 0;
    double gamma = 0;
};

// A repeat customer: x > 0 repeat transactions with mean value z-bar > 0.
struct SpendObservation {
    int64_t frequency = 0;
    double monetary_value = 0;
};

// The repeaters (x > 0, z-bar > 0) among summaries, in order.
std::vector<SpendObservation> RepeatSpend(const std::vector<CustomerSummary>& summaries);

// Log-likelihood of the observed means z-bar (the density of the mean, as the lifetimes library
// reports it). The density of the sum x * z-bar, used in the paper, is this minus sum(log x).
double GammaGammaLogLikelihood(
    const GammaGammaParams& params, const std::vector<SpendObservation>& observations
);

struct GammaGammaFit {
    GammaGammaParams params;
    double log_likelihood = 0;  // as GammaGammaLogLikelihood
    int evaluations = 0;
};

// Maximum-likelihood fit (Nelder-Mead on log-parameters). Fails with Invalid when there is no
// observation or one has x <= 0 or z-bar <= 0.
core::Result<GammaGammaFit> FitGammaGamma(const std::vector<SpendObservation>& observations);

// E[Z | x, z-bar]: expected value of a future transaction, a weighted mean of the population mean
// p * gamma / (q - 1) and the customer's own z-bar (x = 0 gives the population mean).
// REQUIRES: q > 1 (otherwise the population mean is infinite and the result is +inf or NaN).
double GammaGammaConditionalExpectedSpend(
    const GammaGammaParams& params, int64_t frequency, double monetary_value
);

}  // namespace voronka::analytics
