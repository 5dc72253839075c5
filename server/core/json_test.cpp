#include "core/json.hpp"

#include <gtest/gtest.h>
#include <unicode/unistr.h>

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

// FoldCase and NormalizeNfc answer pure ASCII without ICU; ICU must agree on every character.
TEST(Text, AsciiShortcutsAgreeWithIcu) {
    for (int c = 1; c < 128; ++c) {
        const std::string text = std::string("a") + static_cast<char>(c) + "Z";
        icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
        std::string folded;
        u.foldCase().toUTF8String(folded);
        EXPECT_EQ(FoldCase(text), folded) << c;
        EXPECT_EQ(NormalizeNfc(text), text) << c;
    }
    // Mixed text still goes through ICU.
    EXPECT_EQ(FoldCase("Straße ÉCOLE"), "strasse école");
}

}  // namespace
}  // namespace voronka::core
