#include "core/json.hpp"

#include <gtest/gtest.h>

#include "core/text.hpp"

namespace voronka::core {
namespace {

TEST(Json, RejectsMalformedDeepAndInvalidUtf8) {
    EXPECT_FALSE(ParseJson("{\"a\": "));
    EXPECT_FALSE(ParseJson("\xff\xfe"));
    std::string deep(100, '[');
    deep += std::string(100, ']');
    auto parsed = ParseJson(deep, 32);
    ASSERT_FALSE(parsed);
    EXPECT_NE(parsed.error().message.find("deeper"), std::string::npos);
    EXPECT_TRUE(ParseJson("{\"name\": \"Иван\"}"));
}

TEST(Text, FoldsAndNormalises) {
    EXPECT_EQ(FoldCase("ИВАН Petrov"), "иван petrov");
    EXPECT_EQ(NormalizeNfc("e\xCC\x81"), "\xC3\xA9");
    EXPECT_EQ(Trim("  x y \n"), "x y");
    EXPECT_FALSE(IsValidUtf8("\xC3"));
}

}  // namespace
}  // namespace voronka::core
