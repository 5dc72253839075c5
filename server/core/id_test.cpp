#include "core/id.hpp"

#include <gtest/gtest.h>

#include <set>

namespace voronka::core {
namespace {

TEST(Id, IsUniqueShapedAndTimeOrdered) {
    std::set<std::string> seen;
    std::string previous;
    for (int i = 0; i < 1000; ++i) {
        std::string id = NewId();
        EXPECT_TRUE(IsIdShaped(id)) << id;
        EXPECT_TRUE(seen.insert(id).second);
        EXPECT_GE(id.substr(0, 10), previous.substr(0, std::min<size_t>(10, previous.size())));
        previous = id;
    }
    EXPECT_FALSE(IsIdShaped("1; DROP TABLE contacts"));
}

TEST(Id, TokensAndHashes) {
    EXPECT_EQ(RandomToken(32).size(), 43u);
    EXPECT_NE(RandomToken(16), RandomToken(16));
    EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace voronka::core
