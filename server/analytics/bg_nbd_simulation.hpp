// Draws synthetic customers from the BG/NBD process, for fit-recovery tests and benchmarks.
#pragma once

#include <cstdint>
#include <vector>

#include "analytics/bg_nbd.hpp"
#include "analytics/recency_frequency.hpp"

namespace voronka::analytics {

struct BgNbdSimulationOptions {
    double days_per_unit = 7.0;     // the unit of `params` and of the output times
    double cohort_days = 84;        // first purchases fall uniformly in [0, cohort_days)
    double calibration_days = 273;  // calibration ends this many days after the cohort start
    double resolution_days = 1.0;   // output times rounded to this grid; 0 keeps them exact
};

// Each customer draws lambda ~ Gamma(r, alpha) and p ~ Beta(a, b); repeat purchases follow a
// Poisson process at rate lambda in continuous time and after each one the customer leaves with
// probability p. t_x and T are then rounded to the nearest resolution_days, like timestamps kept
// by the day; nearest (not floor) rounding leaves the estimates unbiased, whereas flooring and
// merging same-day purchases would bias alpha by a few per cent. Deterministic for a given seed
// and standard library.
std::vector<RecencyFrequency> SimulateBgNbd(
    const BgNbdParams& params,
    size_t customers,
    const BgNbdSimulationOptions& options,
    uint64_t seed
);

}  // namespace voronka::analytics
