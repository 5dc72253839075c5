// Target parsing: percent-decoding of path and query, and what is rejected as malformed.
#include "http/url.hpp"

#include <gtest/gtest.h>

namespace voronka::http {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(PercentDecode, DecodesEscapesAndOptionallyPlus) {
    struct Case {
        std::string input;
        bool plus_is_space;
        std::optional<std::string> expected;
    };

    const std::vector<Case> cases = {
        {"plain", false, "plain"},
        {"a%20b", false, "a b"},
        {"a+b", false, "a+b"},
        {"a+b", true, "a b"},
        {"%2B", true, "+"},
        {"%d0%98%D0%B2", false, "\xD0\x98\xD0\xB2"},  // either hex case
        {"%", false, std::nullopt},
        {"%2", false, std::nullopt},
        {"ab%", false, std::nullopt},
        {"%zz", false, std::nullopt},
        {"%2g", false, std::nullopt},
        {"", false, ""},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.input);
        EXPECT_EQ(PercentDecode(c.input, c.plus_is_space), c.expected);
    }
}

TEST(ParseQuery, KeepsOrderDuplicatesAndBracketKeys) {
    EXPECT_EQ(
        ParseQuery("filter%5Bname%5D%5Bop%5D=Ivan%20Petrov&tag=a+b&tag=c&flag&&=v&k="),
        Pairs({
            {"filter[name][op]", "Ivan Petrov"},
            {"tag", "a b"},
            {"tag", "c"},
            {"flag", ""},
            {"", "v"},
            {"k", ""},
        })
    );
    EXPECT_EQ(ParseQuery("filter[stage][in]=won,lost"), Pairs({{"filter[stage][in]", "won,lost"}}));
    EXPECT_EQ(ParseQuery("a=1=2"), Pairs({{"a", "1=2"}}));
    EXPECT_EQ(ParseQuery(""), Pairs{});
    EXPECT_EQ(ParseQuery("a=%zz"), std::nullopt);
}

TEST(ParseTarget, SplitsAndDecodes) {
    Request request;
    ASSERT_TRUE(ParseTarget("/api/v1/contacts/%D0%98%D0%B2%D0%B0%D0%BD?q=a%26b&sort=-name", request)
    );
    EXPECT_EQ(request.target, "/api/v1/contacts/%D0%98%D0%B2%D0%B0%D0%BD?q=a%26b&sort=-name");
    EXPECT_EQ(request.path, "/api/v1/contacts/Иван");
    EXPECT_EQ(request.query, Pairs({{"q", "a&b"}, {"sort", "-name"}}));

    ASSERT_TRUE(ParseTarget("/a+b?", request));
    EXPECT_EQ(request.path, "/a+b");  // '+' is literal in paths
    EXPECT_TRUE(request.query.empty());
}

TEST(ParseTarget, RejectsMalformedTargets) {
    for (std::string target : {
             "",
             "api/v1",
             "http://example.com/api",
             "*",
             "/a%zz",
             "/a?x=%2",
             "/a%00b",  // NUL
             "/a?x=%00",
             "/%ff%fe",  // invalid UTF-8
             "/a?%C3=1",
         }) {
        SCOPED_TRACE(target);
        Request request;
        core::Status status = ParseTarget(target, request);
        ASSERT_FALSE(status);
        EXPECT_EQ(status.error().code, core::ErrorCode::kInvalid);
        EXPECT_TRUE(request.path.empty());
    }
}

}  // namespace
}  // namespace voronka::http
