// Thin wrappers that fix one Boost.Math error policy, plus a plain 2F1 series (Boost 1.74 has only
// the generic pFq, which is far slower inside a likelihood evaluated thousands of times).
#include "analytics/special_functions.hpp"

#include <cmath>
#include <limits>
#include <utility>

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>

namespace voronka::analytics {

namespace {

namespace bmp = boost::math::policies;

// Likelihoods are probed far from the optimum: errors must become values, not exceptions.
using NoThrow = bmp::policy<
    bmp::domain_error<bmp::ignore_error>,
    bmp::pole_error<bmp::ignore_error>,
    bmp::overflow_error<bmp::ignore_error>,
    bmp::evaluation_error<bmp::ignore_error>,
    bmp::promote_double<false>>;

}  // namespace

double LogGamma(double x) { return boost::math::lgamma(x, NoThrow()); }

double Digamma(double x) { return boost::math::digamma(x, NoThrow()); }

double LogBeta(double a, double b) { return LogGamma(a) + LogGamma(b) - LogGamma(a + b); }

double Hyp2F1(double a, double b, double c, double z) {
    if (!(std::fabs(z) < 1.0)) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    double term = 1.0;
    double sum = 1.0;
    for (int n = 0; n < 100000; ++n) {
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        const double next = sum + term;
        if (next == sum) {
            return sum;
        }
        sum = next;
        if (!std::isfinite(sum)) {
            break;
        }
    }
    // Not converged (z too close to 1) or overflowed: a wrong number would be worse than none.
    return std::numeric_limits<double>::quiet_NaN();
}

double LogAddExp(double u, double v) {
    if (u < v) {
        std::swap(u, v);
    }
    if (v == -std::numeric_limits<double>::infinity()) {
        return u;
    }
    return u + std::log1p(std::exp(v - u));
}

}  // namespace voronka::analytics
