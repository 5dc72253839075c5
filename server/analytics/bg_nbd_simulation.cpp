// BG/NBD simulation with std::mt19937_64 and the standard gamma/exponential distributions.
#include "analytics/bg_nbd_simulation.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace voronka::analytics {

std::vector<RecencyFrequency> SimulateBgNbd(
    const BgNbdParams& params,
    size_t customers,
    const BgNbdSimulationOptions& options,
    uint64_t seed
) {
    std::mt19937_64 rng(seed);
    std::gamma_distribution<double> rate(params.r, 1.0 / params.alpha);
    std::gamma_distribution<double> beta_a(params.a, 1.0);
    std::gamma_distribution<double> beta_b(params.b, 1.0);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    const auto round_days = [&](double days) {
        const double step = options.resolution_days;
        return (step > 0 ? std::round(days / step) * step : days) / options.days_per_unit;
    };

    std::vector<RecencyFrequency> out;
    out.reserve(customers);
    for (size_t i = 0; i < customers; ++i) {
        const double lambda_per_day = rate(rng) / options.days_per_unit;
        const double ga = beta_a(rng);
        const double drop = ga / (ga + beta_b(rng));
        const double age_days = options.calibration_days - options.cohort_days * uniform(rng);
        int64_t frequency = 0;
        double last = 0;
        if (lambda_per_day > 0) {
            std::exponential_distribution<double> gap(lambda_per_day);
            for (double t = gap(rng); t <= age_days; t += gap(rng)) {
                ++frequency;
                last = t;
                if (uniform(rng) < drop) {
                    break;
                }
            }
        }
        const double age = round_days(age_days);
        out.push_back({frequency, std::min(round_days(last), age), age});
    }
    return out;
}

}  // namespace voronka::analytics
