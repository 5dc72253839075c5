// Tests of the pairwise scorer: the brief's examples, swapped names, dates, strong keys.
#include "quality/matcher.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace voronka::quality {
namespace {

bool HasReason(const MatchResult& result, std::string_view reason) {
    return std::any_of(result.reasons.begin(), result.reasons.end(), [&](const std::string& r) {
        return r.starts_with(reason);
    });
}

MatchRecord Person(
    std::string first, std::string last, std::string phone = {}, std::string email = {}
) {
    MatchRecord r;
    r.first_name = std::move(first);
    r.last_name = std::move(last);
    r.phone = std::move(phone);
    r.email = std::move(email);
    return r;
}

TEST(ScoreMatch, SeesOnePersonAcrossScriptsAndPhoneFormats) {
    const MatchRecord cyrillic = Person("Иван", "Петров", "+7 (915) 123-45-67");
    const MatchRecord latin = Person("Ivan", "Petrov", "89151234567");
    const MatchResult result = ScoreMatch(cyrillic, latin);
    EXPECT_GT(result.score, 0.95);
    // Strongest evidence first: the full name (+9), then the phone (+7).
    const std::vector<std::string> expected = {"name_similar:1.00", "same_phone"};
    EXPECT_EQ(result.reasons, expected);
}

TEST(ScoreMatch, SameEmailInAnyCaseIsStrongEvidence) {
    const MatchResult result = ScoreMatch(
        Person("Иван", "Петров", "", "ivan.petrov@Mail.ru"),
        Person("Ivan", "Petrof", "", " IVAN.PETROV@mail.ru")
    );
    EXPECT_GT(result.score, 0.95);
    EXPECT_TRUE(HasReason(result, "same_email"));
}

TEST(ScoreMatch, SwappedFirstAndLastNamesMatch) {
    MatchRecord a = Person("Иван", "Петров", "+79151234567");
    MatchRecord b = Person("Петров", "Иван", "+79151234567");
    const MatchResult result = ScoreMatch(a, b);
    EXPECT_GT(result.score, 0.9);
    EXPECT_TRUE(HasReason(result, "names_swapped"));
}

TEST(ScoreMatch, FullNameInOneFieldMatchesSplitName) {
    MatchRecord a = Person("Ivan Petrov", "", "", "ivan@bk.ru");
    MatchRecord b = Person("Иван", "Петров", "", "ivan@bk.ru");
    EXPECT_GT(ScoreMatch(a, b).score, 0.99);
}

TEST(ScoreMatch, SameEmailAloneIsEnoughSamePhoneAloneIsNot) {
    // Households and offices share phones far more often than mailboxes.
    EXPECT_GT(
        ScoreMatch(
            Person("", "", "", "ivan.petrov@mail.ru"),
            Person("Ivan", "Petrov", "", "Ivan.Petrov@mail.ru")
        )
            .score,
        0.5
    );
    EXPECT_LT(
        ScoreMatch(Person("", "", "89151234567"), Person("Ivan", "Petrov", "+79151234567")).score,
        0.5
    );
}

TEST(ScoreMatch, NameAloneIsNotEnough) {
    // Namesakes are common; with nothing else known the pair stays below 0.5.
    EXPECT_LT(ScoreMatch(Person("Иван", "Петров"), Person("Ivan", "Petrov")).score, 0.5);
}

TEST(ScoreMatch, SharedPhoneOfRelativesIsNotADuplicate) {
    MatchRecord husband = Person("Сергей", "Смирнов", "+7 495 123-45-67");
    husband.birthday = "1970-03-02";
    MatchRecord wife = Person("Ольга", "Смирнова", "8 (495) 1234567");
    wife.birthday = "12.11.1973";
    const MatchResult result = ScoreMatch(husband, wife);
    EXPECT_LT(result.score, 0.5);
    EXPECT_TRUE(HasReason(result, "same_phone"));
    EXPECT_TRUE(HasReason(result, "birthday_differs"));
}

TEST(ScoreMatch, BirthdayToleratesTranspositionAndTypos) {
    MatchRecord a = Person("Анна", "Кузнецова");
    MatchRecord b = Person("Анна", "Кузнецова");
    a.city = b.city = "Казань";
    a.birthday = "1985-03-07";
    b.birthday = "07.03.1985";
    EXPECT_TRUE(HasReason(ScoreMatch(a, b), "same_birthday"));
    b.birthday = "1985-07-03";
    EXPECT_TRUE(HasReason(ScoreMatch(a, b), "birthday_transposed"));
    b.birthday = "1986-03-07";
    EXPECT_TRUE(HasReason(ScoreMatch(a, b), "birthday_typo"));
    b.birthday = "1990-11-20";
    const MatchResult differs = ScoreMatch(a, b);
    EXPECT_TRUE(HasReason(differs, "birthday_differs"));
    EXPECT_LT(differs.score, 0.5);
}

TEST(ScoreMatch, ScoreIsSymmetricAndBounded) {
    MatchRecord a = Person("Jamilla", "Wallner");
    a.address_1 = "tullaroop street";
    a.postcode = "4011";
    a.birthday = "19081209";
    a.national_id = "6988048";
    MatchRecord b = Person("", "Waller");
    b.address_1 = "tullaroop street";
    b.postcode = "4011";
    b.birthday = "19081209";
    b.national_id = "6988048";
    const double ab = ScoreMatch(a, b).score;
    EXPECT_DOUBLE_EQ(ab, ScoreMatch(b, a).score);
    EXPECT_GT(ab, 0.99);
    EXPECT_LE(ab, 1.0);
    EXPECT_GE(ScoreMatch(Person("a", "b"), Person("x", "y")).score, 0.0);
}

TEST(BirthdayKey, AcceptsCommonFormats) {
    EXPECT_EQ(BirthdayKey("1985-12-20"), "19851220");
    EXPECT_EQ(BirthdayKey("20.12.1985"), "19851220");
    EXPECT_EQ(BirthdayKey("5/1/1985"), "19850105");
    EXPECT_EQ(BirthdayKey("19851220"), "19851220");
    EXPECT_EQ(BirthdayKey("1985"), "");
    EXPECT_EQ(BirthdayKey("вчера"), "");
}

TEST(BirthdayKey, ReadsShapesNearTheIsoFormLikeTheGeneralPath) {
    EXPECT_EQ(BirthdayKey("1985-1-20"), "19850120");
    EXPECT_EQ(BirthdayKey("1985/12/20"), "19851220");
    EXPECT_EQ(BirthdayKey("1985-12-2x"), "19851202");
    EXPECT_EQ(BirthdayKey("20-12-1985"), "19851220");
    EXPECT_EQ(BirthdayKey(" 1985-12-20"), "19851220");
}

TEST(PrepareRecord, KeepsOnlyValidStrongKeys) {
    MatchRecord r = Person("Иван", "Петров", "12345", "not-an-email");
    const PreparedRecord p = PrepareRecord(r);
    EXPECT_EQ(p.phone, "");
    EXPECT_EQ(p.email, "");
    EXPECT_EQ(p.given, "ivan");
    EXPECT_EQ(p.surname, "petrov");
}

}  // namespace
}  // namespace voronka::quality
