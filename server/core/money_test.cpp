#include "core/money.hpp"

#include <gtest/gtest.h>

namespace voronka::core {
namespace {

TEST(Money, ParsesAndFormatsPerCurrencyDigits) {
    struct Case {
        const char* text;
        const char* currency;
        int64_t minor;
        const char* formatted;
    };
    for (const Case& c : std::initializer_list<Case>{
             {"1500.50", "RUB", 150050, "1500.50"},
             {"1500.5", "RUB", 150050, "1500.50"},
             {"-3", "USD", -300, "-3.00"},
             {"0.07", "UAH", 7, "0.07"},
             {"1200", "JPY", 1200, "1200"},
             {"1.234", "BHD", 1234, "1.234"},
         }) {
        auto parsed = ParseAmount(c.text, c.currency);
        ASSERT_TRUE(parsed) << c.text;
        EXPECT_EQ(*parsed, c.minor) << c.text;
        EXPECT_EQ(FormatAmount(*parsed, c.currency), c.formatted);
    }
}

TEST(Money, RejectsBadInputWithFieldErrors) {
    for (const char* bad : {"", "1.234", "1e5", "1,5", "abc", "--1", ".", "99999999999999999999"}) {
        auto parsed = ParseAmount(bad, "RUB");
        ASSERT_FALSE(parsed) << bad;
        ASSERT_EQ(parsed.error().fields.size(), 1u);
        EXPECT_EQ(parsed.error().fields[0].field, "amount") << bad;
    }
    auto bad_currency = ParseAmount("1", "XYZ");
    ASSERT_FALSE(bad_currency);
    EXPECT_EQ(bad_currency.error().fields[0].field, "currency");
    EXPECT_FALSE(IsCurrencyCode("rub"));
    EXPECT_TRUE(IsCurrencyCode("EUR"));
}

TEST(Money, CheckedArithmeticFailsOnOverflow) {
    EXPECT_FALSE(AddMinor(INT64_MAX, 1));
    EXPECT_FALSE(MulMinor(INT64_MAX / 2, 3));
    EXPECT_EQ(*AddMinor(2, 3), 5);
    EXPECT_EQ(FormatAmount(INT64_MIN, "RUB"), "-92233720368547758.08");
}

}  // namespace
}  // namespace voronka::core
