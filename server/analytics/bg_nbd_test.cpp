// Tests for the BG/NBD likelihood, gradient, expectations and fit recovery on simulated data.
#include "analytics/bg_nbd.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "analytics/bg_nbd_simulation.hpp"
#include "analytics/special_functions.hpp"

namespace voronka::analytics {
namespace {

const BgNbdParams kCdnow{0.243, 4.414, 0.793, 2.426};

const std::vector<RecencyFrequency> kCustomers = {
    {0, 0, 38.86},
    {0, 0, 30.0},
    {2, 30.43, 38.86},
    {1, 1.71, 38.86},
    {7, 35.0, 36.0},
    {2, 30.43, 38.86},
    {15, 20.0, 33.1},
    {1, 0.14, 0.3},
};

TEST(BgNbdTest, IndividualLikelihoodMatchesDirectFormula) {
    // Equation 6 of FHL (2005) without logs, for x = 2, t_x = 30.43, T = 38.86.
    const auto [r, alpha, a, b] = kCdnow;
    const double x = 2, t_x = 30.43, age = 38.86;
    const double beta_ab = std::beta(a, b);
    const double common = std::tgamma(r + x) * std::pow(alpha, r) / std::tgamma(r);
    const double direct =
        std::beta(a, b + x) / beta_ab * common / std::pow(alpha + age, r + x) +
        std::beta(a + 1, b + x - 1) / beta_ab * common / std::pow(alpha + t_x, r + x);
    EXPECT_NEAR(BgNbdLogLikelihood(kCdnow, {2, t_x, age}), std::log(direct), 1e-12);
    // x = 0: only the first term.
    const double zero = std::pow(alpha / (alpha + age), r);
    EXPECT_NEAR(BgNbdLogLikelihood(kCdnow, {0, 0, age}), std::log(zero), 1e-12);
}

TEST(BgNbdTest, GroupedLikelihoodEqualsSumOfIndividuals) {
    const auto data = CompressRecencyFrequency(kCustomers);
    ASSERT_TRUE(data.has_value());
    EXPECT_LT(data->groups.size(), kCustomers.size());
    double sum = 0;
    for (const auto& c : kCustomers) {
        sum += BgNbdLogLikelihood(kCdnow, c);
    }
    EXPECT_NEAR(BgNbdLogLikelihood(kCdnow, *data), sum, 1e-10);
}

TEST(BgNbdTest, GradientMatchesFiniteDifferences) {
    const auto data = CompressRecencyFrequency(kCustomers);
    ASSERT_TRUE(data.has_value());
    const BgNbdParams at{0.5, 3.0, 1.3, 2.0};
    BgNbdGradient g;
    BgNbdLogLikelihood(at, *data, &g);
    const double analytic[] = {g.r, g.alpha, g.a, g.b};
    for (int i = 0; i < 4; ++i) {
        BgNbdParams up = at, down = at;
        double* up_field[] = {&up.r, &up.alpha, &up.a, &up.b};
        double* down_field[] = {&down.r, &down.alpha, &down.a, &down.b};
        const double h = 1e-6 * *up_field[i];
        *up_field[i] += h;
        *down_field[i] -= h;
        const double numeric =
            (BgNbdLogLikelihood(up, *data) - BgNbdLogLikelihood(down, *data)) / (2 * h);
        EXPECT_NEAR(analytic[i], numeric, 1e-5 * std::max(1.0, std::fabs(numeric))) << i;
    }
}

// E[X(t)] by summing x * P(X(t) = x) with equation 8 of FHL (2005), independent of the 2F1 path.
double ExpectedPurchasesBySummation(const BgNbdParams& p, double t) {
    const double log_b_ab = LogBeta(p.a, p.b);
    const double q = t / (p.alpha + t);
    const double lead = std::pow(p.alpha / (p.alpha + t), p.r);
    double expected = 0;
    double nbd_cdf = 0;  // sum_{j < x} Gamma(r+j) / (Gamma(r) j!) q^j
    for (int x = 0; x < 3000; ++x) {
        const double log_nbd =
            LogGamma(p.r + x) - LogGamma(p.r) - LogGamma(x + 1.0) + x * std::log(q);
        double prob = std::exp(LogBeta(p.a, p.b + x) - log_b_ab + log_nbd) * lead;
        if (x > 0) {
            prob += std::exp(LogBeta(p.a + 1, p.b + x - 1) - log_b_ab) * (1 - lead * nbd_cdf);
        }
        nbd_cdf += std::exp(log_nbd);
        expected += x * prob;
    }
    return expected;
}

TEST(BgNbdTest, ExpectedPurchasesMatchesDistributionMean) {
    for (const double t : {1.0, 10.0, 39.0, 78.0}) {
        const double summed = ExpectedPurchasesBySummation(kCdnow, t);
        EXPECT_NEAR(BgNbdExpectedPurchases(kCdnow, t), summed, 1e-8 * std::max(1.0, summed)) << t;
    }
    // A brand-new customer (x = 0, t_x = 0, T = 0) is the unconditional case.
    EXPECT_NEAR(
        BgNbdConditionalExpectedPurchases(kCdnow, {0, 0, 0}, 39.0),
        BgNbdExpectedPurchases(kCdnow, 39.0),
        1e-12
    );
}

TEST(BgNbdTest, ProbabilityAliveBehaves) {
    EXPECT_EQ(BgNbdProbabilityAlive(kCdnow, {0, 0, 38.86}), 1.0);
    const double recent = BgNbdProbabilityAlive(kCdnow, {5, 38.0, 38.86});
    const double stale = BgNbdProbabilityAlive(kCdnow, {5, 5.0, 38.86});
    EXPECT_GT(recent, stale);
    EXPECT_GT(stale, 0.0);
    EXPECT_LT(recent, 1.0);
    // P(alive) = 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x)).
    const double direct =
        1 / (1 + 0.793 / (2.426 + 4) * std::pow((4.414 + 38.86) / (4.414 + 5.0), 5.243));
    EXPECT_NEAR(stale, direct, 1e-12);
}

TEST(BgNbdTest, ConditionalExpectationNearAOneIsContinuous) {
    const RecencyFrequency c{3, 20.0, 30.0};
    const double below = BgNbdConditionalExpectedPurchases({0.3, 5, 1.0 - 1e-5, 2}, c, 10);
    const double at = BgNbdConditionalExpectedPurchases({0.3, 5, 1.0, 2}, c, 10);
    const double above = BgNbdConditionalExpectedPurchases({0.3, 5, 1.0 + 1e-5, 2}, c, 10);
    EXPECT_TRUE(std::isfinite(at));
    EXPECT_NEAR(at, below, 1e-3);
    EXPECT_NEAR(at, above, 1e-3);
}

TEST(BgNbdTest, FitRecoversSimulatedParameters) {
    const BgNbdParams truth{0.5, 6.0, 0.8, 2.5};
    const auto customers = SimulateBgNbd(truth, 40000, {}, 20240601);
    const auto data = CompressRecencyFrequency(customers);
    ASSERT_TRUE(data.has_value());
    const auto fit = FitBgNbd(*data);
    ASSERT_TRUE(fit.has_value()) << fit.error().internal;
    EXPECT_NEAR(fit->params.r / truth.r, 1.0, 0.1);
    EXPECT_NEAR(fit->params.alpha / truth.alpha, 1.0, 0.1);
    EXPECT_NEAR(fit->params.a / truth.a, 1.0, 0.2);
    EXPECT_NEAR(fit->params.b / truth.b, 1.0, 0.2);
    // The optimum beats the truth on its own sample.
    EXPECT_GE(fit->log_likelihood, BgNbdLogLikelihood(truth, *data));
}

}  // namespace
}  // namespace voronka::analytics
