// Gamma-Gamma spend likelihood, fit and conditional expected transaction value.
#include "analytics/gamma_gamma.hpp"

#include <cmath>
#include <map>
#include <string>

#include "analytics/likelihood_fit.hpp"
#include "analytics/special_functions.hpp"

namespace voronka::analytics {

std::vector<SpendObservation> RepeatSpend(const std::vector<CustomerSummary>& summaries) {
    std::vector<SpendObservation> out;
    for (const auto& s : summaries) {
        if (s.frequency > 0 && s.monetary_value > 0) {
            out.push_back({s.frequency, s.monetary_value});
        }
    }
    return out;
}

double GammaGammaLogLikelihood(
    const GammaGammaParams& params, const std::vector<SpendObservation>& observations
) {
    const auto& [p, q, gamma] = params;
    const double constant = -LogGamma(q) + q * std::log(gamma);
    std::map<int64_t, double> per_frequency;  // lgamma(px + q) - lgamma(px), once per x
    double total = 0;
    for (const auto& o : observations) {
        const double x = static_cast<double>(o.frequency);
        auto [it, inserted] = per_frequency.try_emplace(o.frequency, 0.0);
        if (inserted) {
            it->second = LogGamma(p * x + q) - LogGamma(p * x);
        }
        const double m = o.monetary_value;
        total += constant + it->second + (p * x - 1) * std::log(m) + p * x * std::log(x) -
                 (p * x + q) * std::log(x * m + gamma);
    }
    return total;
}

core::Result<GammaGammaFit> FitGammaGamma(const std::vector<SpendObservation>& observations) {
    if (observations.empty()) {
        return core::Error::Invalid("no repeat customers with positive spend to fit");
    }
    double mean = 0;
    for (size_t i = 0; i < observations.size(); ++i) {
        const auto& o = observations[i];
        if (o.frequency <= 0 || !(o.monetary_value > 0) || !std::isfinite(o.monetary_value)) {
            return core::Error::Invalid(
                "spend observation " + std::to_string(i) + " needs x > 0 and a positive mean value"
            );
        }
        mean += o.monetary_value / static_cast<double>(observations.size());
    }
    const LogLikelihoodFunction ll = [&observations](std::span<const double> v, std::span<double>) {
        return GammaGammaLogLikelihood({v[0], v[1], v[2]}, observations);
    };
    // Start at p = 1, q = 2, and gamma matching the sample mean: p * gamma / (q - 1) = mean.
    VK_ASSIGN_OR_RETURN(auto best, MaximiseLikelihood(ll, {1.0, 2.0, mean}, false));
    return GammaGammaFit{
        {best.params[0], best.params[1], best.params[2]}, best.log_likelihood, best.evaluations};
}

double GammaGammaConditionalExpectedSpend(
    const GammaGammaParams& params, int64_t frequency, double monetary_value
) {
    const double x = static_cast<double>(frequency);
    return params.p * (params.gamma + x * monetary_value) / (params.p * x + params.q - 1);
}

}  // namespace voronka::analytics
