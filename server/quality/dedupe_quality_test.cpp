// Quality gate: F1 of the duplicate scan on Febrl dataset1 and on generated mixed-script contacts.
#include <cstdlib>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "quality/contact_generator.hpp"
#include "quality/dedupe_metrics.hpp"
#include "quality/febrl_data.hpp"
#include "quality/matcher.hpp"

namespace voronka::quality {
namespace {

std::string SharedData() {
    const char* env = std::getenv("VORONKA_SHARED_DATA");
    return env != nullptr ? env : VORONKA_DEFAULT_SHARED_DATA;
}

TEST(DedupeQuality, FebrlDataset1F1AtLeast095) {
    auto set = LoadFebrl(SharedData() + "/febrl/dataset1.csv");
    ASSERT_TRUE(set) << set.error().message;
    ASSERT_EQ(set->records.size(), 1000u);
    const PairMetrics m = EvaluatePairs(ScanDuplicates(set->records), *set);
    EXPECT_EQ(m.true_pairs, 500u);
    EXPECT_GE(m.f1, 0.95) << "precision " << m.precision << " recall " << m.recall;
}

TEST(DedupeQuality, MixedScriptContactsF1AtLeast090) {
    GeneratorOptions options;
    options.records = 3000;
    const LabeledRecords set = GenerateContacts(options);
    const PairMetrics m = EvaluatePairs(ScanDuplicates(set.records), set);
    EXPECT_GT(m.true_pairs, 500u);
    EXPECT_GE(m.f1, 0.90) << "precision " << m.precision << " recall " << m.recall;
}

TEST(DedupeQuality, GeneratorIsDeterministic) {
    GeneratorOptions options;
    options.records = 200;
    const LabeledRecords a = GenerateContacts(options);
    const LabeledRecords b = GenerateContacts(options);
    ASSERT_EQ(a.records.size(), b.records.size());
    for (std::size_t i = 0; i < a.records.size(); ++i) {
        EXPECT_EQ(a.records[i].first_name, b.records[i].first_name);
        EXPECT_EQ(a.records[i].phone, b.records[i].phone);
        EXPECT_EQ(a.entity[i], b.entity[i]);
    }
}

TEST(EvaluatePairs, CountsLinksAcrossSourcesOnly) {
    LabeledRecords truth;
    truth.records.resize(4);
    truth.records[2].source = 1;
    truth.records[3].source = 1;
    truth.entity = {7, 7, 7, 8};
    // Entity 7 has two records in source 0 and one in source 1: two cross links.
    const std::vector<CandidatePair> predicted = {
        {0, 1, 0.9, {}}, {0, 2, 0.9, {}}, {1, 3, 0.9, {}}};
    const PairMetrics linked = EvaluatePairs(predicted, truth, true);
    EXPECT_EQ(linked.true_pairs, 2u);
    EXPECT_EQ(linked.predicted_pairs, 2u);
    EXPECT_EQ(linked.true_positives, 1u);
    EXPECT_DOUBLE_EQ(linked.f1, 0.5);
    const PairMetrics all = EvaluatePairs(predicted, truth, false);
    EXPECT_EQ(all.true_pairs, 3u);
    EXPECT_EQ(all.true_positives, 2u);
}

// The on-entry check turns candidates away on their exact fields before preparing their names:
// every pair of real-shaped records (Febrl with addresses and postcodes, generated contacts
// with scripts, patronymics and birthdays) must get the same decision and the same
// explanation as scoring the fully prepared pair.
void ExpectStagedMatchAgrees(const std::vector<MatchRecord>& records, size_t count) {
    const MatchOptions options;
    std::vector<PreparedRecord> prepared;
    for (size_t i = 0; i < count; ++i) {
        prepared.push_back(PrepareRecord(records[i], options));
    }
    for (const double threshold : {0.0, 0.3, 0.5, 0.8, 0.95, 1.0}) {
        size_t reached = 0;
        for (size_t i = 0; i < count; ++i) {
            for (size_t j = 0; j < count; ++j) {
                if (i == j) {
                    continue;
                }
                const std::optional<MatchResult> staged =
                    MatchIfReaches(prepared[i], records[j], options, threshold);
                const bool expected = ScorePrepared(prepared[i], prepared[j]) >= threshold;
                ASSERT_EQ(staged.has_value(), expected)
                    << "pair " << i << "," << j << " at threshold " << threshold;
                if (staged) {
                    const MatchResult full = ExplainMatch(prepared[i], prepared[j]);
                    ASSERT_EQ(staged->score, full.score);
                    ASSERT_EQ(staged->reasons, full.reasons);
                    ++reached;
                }
            }
        }
        if (threshold > 0.0 && threshold < 1.0) {
            EXPECT_GT(reached, 10u) << "too few matching pairs to test at " << threshold;
        }
    }
}

TEST(DedupeQuality, OnEntryCheckDecidesAsTheFullScore) {
    auto febrl = LoadFebrl(SharedData() + "/febrl/dataset1.csv");
    ASSERT_TRUE(febrl) << febrl.error().message;
    ExpectStagedMatchAgrees(febrl->records, 150);
    GeneratorOptions options;
    options.records = 150;
    ExpectStagedMatchAgrees(GenerateContacts(options).records, 150);
}

}  // namespace
}  // namespace voronka::quality
