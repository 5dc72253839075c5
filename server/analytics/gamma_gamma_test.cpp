// Tests for the Gamma-Gamma spend likelihood, conditional spend and fit recovery.
#include "analytics/gamma_gamma.hpp"

#include <cmath>
#include <random>

#include <boost/math/quadrature/exp_sinh.hpp>
#include <gtest/gtest.h>

#include "analytics/special_functions.hpp"

namespace voronka::analytics {
namespace {

// Density of the mean z of x values ~ Gamma(p, rate nu), integrated over nu ~ Gamma(q, rate gamma):
// the sum x*z ~ Gamma(p x, rate nu), so f(z) = x * f_sum(x z).
double LogDensityByQuadrature(const GammaGammaParams& g, int64_t x, double z) {
    const double px = g.p * static_cast<double>(x);
    const double sum = static_cast<double>(x) * z;
    const auto integrand = [&](double nu) {
        const double log_sum_density =
            px * std::log(nu) + (px - 1) * std::log(sum) - nu * sum - LogGamma(px);
        const double log_prior =
            g.q * std::log(g.gamma) + (g.q - 1) * std::log(nu) - g.gamma * nu - LogGamma(g.q);
        return std::exp(log_sum_density + log_prior);
    };
    boost::math::quadrature::exp_sinh<double> integrator;
    return std::log(static_cast<double>(x) * integrator.integrate(integrand));
}

TEST(GammaGammaTest, LikelihoodMatchesQuadrature) {
    const GammaGammaParams g{6.25, 3.74, 15.44};
    const std::vector<SpendObservation> obs = {{1, 11.77}, {2, 22.35}, {6, 41.5}};
    double total = 0;
    for (const auto& o : obs) {
        const double single = GammaGammaLogLikelihood(g, {o});
        EXPECT_NEAR(single, LogDensityByQuadrature(g, o.frequency, o.monetary_value), 1e-8);
        total += single;
    }
    EXPECT_NEAR(GammaGammaLogLikelihood(g, obs), total, 1e-12);
}

TEST(GammaGammaTest, ConditionalSpendIsWeightedMean) {
    const GammaGammaParams g{6.25, 3.74, 15.44};
    const double population = g.p * g.gamma / (g.q - 1);
    EXPECT_NEAR(GammaGammaConditionalExpectedSpend(g, 0, 0), population, 1e-12);
    const double z = 50;
    for (const int64_t x : {1, 5, 100}) {
        const double w = (g.q - 1) / (g.p * x + g.q - 1);
        EXPECT_NEAR(
            GammaGammaConditionalExpectedSpend(g, x, z), w * population + (1 - w) * z, 1e-10
        );
    }
    // More transactions, closer to the customer's own mean.
    EXPECT_LT(
        std::fabs(GammaGammaConditionalExpectedSpend(g, 100, z) - z),
        std::fabs(GammaGammaConditionalExpectedSpend(g, 1, z) - z)
    );
}

TEST(GammaGammaTest, FitRecoversSimulatedParameters) {
    const GammaGammaParams truth{4.0, 5.0, 30.0};
    std::mt19937_64 rng(7);
    std::gamma_distribution<double> nu_dist(truth.q, 1.0 / truth.gamma);
    std::uniform_int_distribution<int> count(1, 10);
    std::vector<SpendObservation> obs;
    for (int i = 0; i < 5000; ++i) {
        const double nu = nu_dist(rng);
        const int x = count(rng);
        std::gamma_distribution<double> value(truth.p, 1.0 / nu);
        double sum = 0;
        for (int k = 0; k < x; ++k) {
            sum += value(rng);
        }
        obs.push_back({x, sum / x});
    }
    const auto fit = FitGammaGamma(obs);
    ASSERT_TRUE(fit.has_value()) << fit.error().internal;
    EXPECT_NEAR(fit->params.p / truth.p, 1.0, 0.1);
    EXPECT_NEAR(fit->params.q / truth.q, 1.0, 0.15);
    EXPECT_NEAR(fit->params.gamma / truth.gamma, 1.0, 0.2);
    EXPECT_GE(fit->log_likelihood, GammaGammaLogLikelihood(truth, obs));
}

TEST(GammaGammaTest, FitRejectsBadObservations) {
    EXPECT_EQ(FitGammaGamma({}).error().message, "no repeat customers with positive spend to fit");
    EXPECT_EQ(
        FitGammaGamma({{1, 10.0}, {0, 5.0}}).error().message,
        "spend observation 1 needs x > 0 and a positive mean value"
    );
    EXPECT_EQ(FitGammaGamma({{2, 0.0}}).error().code, core::ErrorCode::kInvalid);
}

TEST(GammaGammaTest, RepeatSpendKeepsRepeatersWithPositiveValue) {
    std::vector<CustomerSummary> summaries(3);
    summaries[0].frequency = 0;
    summaries[1].frequency = 2;
    summaries[1].monetary_value = 12.5;
    summaries[2].frequency = 1;
    summaries[2].monetary_value = 0;
    const auto spend = RepeatSpend(summaries);
    ASSERT_EQ(spend.size(), 1u);
    EXPECT_EQ(spend[0].frequency, 2);
    EXPECT_EQ(spend[0].monetary_value, 12.5);
}

}  // namespace
}  // namespace voronka::analytics
