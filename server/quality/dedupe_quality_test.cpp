// Quality gate: F1 of the duplicate scan on Febrl dataset1 and on generated mixed-script contacts.
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "quality/contact_generator.hpp"
#include "quality/dedupe_metrics.hpp"
#include "quality/febrl_data.hpp"

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

}  // namespace
}  // namespace voronka::quality
