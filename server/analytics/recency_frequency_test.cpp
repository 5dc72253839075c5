// Tests for (x, t_x, T) compression into weighted groups.
#include "analytics/recency_frequency.hpp"

#include <limits>

#include <gtest/gtest.h>

namespace voronka::analytics {
namespace {

TEST(CompressRecencyFrequencyTest, GroupsEqualTriplesAndIndexesDistinctValues) {
    const std::vector<RecencyFrequency> observations = {
        {0, 0, 10},
        {2, 5, 10},
        {0, 0, 10},
        {2, 5, 10},
        {2, 5, 12},
        {1, 5, 12},
        {0, 0, 12},
    };
    const auto data = CompressRecencyFrequency(observations);
    ASSERT_TRUE(data.has_value());
    EXPECT_EQ(data->customers, 7.0);
    EXPECT_EQ(data->frequencies, (std::vector<double>{0, 1, 2}));
    EXPECT_EQ(data->recencies, (std::vector<double>{0, 5}));
    EXPECT_EQ(data->ages, (std::vector<double>{10, 12}));
    ASSERT_EQ(data->groups.size(), 5u);
    double weight = 0;
    for (const auto& g : data->groups) {
        weight += g.weight;
    }
    EXPECT_EQ(weight, 7.0);
    // Sorted by (x, t_x, T): the first group is (0, 0, 10) twice.
    EXPECT_EQ(data->groups[0].frequency_index, 0u);
    EXPECT_EQ(data->groups[0].age_index, 0u);
    EXPECT_EQ(data->groups[0].weight, 2.0);
    // The last is (2, 5, 12) once.
    EXPECT_EQ(data->groups[4].frequency_index, 2u);
    EXPECT_EQ(data->groups[4].recency_index, 1u);
    EXPECT_EQ(data->groups[4].age_index, 1u);
    EXPECT_EQ(data->groups[4].weight, 1.0);
    // Distinct (x, t_x): (0,0) (1,5) (2,5); distinct (x, T): (0,10) (0,12) (1,12) (2,10) (2,12).
    EXPECT_EQ(data->recency_pairs.size(), 3u);
    EXPECT_EQ(data->age_pairs.size(), 5u);
    for (const auto& g : data->groups) {
        const auto& rp = data->recency_pairs.at(g.recency_pair_index);
        const auto& ap = data->age_pairs.at(g.age_pair_index);
        EXPECT_EQ(rp.frequency_index, g.frequency_index);
        EXPECT_EQ(rp.other_index, g.recency_index);
        EXPECT_EQ(ap.frequency_index, g.frequency_index);
        EXPECT_EQ(ap.other_index, g.age_index);
    }
}

TEST(CompressRecencyFrequencyTest, RejectsImpossibleObservations) {
    const std::vector<RecencyFrequency> bad[] = {
        {{-1, 0, 1}},
        {{1, 2, 1}},
        {{0, 1, 2}},
        {{1, -1, 2}},
        {{1, 1, std::numeric_limits<double>::infinity()}},
        {},
    };
    for (const auto& observations : bad) {
        const auto data = CompressRecencyFrequency(observations);
        ASSERT_FALSE(data.has_value());
        EXPECT_EQ(data.error().code, core::ErrorCode::kInvalid);
    }
    EXPECT_EQ(
        CompressRecencyFrequency({{1, 2, 1}}).error().message,
        "observation 0 is impossible: x=1 t_x=2.000000 T=1.000000"
    );
}

}  // namespace
}  // namespace voronka::analytics
