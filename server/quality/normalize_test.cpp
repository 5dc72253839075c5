// Tests of phone, email, name, website and tax-id normalisation.
#include "quality/normalize.hpp"

#include <array>
#include <random>

#include <gtest/gtest.h>

namespace voronka::quality {
namespace {

struct Case {
    const char* input;
    const char* normalized;
    bool valid;
    const char* reason;
};

void ExpectCase(const Normalized& got, const Case& c) {
    EXPECT_EQ(got.normalized, c.normalized) << c.input;
    EXPECT_EQ(got.valid, c.valid) << c.input;
    EXPECT_EQ(got.reason, c.reason) << c.input;
}

TEST(NormalizePhone, RussianFormatsGiveOneE164) {
    for (const Case& c : std::initializer_list<Case>{
             {"+7 (915) 123-45-67", "+79151234567", true, ""},
             {"89151234567", "+79151234567", true, ""},
             {"8 915 123 45 67", "+79151234567", true, ""},
             {"915-123-45-67", "+79151234567", true, ""},
             {"  +7 915 123 4567 доб. 12 ", "+79151234567", true, ""},
             {"+380 50 123 45 67", "+380501234567", true, ""},
             {"+7 (495) 123-45-67", "+74951234567", true, ""},
         }) {
        ExpectCase(NormalizePhone(c.input, "RU"), c);
    }
}

TEST(NormalizePhone, DefaultRegionDecidesTheCountry) {
    ExpectCase(NormalizePhone("050 123 4567", "UA"), {"050 123 4567", "+380501234567", true, ""});
    ExpectCase(
        NormalizePhone("(044) 123-45-67", "UA"), {"(044) 123-45-67", "+380441234567", true, ""}
    );
}

TEST(NormalizePhone, InvalidInputIsFlaggedNotDropped) {
    for (const Case& c : std::initializer_list<Case>{
             {"", "", false, "empty"},
             {"   ", "", false, "empty"},
             {"позвонить потом", "позвонить потом", false, "not_a_number"},
             {"12", "+712", false, "too_short"},
             {"12345", "+712345", false, "too_short"},
             {"+7 015 123 45 67", "+70151234567", false, "invalid_for_region"},
             {"+999 123 456 789", "+999 123 456 789", false, "invalid_country_code"},
         }) {
        ExpectCase(NormalizePhone(c.input, "RU"), c);
    }
}

// NormalizePhone skips the parser for common shapes; whatever it returns must be exactly what
// the parser path returns, for valid and invalid numbers alike. Random digits in the shapes
// people type (and the demo generates), with and without country codes, in four regions.
TEST(NormalizePhone, FastPathAgreesWithTheParser) {
    std::mt19937_64 rng(7);  // fixed: a failure names its input
    auto digits = [&](int n) {
        std::string out;
        for (int i = 0; i < n; ++i) {
            out.push_back(static_cast<char>('0' + rng() % 10));
        }
        return out;
    };
    const std::array<const char*, 4> regions{"RU", "UA", "US", "DE"};
    const std::array<const char*, 12> prefixes{
        "+7 (", "8 (", "+380 ", "0", "+1 ", "+49 ", "+44 ", "7", "8", "+", "(", ""};
    const std::array<const char*, 5> separators{"", " ", "-", ") ", "  "};
    int fast_valid = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string raw = prefixes[rng() % prefixes.size()];
        // Mostly mobile-like and city-like numbers, so many are valid somewhere.
        raw += (rng() % 3 == 0 ? std::string("9") : std::string()) + digits(2 + rng() % 2);
        for (int group = 0, groups = 1 + static_cast<int>(rng() % 4); group < groups; ++group) {
            raw += separators[rng() % separators.size()] + digits(1 + rng() % 4);
        }
        const char* region = regions[rng() % regions.size()];
        const Normalized fast = NormalizePhone(raw, region);
        const Normalized parsed = NormalizePhoneWithParser(raw, region);
        EXPECT_EQ(fast.normalized, parsed.normalized) << raw << " in " << region;
        EXPECT_EQ(fast.valid, parsed.valid) << raw << " in " << region;
        EXPECT_EQ(fast.reason, parsed.reason) << raw << " in " << region;
        fast_valid += fast.valid ? 1 : 0;
    }
    EXPECT_GT(fast_valid, 2000);  // the comparison covers valid numbers, not only junk
}

TEST(PhoneMatchKey, AgreesWithNormalizePhoneOnValidNumbers) {
    for (const char* raw : {
             "+7 (915) 123-45-67",
             "89151234567",
             "8(915)1234567",
             "915-123-45-67",
             "79151234567",
             "+7 915 123 4567 доб. 12",
             "tel:+79151234567",
             "+380 50 123 45 67",
             "(+380) 50-123-45-67",
             "8 800 555 35 35",
             "8 (812) 123-45-67",
         }) {
        const Normalized full = NormalizePhone(raw, "RU");
        ASSERT_TRUE(full.valid) << raw;
        EXPECT_EQ(PhoneMatchKey(raw, "RU"), full.normalized) << raw;
    }
    EXPECT_EQ(PhoneMatchKey("050 123 4567", "UA"), "+380501234567");
}

TEST(PhoneMatchKey, GivesNoKeyForJunk) {
    for (const char* raw :
         {"", "12345", "не звонить", "+7 999 999-99-99", "8 900 000 00 00", "0000000000"}) {
        EXPECT_EQ(PhoneMatchKey(raw, "RU"), "") << raw;
    }
}

TEST(NormalizeEmail, TrimsLowerCasesAndEncodesIdn) {
    for (const Case& c : std::initializer_list<Case>{
             {"ivan.petrov@Mail.ru", "ivan.petrov@mail.ru", true, ""},
             {"  IVAN.Petrov@MAIL.RU ", "ivan.petrov@mail.ru", true, ""},
             {"Ivan Petrov <ivan@bk.ru>", "ivan@bk.ru", true, ""},
             {"mailto:ivan@bk.ru", "ivan@bk.ru", true, ""},
             {"Ivan@Почта.РФ", "ivan@xn--80a1acny.xn--p1ai", true, ""},
             {"иван@почта.рф", "иван@xn--80a1acny.xn--p1ai", true, ""},
             {"o'brien+crm@example.co.uk", "o'brien+crm@example.co.uk", true, ""},
             {"J.Smith@GMail.com", "j.smith@gmail.com", true, ""},
         }) {
        ExpectCase(NormalizeEmail(c.input), c);
    }
}

TEST(NormalizeEmail, RejectsWhatCannotBeDelivered) {
    for (const Case& c : std::initializer_list<Case>{
             {"", "", false, "empty"},
             {"ivan.mail.ru", "ivan.mail.ru", false, "missing_at"},
             {"@mail.ru", "@mail.ru", false, "bad_local_part"},
             {".ivan@mail.ru", ".ivan@mail.ru", false, "bad_local_part"},
             {"iv..an@mail.ru", "iv..an@mail.ru", false, "bad_local_part"},
             {"iv an@mail.ru", "iv an@mail.ru", false, "bad_local_part"},
             {"ivan@localhost", "ivan@localhost", false, "bad_domain"},
             {"ivan@mail", "ivan@mail", false, "bad_domain"},
             {"ivan@mail..ru", "ivan@mail..ru", false, "bad_domain"},
             {"ivan@-mail.ru", "ivan@-mail.ru", false, "bad_domain"},
             {"ivan@mail.123", "ivan@mail.123", false, "bad_domain"},
         }) {
        ExpectCase(NormalizeEmail(c.input), c);
    }
    EXPECT_EQ(NormalizeEmail(std::string(65, 'a') + "@mail.ru").reason, "local_part_too_long");
    EXPECT_EQ(NormalizeEmail("\xff@mail.ru").reason, "invalid_utf8");
}

TEST(NormalizeEmail, GivesTheSameAnswerForARepeatedDomain) {
    // The second and later answers for a domain equal the first, for a good domain, an IDN and
    // a bad one, in any order.
    for (int round = 0; round < 3; ++round) {
        EXPECT_EQ(NormalizeEmail("A@Mail.RU").normalized, "a@mail.ru");
        EXPECT_TRUE(NormalizeEmail("b@mail.ru").valid);
        EXPECT_EQ(NormalizeEmail("c@почта.рф").normalized, "c@xn--80a1acny.xn--p1ai");
        EXPECT_EQ(NormalizeEmail("d@-mail.ru").reason, "bad_domain");
        EXPECT_EQ(NormalizeEmail("e@-mail.ru").normalized, "e@-mail.ru");
    }
}

TEST(EmailMatchKey, FoldsGmailSpellingsOnly) {
    EXPECT_EQ(EmailMatchKey("j.smith+crm@gmail.com"), "jsmith@gmail.com");
    EXPECT_EQ(EmailMatchKey("jsmith@googlemail.com"), "jsmith@gmail.com");
    EXPECT_EQ(EmailMatchKey("j.smith+crm@mail.ru"), "j.smith+crm@mail.ru");
}

TEST(NormalizePersonName, CyrillicAndLatinShareKeys) {
    const NameKeys cyrillic = NormalizePersonName("Иван  Петров");
    EXPECT_EQ(cyrillic.normalized, "иван петров");
    EXPECT_EQ(cyrillic.latin, "ivan petrov");
    EXPECT_TRUE(cyrillic.valid);
    const NameKeys latin = NormalizePersonName(" IVAN Petrov ");
    EXPECT_EQ(latin.normalized, "ivan petrov");
    EXPECT_EQ(latin.key, cyrillic.key);
}

TEST(NormalizePersonName, TransliteratesWithBgnAndFoldsVariants) {
    struct NameCase {
        const char* input;
        const char* latin;
        const char* key;
    };

    for (const NameCase& c : std::initializer_list<NameCase>{
             {"Юлия", "yuliya", "iulia"},
             {"Iuliia", "iuliia", "iulia"},
             {"Julia", "julia", "iulia"},
             {"Алексей", "aleksey", "aleksei"},
             {"Alexei", "alexei", "aleksei"},
             {"Хрущёв", "khrushchev", "hrusev"},
             {"Наталья", "natal'ya", "natalia"},
             {"Евгений", "yevgeniy", "evgeni"},
             {"Evgeny", "evgeny", "evgeni"},
             {"Щукина-Цой", "shchukina tsoy", "sukina coi"},
             {"Müller", "muller", "muler"},
             {"ŁUKASZ", "lukasz", "lukasz"},
         }) {
        const NameKeys keys = NormalizePersonName(c.input);
        EXPECT_EQ(NameMatchKey(keys.latin), c.key) << c.input;
        EXPECT_EQ(keys.key, c.key) << c.input;
    }
}

TEST(NormalizePersonName, FlagsEmptyAndBadInput) {
    EXPECT_EQ(NormalizePersonName("").reason, "empty");
    EXPECT_EQ(NormalizePersonName("  ").reason, "empty");
    EXPECT_EQ(NormalizePersonName("\xd0").reason, "invalid_utf8");
    const NameKeys symbols = NormalizePersonName("???");
    EXPECT_FALSE(symbols.valid);
    EXPECT_EQ(symbols.reason, "no_letters");
    EXPECT_EQ(symbols.normalized, "???");
}

TEST(NormalizeWebsite, StripsDecorationKeepsPath) {
    for (const Case& c : std::initializer_list<Case>{
             {"https://www.Example.com/", "example.com", true, ""},
             {"http://example.com", "example.com", true, ""},
             {"Example.COM/About/", "example.com/About", true, ""},
             {"www.example.com:443/a?b=1#top", "example.com/a?b=1", true, ""},
             {"https://user:pw@shop.example.com:8080/", "shop.example.com:8080", true, ""},
             {"https://WWW.Пример.рф/about/", "xn--e1afmkfd.xn--p1ai/about", true, ""},
             {"", "", false, "empty"},
             {"ftp://example.com", "ftp://example.com", false, "unsupported_scheme"},
             {"http://localhost/", "http://localhost/", false, "bad_host"},
             {"not a site", "not a site", false, "bad_host"},
         }) {
        ExpectCase(NormalizeWebsite(c.input), c);
    }
}

TEST(ValidateInn, ChecksBothLengths) {
    for (const Case& c : std::initializer_list<Case>{
             {"7707083893", "7707083893", true, ""},
             {"7707 083 893", "7707083893", true, ""},
             {"500100732259", "500100732259", true, ""},
             {"7707083894", "7707083894", false, "bad_checksum"},
             {"500100732258", "500100732258", false, "bad_checksum"},
             {"77070838", "77070838", false, "bad_length"},
             {"77O7083893", "77O7083893", false, "not_digits"},
             {"", "", false, "empty"},
         }) {
        ExpectCase(ValidateInn(c.input), c);
    }
}

TEST(ValidateEdrpou, ChecksBothWeightSchemes) {
    for (const Case& c : std::initializer_list<Case>{
             {"14360570", "14360570", true, ""},
             {"00032129", "00032129", true, ""},
             {"32855961", "32855961", true, ""},
             {"14360571", "14360571", false, "bad_checksum"},
             {"1436057", "1436057", false, "bad_length"},
             {"ABCDEFGH", "ABCDEFGH", false, "not_digits"},
         }) {
        ExpectCase(ValidateEdrpou(c.input), c);
    }
}

}  // namespace
}  // namespace voronka::quality
