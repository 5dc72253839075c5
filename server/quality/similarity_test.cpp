// Tests of Jaro-Winkler, token similarity and bounded edit distance.
#include "quality/similarity.hpp"

#include <gtest/gtest.h>

namespace voronka::quality {
namespace {

TEST(JaroWinkler, MatchesPublishedValues) {
    // Reference values from Winkler (1990) / the usual textbook examples.
    EXPECT_NEAR(JaroWinkler("martha", "marhta"), 0.9611, 1e-4);
    EXPECT_NEAR(JaroWinkler("dwayne", "duane"), 0.84, 1e-4);
    EXPECT_NEAR(JaroWinkler("dixon", "dicksonx"), 0.8133, 1e-4);
    EXPECT_DOUBLE_EQ(JaroWinkler("ivan", "ivan"), 1.0);
    EXPECT_DOUBLE_EQ(JaroWinkler("", ""), 1.0);
    EXPECT_DOUBLE_EQ(JaroWinkler("ivan", ""), 0.0);
    EXPECT_DOUBLE_EQ(JaroWinkler("abc", "xyz"), 0.0);
    EXPECT_DOUBLE_EQ(JaroWinkler("ab", "ba"), 0.0);
}

TEST(JaroWinkler, IsSymmetricAndHandlesLongStrings) {
    const std::string a(300, 'a');
    const std::string b = std::string(299, 'a') + "b";
    EXPECT_GT(JaroWinkler(a, b), 0.99);
    EXPECT_DOUBLE_EQ(JaroWinkler("petrov", "petrova"), JaroWinkler("petrova", "petrov"));
}

TEST(TokenSimilarity, IgnoresOrder) {
    EXPECT_DOUBLE_EQ(TokenSimilarity("ivan petrov", "petrov ivan"), 1.0);
    EXPECT_GT(TokenSimilarity("ivan petrov", "petrov ivna"), 0.9);
    EXPECT_LT(TokenSimilarity("ivan petrov", "olga smirnova"), 0.7);
    EXPECT_DOUBLE_EQ(TokenSimilarity("", "ivan"), 0.0);
}

TEST(BoundedEditDistance, CountsEditsUpToTheBound) {
    EXPECT_EQ(BoundedEditDistance("4011", "4011", 1), 0);
    EXPECT_EQ(BoundedEditDistance("4814", "4184", 1), 1);  // adjacent transposition
    EXPECT_EQ(BoundedEditDistance("4011", "1041", 1), 2);  // two substitutions
    EXPECT_EQ(BoundedEditDistance("5162", "5126", 1), 1);
    EXPECT_EQ(BoundedEditDistance("7364009", "736409", 1), 1);
    EXPECT_EQ(BoundedEditDistance("1234", "5678", 1), 2);
    EXPECT_EQ(BoundedEditDistance("1", "12345", 2), 3);
    EXPECT_EQ(BoundedEditDistance("", "", 0), 0);
}

}  // namespace
}  // namespace voronka::quality
