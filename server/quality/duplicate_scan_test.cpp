// Tests of the blocked duplicate scan and the on-entry duplicate check.
#include "quality/duplicate_scan.hpp"

#include <gtest/gtest.h>

namespace voronka::quality {
namespace {

MatchRecord Contact(
    std::string id, std::string first, std::string last, std::string phone, std::string email
) {
    MatchRecord r;
    r.id = std::move(id);
    r.first_name = std::move(first);
    r.last_name = std::move(last);
    r.phone = std::move(phone);
    r.email = std::move(email);
    return r;
}

std::vector<MatchRecord> BriefExample() {
    return {
        Contact("a", "Иван", "Петров", "+7 (915) 123-45-67", ""),
        Contact("b", "", "", "", "ivan.petrov@Mail.ru"),
        Contact("c", "Ivan", "Petrov", "89151234567", "ivan.petrov@mail.ru"),
        Contact("d", "Ольга", "Смирнова", "+7 903 000-11-22", "olga@yandex.ru"),
        Contact("e", "Петров", "Иван", "8 915 123 45 67", ""),
        Contact("f", "Olga", "Smirnova", "", "OLGA@yandex.ru"),
        Contact("g", "Пётр", "Иванов", "+7 999 555-44-33", "petr@ivanov.ru"),
    };
}

std::vector<std::pair<std::size_t, std::size_t>> Pairs(const std::vector<CandidatePair>& found) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    for (const CandidatePair& p : found) {
        out.emplace_back(p.left, p.right);
    }
    return out;
}

TEST(ScanDuplicates, FindsTheBriefsPersonInEveryForm) {
    const auto found = ScanDuplicates(BriefExample());
    // b has only an email: it matches c by email; a, c, e are one person by phone and name.
    const std::vector<std::pair<std::size_t, std::size_t>> expected = {
        {0, 2}, {0, 4}, {1, 2}, {2, 4}, {3, 5}};
    EXPECT_EQ(Pairs(found), expected);
    for (const CandidatePair& p : found) {
        EXPECT_GE(p.score, 0.5);
        EXPECT_FALSE(p.reasons.empty());
    }
}

TEST(ScanDuplicates, ResultDoesNotDependOnThreads) {
    std::vector<MatchRecord> many;
    for (int copy = 0; copy < 300; ++copy) {
        for (MatchRecord r : BriefExample()) {
            r.phone = r.phone.empty() ? "" : r.phone + std::to_string(copy % 10);
            r.last_name += std::to_string(copy);
            many.push_back(std::move(r));
        }
    }
    ScanOptions one;
    one.threads = 1;
    ScanOptions two;
    two.threads = 2;
    ScanStats stats;
    one.stats = &stats;
    const auto a = ScanDuplicates(many, one);
    const auto b = ScanDuplicates(many, two);
    ASSERT_EQ(Pairs(a), Pairs(b));
    EXPECT_FALSE(a.empty());
    // Blocking: bounded work per record, never all n(n-1)/2 pairs.
    const std::size_t n = many.size();
    EXPECT_GT(stats.comparisons, n);
    EXPECT_LE(stats.comparisons, n * 9 * (static_cast<std::size_t>(one.window) - 1));
    EXPECT_LT(stats.comparisons, n * (n - 1) / 20);
}

TEST(ScanDuplicates, LinkingSkipsPairsWithinASource) {
    std::vector<MatchRecord> records = BriefExample();
    for (MatchRecord& r : records) {
        r.source = 1;
    }
    records[2].source = 2;
    ScanOptions options;
    options.only_across_sources = true;
    const std::vector<std::pair<std::size_t, std::size_t>> expected = {{0, 2}, {1, 2}, {2, 4}};
    EXPECT_EQ(Pairs(ScanDuplicates(records, options)), expected);
}

TEST(ScanDuplicates, TinyInputs) {
    EXPECT_TRUE(ScanDuplicates({}).empty());
    EXPECT_TRUE(ScanDuplicates({Contact("a", "Иван", "Петров", "", "")}).empty());
}

TEST(FindDuplicatesFor, RanksCandidatesBestFirst) {
    const std::vector<MatchRecord> candidates = BriefExample();
    const MatchRecord incoming =
        Contact("new", "Ivan", "Petroff", "+79151234567", "ivan.petrov@mail.ru");
    const auto matches = FindDuplicatesFor(incoming, candidates);
    ASSERT_EQ(matches.size(), 4u);    // a (phone), b (email only), c (both), e (swapped, phone)
    EXPECT_EQ(matches[0].index, 2u);  // phone, email and name
    EXPECT_GE(matches[0].score, matches[1].score);
    EXPECT_GE(matches[1].score, matches[2].score);
    EXPECT_GE(matches[2].score, matches[3].score);
    EXPECT_EQ(matches[0].reasons.front(), "same_email");
}

TEST(LookupKeysFor, GivesExactAndPrefixKeys) {
    const LookupKeys keys =
        LookupKeysFor(Contact("x", "Юлия", "Щукина", "8 915 123 45 67", "Julia@Mail.ru"));
    EXPECT_EQ(keys.phone, "+79151234567");
    EXPECT_EQ(keys.email, "julia@mail.ru");
    EXPECT_EQ(keys.surname_prefix, "suk");
    EXPECT_EQ(keys.given_prefix, "iul");
}

}  // namespace
}  // namespace voronka::quality
