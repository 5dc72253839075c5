// Special functions for the CLV likelihoods: Boost.Math gamma family without exceptions, 2F1.
#pragma once

namespace voronka::analytics {

// log|Gamma(x)| and digamma(x) from Boost.Math; return NaN or +-inf instead of throwing.
double LogGamma(double x);
double Digamma(double x);

// log(Beta(a, b)).
double LogBeta(double a, double b);

// Gaussian hypergeometric 2F1(a, b; c; z) by its power series, for |z| < 1 and c not a
// non-positive integer. The series is summed until a term no longer changes the sum (at most
// 100,000 terms); NaN outside the domain. Exact at z = 0.
double Hyp2F1(double a, double b, double c, double z);

// log(exp(u) + exp(v)) without overflow; -inf inputs are allowed.
double LogAddExp(double u, double v);

}  // namespace voronka::analytics
