// Pareto/NBD likelihood in log space, fit, P(alive) and conditional expectation.
#include "analytics/pareto_nbd.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <boost/math/quadrature/gauss_kronrod.hpp>

#include "analytics/likelihood_fit.hpp"
#include "analytics/special_functions.hpp"

namespace voronka::analytics {

namespace {

// Above this 2F1 argument the series needs thousands of terms; the integral form is used instead.
constexpr double kSeriesLimit = 0.95;

// log of F(t) / (m + t)^(r+s+x), one of the two parts of A0 = F(t_x) / (m + t_x)^(r+s+x) -
// F(T) / (m + T)^(r+s+x), with m = max(alpha, beta) and F the 2F1 whose second parameter is
// s + 1 when alpha >= beta and r + x otherwise, so its argument |alpha - beta| / (m + t) < 1.
// NaN when that argument exceeds kSeriesLimit.
double LogA0Part(const ParetoNbdParams& p, double x, double t) {
    const double rsx = p.r + p.s + x;
    const bool alpha_larger = p.alpha >= p.beta;
    const double largest = alpha_larger ? p.alpha : p.beta;
    const double second = alpha_larger ? p.s + 1 : p.r + x;
    const double z = std::fabs(p.alpha - p.beta) / (largest + t);
    if (z > kSeriesLimit) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    return std::log(Hyp2F1(rsx, second, rsx + 1, z)) - rsx * std::log(largest + t);
}

namespace bmp = boost::math::policies;
using NoThrow = bmp::policy<bmp::domain_error<bmp::ignore_error>>;

// log of s / (r+s+x) * A0 = s * integral over tau in [t_x, T] of (alpha+tau)^-(r+x)
// (beta+tau)^-(s+1), by adaptive Gauss-Kronrod: the fallback when one of alpha, beta is tiny
// next to the other. The integrand is scaled to 1 at t_x so large x cannot underflow it.
double LogDroppedByQuadrature(const ParetoNbdParams& p, double x, double recency, double age) {
    if (!(age > recency)) {
        return -std::numeric_limits<double>::infinity();
    }
    const double ka = p.r + x;
    const double kb = p.s + 1;
    const auto scaled = [&](double tau) {
        return std::exp(
            -ka * std::log1p((tau - recency) / (p.alpha + recency)) -
            kb * std::log1p((tau - recency) / (p.beta + recency))
        );
    };
    const double integral = boost::math::quadrature::gauss_kronrod<double, 31, NoThrow>::integrate(
        scaled, recency, age, 15, 1e-12
    );
    return std::log(p.s) + std::log(integral) - ka * std::log(p.alpha + recency) -
           kb * std::log(p.beta + recency);
}

// log of 1 / ((alpha+T)^(r+x) (beta+T)^s): the customer is still alive at T.
double LogAliveTerm(const ParetoNbdParams& p, double x, double age) {
    return -(p.r + x) * std::log(p.alpha + age) - p.s * std::log(p.beta + age);
}

// The two terms of the likelihood after its constant part: "alive at T" and
// "died between t_x and T" = s / (r+s+x) * A0, both as logs.
struct LogTerms {
    double alive;
    double dropped;
};

LogTerms CombineLogTerms(
    const ParetoNbdParams& p,
    double x,
    double recency,
    double age,
    double log_part_recency,
    double log_part_age,
    double alive
) {
    if (std::isnan(log_part_recency) || std::isnan(log_part_age)) {
        return {alive, LogDroppedByQuadrature(p, x, recency, age)};
    }
    const double log_a0 =
        log_part_age < log_part_recency
            ? log_part_recency + std::log1p(-std::exp(log_part_age - log_part_recency))
            : -std::numeric_limits<double>::infinity();
    return {alive, std::log(p.s) - std::log(p.r + p.s + x) + log_a0};
}

LogTerms ComputeLogTerms(const ParetoNbdParams& p, double x, double recency, double age) {
    return CombineLogTerms(
        p, x, recency, age, LogA0Part(p, x, recency), LogA0Part(p, x, age), LogAliveTerm(p, x, age)
    );
}

// (1 - (1 + u)^-k) / k, continuous at k = 0 where it is log(1 + u).
double PowerIncrement(double u, double k) {
    const double log_growth = std::log1p(u);
    if (std::fabs(k) < 1e-10) {
        return log_growth;
    }
    return -std::expm1(-k * log_growth) / k;
}

}  // namespace

double ParetoNbdLogLikelihood(const ParetoNbdParams& params, const RecencyFrequency& customer) {
    const double x = static_cast<double>(customer.frequency);
    const auto terms = ComputeLogTerms(params, x, customer.recency, customer.age);
    return LogGamma(params.r + x) - LogGamma(params.r) + params.r * std::log(params.alpha) +
           params.s * std::log(params.beta) + LogAddExp(terms.alive, terms.dropped);
}

double ParetoNbdLogLikelihood(const ParetoNbdParams& params, const RecencyFrequencyData& data) {
    const auto& x_values = data.frequencies;
    std::vector<double> constant(x_values.size());
    const double common =
        -LogGamma(params.r) + params.r * std::log(params.alpha) + params.s * std::log(params.beta);
    for (size_t i = 0; i < constant.size(); ++i) {
        constant[i] = common + LogGamma(params.r + x_values[i]);
    }
    // The 2F1 terms depend on (x, t_x) or (x, T) only: evaluate them once per distinct pair.
    std::vector<double> part_recency(data.recency_pairs.size());
    for (size_t i = 0; i < part_recency.size(); ++i) {
        const auto& pair = data.recency_pairs[i];
        part_recency[i] =
            LogA0Part(params, x_values[pair.frequency_index], data.recencies[pair.other_index]);
    }
    std::vector<double> part_age(data.age_pairs.size()), alive(data.age_pairs.size());
    for (size_t i = 0; i < part_age.size(); ++i) {
        const auto& pair = data.age_pairs[i];
        const double x = x_values[pair.frequency_index];
        part_age[i] = LogA0Part(params, x, data.ages[pair.other_index]);
        alive[i] = LogAliveTerm(params, x, data.ages[pair.other_index]);
    }
    double total = 0;
    for (const auto& group : data.groups) {
        const auto terms = CombineLogTerms(
            params,
            x_values[group.frequency_index],
            data.recencies[group.recency_index],
            data.ages[group.age_index],
            part_recency[group.recency_pair_index],
            part_age[group.age_pair_index],
            alive[group.age_pair_index]
        );
        total += group.weight *
                 (constant[group.frequency_index] + LogAddExp(terms.alive, terms.dropped));
    }
    return total;
}

core::Result<ParetoNbdFit> FitParetoNbd(const RecencyFrequencyData& data) {
    double weighted_age = 0;
    for (const auto& group : data.groups) {
        weighted_age += group.weight * data.ages[group.age_index];
    }
    const double scale0 = std::max(weighted_age / data.customers, 1e-3);
    const LogLikelihoodFunction ll = [&data](std::span<const double> p, std::span<double>) {
        return ParetoNbdLogLikelihood({p[0], p[1], p[2], p[3]}, data);
    };
    VK_ASSIGN_OR_RETURN(auto best, MaximiseLikelihood(ll, {1.0, scale0, 1.0, scale0}, false));
    return ParetoNbdFit{
        {best.params[0], best.params[1], best.params[2], best.params[3]},
        best.log_likelihood,
        best.evaluations};
}

double ParetoNbdExpectedPurchases(const ParetoNbdParams& params, double t) {
    return params.r * params.beta / params.alpha * PowerIncrement(t / params.beta, params.s - 1);
}

double ParetoNbdProbabilityAlive(const ParetoNbdParams& params, const RecencyFrequency& customer) {
    const auto terms = ComputeLogTerms(
        params, static_cast<double>(customer.frequency), customer.recency, customer.age
    );
    return std::exp(terms.alive - LogAddExp(terms.alive, terms.dropped));
}

double ParetoNbdConditionalExpectedPurchases(
    const ParetoNbdParams& params, const RecencyFrequency& customer, double t
) {
    return ParetoNbdExpectedPurchasesIfAlive(params, customer.frequency, customer.age, t) *
           ParetoNbdProbabilityAlive(params, customer);
}

double ParetoNbdExpectedPurchasesIfAlive(
    const ParetoNbdParams& params, int64_t frequency, double age, double t
) {
    const double x = static_cast<double>(frequency);
    const double beta_t = params.beta + age;
    return (params.r + x) * beta_t / (params.alpha + age) *
           PowerIncrement(t / beta_t, params.s - 1);
}

}  // namespace voronka::analytics
