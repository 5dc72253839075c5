// Maximum-likelihood driver over positive parameters: NLopt on log-parameters.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "core/result.hpp"

namespace voronka::analytics {

// Log-likelihood at positive `params`. When `gradient` is not empty the function fills it with
// d(log-likelihood)/d(param). Non-finite values are treated as "infinitely unlikely".
using LogLikelihoodFunction =
    std::function<double(std::span<const double> params, std::span<double> gradient)>;

struct MaximumLikelihood {
    std::vector<double> params;
    double log_likelihood = 0;
    int evaluations = 0;
};

// Maximises over params > 0 by optimising log(params) within [exp(-20), exp(20)]. With
// `has_gradient` it uses L-BFGS (NLOPT_LD_LBFGS), otherwise Nelder-Mead restarted once from
// its own optimum (a collapsed simplex is a known failure mode of a single run).
// Fails with Internal when the optimiser fails or ends at a non-finite likelihood.
core::Result<MaximumLikelihood> MaximiseLikelihood(
    const LogLikelihoodFunction& log_likelihood,
    std::vector<double> initial_params,
    bool has_gradient
);

}  // namespace voronka::analytics
