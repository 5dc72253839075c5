#include "quality/visible_reasons.hpp"

#include <gtest/gtest.h>

namespace voronka::quality {
namespace {

records::EntityDef Contact() {
    records::EntityDef def;
    def.name = "contacts";
    for (const char* name :
         {"first_name", "last_name", "middle_name", "email", "phone", "birthday"}) {
        def.fields.push_back({.name = name, .type = records::FieldType::kText});
    }
    def.fields.push_back(
        {.name = "phone_e164", .type = records::FieldType::kText, .derived_from = {"phone"}}
    );
    return def;
}

const std::vector<std::string> kReasons{
    "same_phone",
    "email_differs",
    "name_similar:0.93",
    "names_swapped",
    "same_birthday",
    "birthday_typo",
    "patronymic_agrees",
    "same_postcode"};

TEST(VisibleReasonsTest, NothingHiddenKeepsEveryReason) {
    EXPECT_EQ(VisibleReasons(kReasons, Contact(), {}), kReasons);
}

TEST(VisibleReasonsTest, DropsReasonsThatCompareAHiddenField) {
    EXPECT_EQ(
        VisibleReasons(kReasons, Contact(), {"phone", "birthday"}),
        (std::vector<std::string>{
            "email_differs",
            "name_similar:0.93",
            "names_swapped",
            "patronymic_agrees",
            "same_postcode"})
    );
}

TEST(VisibleReasonsTest, AHiddenPartOfTheNameHidesEveryNameReason) {
    EXPECT_EQ(
        VisibleReasons(kReasons, Contact(), {"last_name", "middle_name"}),
        (std::vector<std::string>{
            "same_phone", "email_differs", "same_birthday", "birthday_typo", "same_postcode"})
    );
}

TEST(VisibleReasonsTest, FieldsTheEntityLacksDoNotHideAnything) {
    // Contacts have no address here: the postcode reason concerns no field the role could hide.
    EXPECT_EQ(
        VisibleReasons({"same_postcode", "same_website"}, Contact(), {"address", "website"}),
        (std::vector<std::string>{"same_postcode", "same_website"})
    );
}

}  // namespace
}  // namespace voronka::quality
