// Gamma-Gamma spend likelihood, fit and conditional expected transaction value.
#include "analytics/gamma_gamma.hpp"

#include <cmath>
#include <map>
#include <string>
#include <utility>

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

namespace {

// The observations in the form the likelihood needs: only log(x * z + gamma) depends on both a
// customer and the parameters, so the other per-customer logs are summed once per fit.
struct PreparedSpend {
    std::vector<std::pair<double, double>> x_and_sum;  // x and x * z-bar per customer
    std::vector<std::pair<double, double>> per_x;      // distinct x and its customer count
    double log_mean_sum = 0;                           // sum of log z-bar
    double x_log_sum = 0;                              // sum of x * (log z-bar + log x)
};

PreparedSpend Prepare(const std::vector<SpendObservation>& observations) {
    PreparedSpend out;
    out.x_and_sum.reserve(observations.size());
    std::map<int64_t, double> counts;
    for (const auto& o : observations) {
        const double x = static_cast<double>(o.frequency);
        const double m = o.monetary_value;
        out.x_and_sum.emplace_back(x, x * m);
        out.log_mean_sum += std::log(m);
        out.x_log_sum += x * (std::log(m) + std::log(x));
        counts[o.frequency] += 1;
    }
    for (const auto& [x, n] : counts) {
        out.per_x.emplace_back(static_cast<double>(x), n);
    }
    return out;
}

// Sum over customers of -lgamma(q) + q log gamma + lgamma(px + q) - lgamma(px)
// + (px - 1) log z-bar + px log x - (px + q) log(x z-bar + gamma).
double LogLikelihood(const GammaGammaParams& params, const PreparedSpend& data) {
    const auto& [p, q, gamma] = params;
    const double constant = -LogGamma(q) + q * std::log(gamma);
    double total = p * data.x_log_sum - data.log_mean_sum;
    for (const auto& [x, n] : data.per_x) {
        total += n * (constant + LogGamma(p * x + q) - LogGamma(p * x));
    }
    for (const auto& [x, sum] : data.x_and_sum) {
        total -= (p * x + q) * std::log(sum + gamma);
    }
    return total;
}

}  // namespace

double GammaGammaLogLikelihood(
    const GammaGammaParams& params, const std::vector<SpendObservation>& observations
) {
    return LogLikelihood(params, Prepare(observations));
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
    const PreparedSpend data = Prepare(observations);
    const LogLikelihoodFunction ll = [&data](std::span<const double> v, std::span<double>) {
        return LogLikelihood({v[0], v[1], v[2]}, data);
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
