#include "records/field_codec.hpp"

#include <gtest/gtest.h>

namespace voronka::records {
namespace {

FieldDef Field(FieldType type, std::vector<std::string> options = {}) {
    FieldDef f;
    f.name = "f";
    f.type = type;
    f.options = std::move(options);
    f.currency_field = "currency";
    return f;
}

TEST(FieldCodec, ValidatesEachTypeAndNamesTheField) {
    struct Case {
        FieldType type;
        Json input;
        bool ok;
    };
    const std::vector<Case> cases = {
        {FieldType::kText, "Привет", true},
        {FieldType::kText, 12, false},
        {FieldType::kText, std::string(2000, 'x'), false},
        {FieldType::kInteger, 5, true},
        {FieldType::kInteger, 5.5, false},
        {FieldType::kNumber, 5.5, true},
        {FieldType::kNumber, "5", false},
        {FieldType::kBool, true, true},
        {FieldType::kBool, "true", false},
        {FieldType::kDate, "2024-02-29", true},
        {FieldType::kDate, "2023-02-29", false},
        {FieldType::kDateTime, "2026-01-31T09:00:00+03:00", true},
        {FieldType::kDateTime, "2026-01-31", false},
        {FieldType::kCurrency, "rub", true},
        {FieldType::kCurrency, "ZZZ", false},
        {FieldType::kReference, "not-an-id", false},
        {FieldType::kMultiEnum, Json::array({"a", "b"}), true},
        {FieldType::kMultiEnum, Json::array({"a", "z"}), false},
        {FieldType::kEnum, "a", true},
        {FieldType::kEnum, "z", false},
        {FieldType::kMoney, "10.50", true},
        {FieldType::kMoney, 10.5, false},
    };
    for (const auto& c : cases) {
        auto r = ValidateFieldValue(Field(c.type, {"a", "b"}), c.input);
        EXPECT_EQ(static_cast<bool>(r), c.ok) << FieldTypeName(c.type) << " " << c.input.dump();
        if (!r) {
            ASSERT_EQ(r.error().fields.size(), 1u);
            EXPECT_EQ(r.error().fields[0].field, "f");
        }
    }
    EXPECT_EQ(*ValidateFieldValue(Field(FieldType::kCurrency), "uah"), "UAH");
    EXPECT_EQ(*ValidateFieldValue(Field(FieldType::kDateTime), "2026-01-31T09:00:00+03:00"), "2026-01-31T06:00:00Z");
    EXPECT_TRUE(ValidateFieldValue(Field(FieldType::kText), "   ")->is_null());
}

TEST(FieldCodec, MoneyRoundTripsExactlyInMinorUnits) {
    const FieldDef money = Field(FieldType::kMoney);
    auto stored = ToStorage(money, "1500.5", "RUB");
    ASSERT_TRUE(stored);
    EXPECT_EQ(std::get<int64_t>(*stored), 150050);
    EXPECT_EQ(FromStorage(money, *stored, "RUB"), "1500.50");
    auto too_precise = ToStorage(money, "0.001", "RUB");
    ASSERT_FALSE(too_precise);
    EXPECT_EQ(too_precise.error().fields[0].field, "f");
    auto no_currency = ToStorage(money, "1", "");
    ASSERT_FALSE(no_currency);
    EXPECT_EQ(no_currency.error().fields[0].field, "currency");
    EXPECT_EQ(std::get<int64_t>(*FilterOperand(money, "99.9")), 9990);
}

TEST(FieldCodec, FilterOperandsAreTyped) {
    EXPECT_EQ(std::get<int64_t>(*FilterOperand(Field(FieldType::kBool), "true")), 1);
    EXPECT_FALSE(FilterOperand(Field(FieldType::kInteger), "12abc"));
    EXPECT_FALSE(FilterOperand(Field(FieldType::kNumber), "nan"));
    EXPECT_FALSE(FilterOperand(Field(FieldType::kText), "\xff"));
}

}  // namespace
}  // namespace voronka::records
