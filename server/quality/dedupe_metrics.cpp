// Pair-level evaluation of duplicate detection against entity labels.
#include "quality/dedupe_metrics.hpp"

#include <map>
#include <unordered_map>

namespace voronka::quality {

PairMetrics EvaluatePairs(
    const std::vector<CandidatePair>& predicted,
    const LabeledRecords& truth,
    bool only_across_sources
) {
    PairMetrics m;
    // Per entity, count records per source; true pairs follow combinatorially.
    std::unordered_map<std::uint64_t, std::map<int, std::size_t>> per_entity;
    for (std::size_t i = 0; i < truth.records.size(); ++i) {
        ++per_entity[truth.entity[i]][truth.records[i].source];
    }
    for (const auto& [entity, sources] : per_entity) {
        std::size_t total = 0;
        std::size_t same_source_pairs = 0;
        for (const auto& [source, count] : sources) {
            total += count;
            same_source_pairs += count * (count - 1) / 2;
        }
        const std::size_t all_pairs = total * (total - 1) / 2;
        m.true_pairs += only_across_sources ? all_pairs - same_source_pairs : all_pairs;
    }
    for (const CandidatePair& pair : predicted) {
        if (only_across_sources &&
            truth.records[pair.left].source == truth.records[pair.right].source) {
            continue;
        }
        ++m.predicted_pairs;
        if (truth.entity[pair.left] == truth.entity[pair.right]) {
            ++m.true_positives;
        }
    }
    const auto ratio = [](std::size_t a, std::size_t b) {
        return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
    };
    m.precision = ratio(m.true_positives, m.predicted_pairs);
    m.recall = ratio(m.true_positives, m.true_pairs);
    m.f1 =
        m.precision + m.recall == 0 ? 0.0 : 2 * m.precision * m.recall / (m.precision + m.recall);
    return m;
}

}  // namespace voronka::quality
