// Special functions for the CLV likelihoods: Boost.Math gamma family without exceptions, 2F1.
#pragma once

namespace voronka::analytics {

// log|Gamma(x)| and digamma(x) from Boost.Math; return NaN or +-inf instead of throwing.
double LogGamma(double x);
double Digamma(double x);

// log(Beta(a, b)).
double LogBeta(double a, double b);

// Gaussian hypergeometric 2F1(a, b; c; z) by its power series, for |z| < 1 and c not a
// non-positive integer. The series is summed until a term no longer changes the sum. NaN outside
// the domain and when 100,000 terms do not converge (z within about 3e-4 of 1) or the sum
// overflows: callers needing z that close to 1 must use another method.
double Hyp2F1(double a, double b, double c, double z);

// log(exp(u) + exp(v)) without overflow; -inf inputs are allowed.
double LogAddExp(double u, double v);

}  // namespace voronka::analytics
