// NLopt C API (its C++ wrapper throws on round-off-limited ends, which are normal here).
#include "analytics/likelihood_fit.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <nlopt.h>

namespace voronka::analytics {

namespace {

constexpr double kLogBound = 20.0;

struct Objective {
    const LogLikelihoodFunction* log_likelihood;
    std::vector<double> params;
    std::vector<double> gradient;
    int evaluations = 0;
};

// NLopt minimises: returns -LL at exp(theta) and its gradient in theta.
double NegativeLogLikelihood(unsigned n, const double* theta, double* grad, void* data) {
    auto* objective = static_cast<Objective*>(data);
    ++objective->evaluations;
    for (unsigned i = 0; i < n; ++i) {
        objective->params[i] = std::exp(theta[i]);
    }
    std::span<double> gradient;
    if (grad != nullptr) {
        gradient = std::span<double>(objective->gradient);
        std::fill(gradient.begin(), gradient.end(), 0.0);
    }
    const double value = (*objective->log_likelihood)(objective->params, gradient);
    if (!std::isfinite(value)) {
        if (grad != nullptr) {
            std::fill(grad, grad + n, 0.0);
        }
        return HUGE_VAL;
    }
    if (grad != nullptr) {
        for (unsigned i = 0; i < n; ++i) {
            grad[i] = -gradient[i] * objective->params[i];
        }
    }
    return -value;
}

core::Result<double> RunOnce(
    nlopt_algorithm algorithm, Objective* objective, std::vector<double>* theta
) {
    const auto n = static_cast<unsigned>(theta->size());
    nlopt_opt opt = nlopt_create(algorithm, n);
    if (opt == nullptr) {
        return core::Error::Internal("nlopt_create failed");
    }
    std::vector<double> lower(n, -kLogBound);
    std::vector<double> upper(n, kLogBound);
    nlopt_set_lower_bounds(opt, lower.data());
    nlopt_set_upper_bounds(opt, upper.data());
    nlopt_set_min_objective(opt, NegativeLogLikelihood, objective);
    nlopt_set_ftol_rel(opt, 1e-13);
    nlopt_set_xtol_rel(opt, 1e-10);
    nlopt_set_maxeval(opt, 20000);
    if (algorithm == NLOPT_LN_NELDERMEAD) {
        std::vector<double> step(n, 0.5);
        nlopt_set_initial_step(opt, step.data());
    }
    double minimum = HUGE_VAL;
    const nlopt_result code = nlopt_optimize(opt, theta->data(), &minimum);
    nlopt_destroy(opt);
    // Round-off-limited ends at the optimum are expected with tight tolerances.
    if (code < 0 && code != NLOPT_ROUNDOFF_LIMITED) {
        return core::Error::Internal("nlopt failed with code " + std::to_string(code));
    }
    if (!std::isfinite(minimum) || minimum == HUGE_VAL) {
        return core::Error::Internal("likelihood is not finite at the optimum");
    }
    return minimum;
}

}  // namespace

core::Result<MaximumLikelihood> MaximiseLikelihood(
    const LogLikelihoodFunction& log_likelihood,
    std::vector<double> initial_params,
    bool has_gradient
) {
    const size_t n = initial_params.size();
    Objective objective{&log_likelihood, std::vector<double>(n), std::vector<double>(n)};
    std::vector<double> theta(n);
    for (size_t i = 0; i < n; ++i) {
        if (!(initial_params[i] > 0)) {
            return core::Error::Internal("initial parameters must be positive");
        }
        theta[i] = std::log(initial_params[i]);
    }
    double minimum = 0;
    if (has_gradient) {
        VK_ASSIGN_OR_RETURN(minimum, RunOnce(NLOPT_LD_LBFGS, &objective, &theta));
    } else {
        VK_ASSIGN_OR_RETURN(minimum, RunOnce(NLOPT_LN_NELDERMEAD, &objective, &theta));
        VK_ASSIGN_OR_RETURN(minimum, RunOnce(NLOPT_LN_NELDERMEAD, &objective, &theta));
    }
    MaximumLikelihood result;
    result.params.resize(n);
    for (size_t i = 0; i < n; ++i) {
        result.params[i] = std::exp(theta[i]);
    }
    result.log_likelihood = -minimum;
    result.evaluations = objective.evaluations;
    return result;
}

}  // namespace voronka::analytics
