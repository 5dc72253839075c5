#include "core/base64url.hpp"

#include <gtest/gtest.h>

namespace voronka::core {
namespace {

TEST(Base64Url, RoundTripsEveryLengthAndByte) {
    std::string bytes;
    for (int i = 0; i < 256; ++i) {
        bytes.push_back(static_cast<char>(i));
        const std::string encoded = Base64UrlEncode(bytes);
        EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos) << encoded;
        EXPECT_EQ(Base64UrlDecode(encoded), bytes);
    }
}

TEST(Base64Url, MatchesTheRfc4648Vectors) {
    EXPECT_EQ(Base64UrlEncode(""), "");
    EXPECT_EQ(Base64UrlEncode("f"), "Zg");
    EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
    EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
    EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
    EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
    EXPECT_EQ(Base64UrlDecode("Zm9vYg=="), "foob");
}

TEST(Base64Url, RejectsWhatIsNotBase64Url) {
    EXPECT_FALSE(Base64UrlDecode("Zm9v!"));
    EXPECT_FALSE(Base64UrlDecode("+/8"));
    EXPECT_FALSE(Base64UrlDecode("{\"k\":1}"));
}

}  // namespace
}  // namespace voronka::core
