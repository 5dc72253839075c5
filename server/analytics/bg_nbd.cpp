// BG/NBD likelihood, gradient, fit and conditional expectations.
#include "analytics/bg_nbd.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "analytics/likelihood_fit.hpp"
#include "analytics/special_functions.hpp"

namespace voronka::analytics {

namespace {

double AwayFromOne(double a) { return std::fabs(a - 1.0) < 1e-7 ? 1.0 + 1e-7 : a; }

}  // namespace

double BgNbdLogLikelihood(const BgNbdParams& params, const RecencyFrequency& customer) {
    const auto& [r, alpha, a, b] = params;
    const double x = static_cast<double>(customer.frequency);
    const double a12 = LogGamma(r + x) - LogGamma(r) + r * std::log(alpha) + LogGamma(a + b) +
                       LogGamma(b + x) - LogGamma(b) - LogGamma(a + b + x);
    const double a3 = -(r + x) * std::log(alpha + customer.age);
    if (customer.frequency == 0) {
        return a12 + a3;
    }
    const double a4 =
        std::log(a) - std::log(b + x - 1) - (r + x) * std::log(alpha + customer.recency);
    return a12 + LogAddExp(a3, a4);
}

double BgNbdLogLikelihood(
    const BgNbdParams& params, const RecencyFrequencyData& data, BgNbdGradient* gradient
) {
    const auto& [r, alpha, a, b] = params;
    const size_t nx = data.frequencies.size();
    // Per distinct x: constant part, log of the drop-out weight, and digamma parts of the gradient.
    std::vector<double> constant(nx), log_drop(nx), d_r(nx), d_a(nx), d_b(nx);
    const double common = -LogGamma(r) + r * std::log(alpha) + LogGamma(a + b) - LogGamma(b);
    const double psi_r = gradient ? Digamma(r) : 0;
    const double psi_ab = gradient ? Digamma(a + b) : 0;
    const double psi_b = gradient ? Digamma(b) : 0;
    for (size_t i = 0; i < nx; ++i) {
        const double x = data.frequencies[i];
        constant[i] = common + LogGamma(r + x) + LogGamma(b + x) - LogGamma(a + b + x);
        log_drop[i] = x > 0 ? std::log(a) - std::log(b + x - 1) : 0;
        if (gradient) {
            const double psi_abx = Digamma(a + b + x);
            d_r[i] = Digamma(r + x) - psi_r + std::log(alpha);
            d_a[i] = psi_ab - psi_abx;
            d_b[i] = psi_ab + Digamma(b + x) - psi_b - psi_abx;
        }
    }
    std::vector<double> log_age(data.ages.size()), log_recency(data.recencies.size());
    for (size_t i = 0; i < data.ages.size(); ++i) {
        log_age[i] = std::log(alpha + data.ages[i]);
    }
    for (size_t i = 0; i < data.recencies.size(); ++i) {
        log_recency[i] = std::log(alpha + data.recencies[i]);
    }

    double total = 0;
    BgNbdGradient g;
    for (const auto& group : data.groups) {
        const size_t xi = group.frequency_index;
        const double x = data.frequencies[xi];
        const double rx = r + x;
        const double a3 = -rx * log_age[group.age_index];
        double ll = constant[xi] + a3;
        double w4 = 0;  // posterior weight of "dropped out after the last purchase"
        if (x > 0) {
            const double a4 = log_drop[xi] - rx * log_recency[group.recency_index];
            const double lse = LogAddExp(a3, a4);
            ll = constant[xi] + lse;
            w4 = std::exp(a4 - lse);
        }
        total += group.weight * ll;
        if (gradient) {
            const double w3 = 1.0 - w4;
            const double wt = group.weight;
            g.r += wt * (d_r[xi] - w3 * log_age[group.age_index] -
                         w4 * log_recency[group.recency_index]);
            g.alpha += wt * (r / alpha - rx * (w3 / (alpha + data.ages[group.age_index]) +
                                               w4 / (alpha + data.recencies[group.recency_index])));
            g.a += wt * (d_a[xi] + (x > 0 ? w4 / a : 0));
            g.b += wt * (d_b[xi] - (x > 0 ? w4 / (b + x - 1) : 0));
        }
    }
    if (gradient) {
        *gradient = g;
    }
    return total;
}

core::Result<BgNbdFit> FitBgNbd(const RecencyFrequencyData& data) {
    double weighted_age = 0;
    for (const auto& group : data.groups) {
        weighted_age += group.weight * data.ages[group.age_index];
    }
    // Start where E[lambda] = r / alpha is one purchase per average customer age.
    const double alpha0 = std::max(weighted_age / data.customers, 1e-3);
    const LogLikelihoodFunction ll = [&data](std::span<const double> p, std::span<double> grad) {
        const BgNbdParams params{p[0], p[1], p[2], p[3]};
        if (grad.empty()) {
            return BgNbdLogLikelihood(params, data);
        }
        BgNbdGradient g;
        const double value = BgNbdLogLikelihood(params, data, &g);
        grad[0] = g.r;
        grad[1] = g.alpha;
        grad[2] = g.a;
        grad[3] = g.b;
        return value;
    };
    VK_ASSIGN_OR_RETURN(auto best, MaximiseLikelihood(ll, {1.0, alpha0, 1.0, 1.0}, true));
    return BgNbdFit{
        {best.params[0], best.params[1], best.params[2], best.params[3]},
        best.log_likelihood,
        best.evaluations};
}

double BgNbdExpectedPurchases(const BgNbdParams& params, double t) {
    const double r = params.r;
    const double alpha = params.alpha;
    const double a = AwayFromOne(params.a);
    const double b = params.b;
    const double hyp = Hyp2F1(r, b, a + b - 1, t / (alpha + t));
    return (a + b - 1) / (a - 1) * (1 - std::pow(alpha / (alpha + t), r) * hyp);
}

double BgNbdExpectedPurchasesIfAlive(
    const BgNbdParams& params, int64_t frequency, double age, double t
) {
    const double r = params.r;
    const double alpha = params.alpha;
    const double a = AwayFromOne(params.a);
    const double b = params.b;
    const double x = static_cast<double>(frequency);
    const double hyp = Hyp2F1(r + x, b + x, a + b + x - 1, t / (alpha + age + t));
    return (a + b + x - 1) / (a - 1) *
           (1 - std::pow((alpha + age) / (alpha + age + t), r + x) * hyp);
}

double BgNbdConditionalExpectedPurchases(
    const BgNbdParams& params, const RecencyFrequency& customer, double t
) {
    return BgNbdExpectedPurchasesIfAlive(params, customer.frequency, customer.age, t) *
           BgNbdProbabilityAlive(params, customer);
}

double BgNbdProbabilityAlive(const BgNbdParams& params, const RecencyFrequency& customer) {
    if (customer.frequency == 0) {
        return 1.0;
    }
    const double x = static_cast<double>(customer.frequency);
    const double log_odds_dead = std::log(params.a) - std::log(params.b + x - 1) +
                                 (params.r + x) * (std::log(params.alpha + customer.age) -
                                                   std::log(params.alpha + customer.recency));
    return 1.0 / (1.0 + std::exp(log_odds_dead));
}

}  // namespace voronka::analytics
