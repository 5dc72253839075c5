// Tests for the Pareto/NBD likelihood (both 2F1 branches), P(alive) and expectations.
#include "analytics/pareto_nbd.hpp"

#include <cmath>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <gtest/gtest.h>

#include "analytics/special_functions.hpp"

namespace voronka::analytics {
namespace {

// The likelihood straight from its definition: integrate the "died at tau" density numerically,
//   L = G [ (alpha+T)^-(r+x) (beta+T)^-s + s * int_{t_x}^{T} (alpha+tau)^-(r+x) (beta+tau)^-(s+1)
//   ],
// with G = Gamma(r+x) alpha^r beta^s / Gamma(r). No hypergeometric function involved.
double LogLikelihoodByQuadrature(const ParetoNbdParams& p, const RecencyFrequency& c) {
    const double x = static_cast<double>(c.frequency);
    const auto integrand = [&](double tau) {
        return std::pow(p.alpha + tau, -(p.r + x)) * std::pow(p.beta + tau, -(p.s + 1));
    };
    const double integral = boost::math::quadrature::gauss_kronrod<double, 61>::integrate(
        integrand, c.recency, c.age, 20, 1e-14
    );
    const double alive = std::pow(p.alpha + c.age, -(p.r + x)) * std::pow(p.beta + c.age, -p.s);
    return LogGamma(p.r + x) - LogGamma(p.r) + p.r * std::log(p.alpha) + p.s * std::log(p.beta) +
           std::log(alive + p.s * integral);
}

const RecencyFrequency kCustomers[] = {
    {0, 0, 38.86},
    {2, 30.43, 38.86},
    {1, 1.71, 38.86},
    {7, 35.0, 36.0},
    {15, 2.0, 33.1},
};

TEST(ParetoNbdTest, LikelihoodMatchesQuadratureForAlphaAboveAndBelowBeta) {
    const ParetoNbdParams params[] = {
        {0.553, 10.578, 0.606, 11.669},  // alpha < beta (CDNOW)
        {0.553, 14.0, 0.606, 3.0},       // alpha > beta
        {0.8, 5.0, 1.0, 5.0},            // alpha = beta, s = 1
        {0.5, 400.0, 0.7, 0.2},          // alpha >> beta: integral form, not the 2F1 series
        {0.5, 0.02, 0.7, 30.0},          // beta >> alpha: integral form
    };
    for (const auto& p : params) {
        for (const auto& c : kCustomers) {
            EXPECT_NEAR(ParetoNbdLogLikelihood(p, c), LogLikelihoodByQuadrature(p, c), 1e-9)
                << "alpha " << p.alpha << " beta " << p.beta << " x " << c.frequency;
        }
    }
}

TEST(ParetoNbdTest, GroupedLikelihoodEqualsSumOfIndividuals) {
    std::vector<RecencyFrequency> customers(std::begin(kCustomers), std::end(kCustomers));
    customers.push_back(kCustomers[1]);
    const auto data = CompressRecencyFrequency(customers);
    ASSERT_TRUE(data.has_value());
    const ParetoNbdParams p{0.553, 10.578, 0.606, 11.669};
    double sum = 0;
    for (const auto& c : customers) {
        sum += ParetoNbdLogLikelihood(p, c);
    }
    EXPECT_NEAR(ParetoNbdLogLikelihood(p, *data), sum, 1e-10);
}

TEST(ParetoNbdTest, ProbabilityAlive) {
    const ParetoNbdParams p{0.553, 10.578, 0.606, 11.669};
    EXPECT_NEAR(ParetoNbdProbabilityAlive(p, {0, 0, 0}), 1.0, 1e-15);
    // The share of the likelihood that says "still alive at T".
    const RecencyFrequency c{2, 10.0, 38.86};
    const double alive_term = LogGamma(p.r + 2) - LogGamma(p.r) + p.r * std::log(p.alpha) +
                              p.s * std::log(p.beta) - (p.r + 2) * std::log(p.alpha + 38.86) -
                              p.s * std::log(p.beta + 38.86);
    EXPECT_NEAR(
        ParetoNbdProbabilityAlive(p, c), std::exp(alive_term - ParetoNbdLogLikelihood(p, c)), 1e-12
    );
    EXPECT_GT(ParetoNbdProbabilityAlive(p, {2, 38.0, 38.86}), ParetoNbdProbabilityAlive(p, c));
}

TEST(ParetoNbdTest, Expectations) {
    const ParetoNbdParams p{0.553, 10.578, 0.606, 11.669};
    // E[X(t)] = r beta / (alpha (s - 1)) (1 - (beta / (beta + t))^(s - 1)).
    const double t = 39;
    const double closed =
        p.r * p.beta / (p.alpha * (p.s - 1)) * (1 - std::pow(p.beta / (p.beta + t), p.s - 1));
    EXPECT_NEAR(ParetoNbdExpectedPurchases(p, t), closed, 1e-12);
    EXPECT_NEAR(ParetoNbdConditionalExpectedPurchases(p, {0, 0, 0}, t), closed, 1e-12);
    // s = 1 is the continuous limit.
    const RecencyFrequency c{3, 20, 30};
    const double at_one = ParetoNbdConditionalExpectedPurchases({0.5, 8, 1.0, 9}, c, t);
    EXPECT_NEAR(at_one, ParetoNbdConditionalExpectedPurchases({0.5, 8, 1.0 + 1e-6, 9}, c, t), 1e-5);
    EXPECT_NEAR(at_one, ParetoNbdConditionalExpectedPurchases({0.5, 8, 1.0 - 1e-6, 9}, c, t), 1e-5);
}

}  // namespace
}  // namespace voronka::analytics
