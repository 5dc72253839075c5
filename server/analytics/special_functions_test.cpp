// Tests for the special-function wrappers and the 2F1 series against closed forms and Boost.
#include "analytics/special_functions.hpp"

#include <cmath>
#include <limits>

#include <boost/math/special_functions/expm1.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <gtest/gtest.h>

// expm1.hpp and gamma.hpp are included because hypergeometric_pFq.hpp only declares them.

namespace voronka::analytics {
namespace {

TEST(Hyp2F1Test, MatchesClosedForms) {
    for (const double z : {-0.9, -0.3, 0.0, 0.2, 0.5, 0.9, 0.99}) {
        // 2F1(1, 1; 2; z) = -log(1 - z) / z
        const double log_form = z == 0.0 ? 1.0 : -std::log1p(-z) / z;
        EXPECT_NEAR(Hyp2F1(1, 1, 2, z), log_form, 1e-12 * std::fabs(log_form)) << z;
        // 2F1(a, b; b; z) = (1 - z)^-a
        EXPECT_NEAR(Hyp2F1(2.5, 3.0, 3.0, z), std::pow(1 - z, -2.5), 1e-11 * std::pow(1 - z, -2.5))
            << z;
    }
    // A terminating series: 2F1(-2, b; c; z) = 1 - 2bz/c + b(b+1)z^2/(c(c+1)).
    EXPECT_NEAR(Hyp2F1(-2, 3, 4, 0.5), 1 - 2 * 3 * 0.5 / 4 + 3 * 4 * 0.25 / 20, 1e-15);
}

TEST(Hyp2F1Test, MatchesBoostPFqOnLikelihoodArguments) {
    const struct {
        double a, b, c, z;
    } cases[] = {
        {2.243, 4.426, 5.219, 0.47},   // BG/NBD conditional expectation, customer 1 of CDNOW
        {8.159, 1.606, 9.159, 0.094},  // Pareto/NBD, alpha < beta branch shape
        {30.5, 31.2, 31.5, 0.6},       // heavy repeat buyer
        {0.5, 0.7, 1.9, 0.95},
    };

    for (const auto& c : cases) {
        const double expected = boost::math::hypergeometric_pFq({c.a, c.b}, {c.c}, c.z);
        EXPECT_NEAR(Hyp2F1(c.a, c.b, c.c, c.z), expected, 1e-11 * std::fabs(expected))
            << c.a << " " << c.b << " " << c.c << " " << c.z;
    }
}

TEST(Hyp2F1Test, NaNOutsideUnitDisc) {
    EXPECT_TRUE(std::isnan(Hyp2F1(1, 1, 2, 1.0)));
    EXPECT_TRUE(std::isnan(Hyp2F1(1, 1, 2, -1.5)));
    EXPECT_TRUE(std::isnan(Hyp2F1(1, 1, 2, std::nan(""))));
    // Inside the disc but too close to 1 to converge in 100,000 terms: no silent partial sum.
    EXPECT_TRUE(std::isnan(Hyp2F1(3, 2, 4, 1 - 1e-7)));
}

TEST(SpecialFunctionsTest, GammaFamily) {
    EXPECT_NEAR(LogGamma(10.0), std::log(362880.0), 1e-12);
    EXPECT_NEAR(LogGamma(0.5), 0.5 * std::log(M_PI), 1e-14);
    EXPECT_NEAR(Digamma(1.0), -0.57721566490153286, 1e-14);
    EXPECT_NEAR(LogBeta(2.0, 3.0), std::log(1.0 / 12.0), 1e-14);
    EXPECT_FALSE(std::isfinite(LogGamma(0.0)));  // pole: a value, not an exception
}

TEST(SpecialFunctionsTest, LogAddExp) {
    const double inf = std::numeric_limits<double>::infinity();
    EXPECT_NEAR(LogAddExp(std::log(2.0), std::log(3.0)), std::log(5.0), 1e-15);
    EXPECT_NEAR(LogAddExp(-1000.0, -1000.0), -1000.0 + std::log(2.0), 1e-12);
    EXPECT_EQ(LogAddExp(-inf, 4.0), 4.0);
    EXPECT_EQ(LogAddExp(4.0, -inf), 4.0);
    EXPECT_EQ(LogAddExp(-inf, -inf), -inf);
}

}  // namespace
}  // namespace voronka::analytics
