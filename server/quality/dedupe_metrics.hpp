// Pairwise precision/recall/F1 of a duplicate scan against known entity labels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quality/duplicate_scan.hpp"
#include "quality/matcher.hpp"

namespace voronka::quality {

// Records with their ground truth: entity[i] identifies the real person behind records[i].
struct LabeledRecords {
    std::vector<MatchRecord> records;
    std::vector<std::uint64_t> entity;
};

struct PairMetrics {
    std::size_t true_pairs = 0;       // pairs of records of one entity (in scope)
    std::size_t predicted_pairs = 0;  // reported pairs (in scope)
    std::size_t true_positives = 0;
    double precision = 0;
    double recall = 0;
    double f1 = 0;
};

// Compares reported pairs with the labels. With only_across_sources, both the truth and the
// predictions are restricted to pairs whose MatchRecord::source differs (record linkage).
PairMetrics EvaluatePairs(
    const std::vector<CandidatePair>& predicted,
    const LabeledRecords& truth,
    bool only_across_sources = false
);

}  // namespace voronka::quality
