// (x, t_x, T) observations compressed into weighted groups so likelihoods cost per distinct value.
#pragma once

#include <cstdint>
#include <vector>

#include "analytics/customer_summary.hpp"
#include "core/result.hpp"

namespace voronka::analytics {

// One customer's calibration summary in model notation.
struct RecencyFrequency {
    int64_t frequency = 0;  // x, repeat purchases
    double recency = 0;     // t_x, time of last purchase since the first; 0 if x = 0
    double age = 0;         // T, time from first purchase to calibration end
};

// Customers with equal (x, t_x, T) become one group with a weight; every distinct x, t_x and T is
// stored once, so a likelihood evaluates terms like lgamma(r + x) or log(alpha + T) per value,
// not per customer. Times kept by the day compress well: a million customers of a 12-week cohort
// observed for 39 weeks become about 110,000 groups over 274 distinct t_x and 84 distinct T.
struct RecencyFrequencyData {
    struct Group {
        uint32_t frequency_index = 0;
        uint32_t recency_index = 0;
        uint32_t age_index = 0;
        uint32_t recency_pair_index = 0;  // into recency_pairs
        uint32_t age_pair_index = 0;      // into age_pairs
        double weight = 0;                // number of customers
    };

    // Distinct (x, t_x) and (x, T) pairs as (frequency_index, recency/age index), for terms that
    // depend on two of the three values (the Pareto/NBD hypergeometric terms).
    struct Pair {
        uint32_t frequency_index = 0;
        uint32_t other_index = 0;
    };

    std::vector<double> frequencies;  // distinct x, ascending
    std::vector<double> recencies;    // distinct t_x, ascending
    std::vector<double> ages;         // distinct T, ascending
    std::vector<Group> groups;
    std::vector<Pair> recency_pairs;
    std::vector<Pair> age_pairs;
    double customers = 0;
};

// Compresses observations. Fails with Invalid when one is impossible: x < 0, t_x < 0, T < t_x,
// t_x > 0 with x = 0, a non-finite time, or no observations at all.
core::Result<RecencyFrequencyData> CompressRecencyFrequency(
    const std::vector<RecencyFrequency>& observations
);

// The (x, t_x, T) of each summary, in order.
std::vector<RecencyFrequency> ToRecencyFrequency(const std::vector<CustomerSummary>& summaries);

}  // namespace voronka::analytics
