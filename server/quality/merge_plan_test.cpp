// Tests of merge planning: blank filling, explicit choices, system fields, errors.
#include "quality/merge_plan.hpp"

#include <gtest/gtest.h>

namespace voronka::quality {
namespace {

using core::Json;

TEST(PlanMerge, FillsBlanksAndKeepsSurvivorValues) {
    const Json survivor = {
        {"id", "c1"}, {"first_name", "Иван"}, {"email", ""}, {"phone", "+79151234567"}};
    const Json other = {
        {"id", "c2"}, {"first_name", "Ivan"}, {"email", "ivan@mail.ru"}, {"city", "Москва"}};
    auto plan = PlanMerge(survivor, other);
    ASSERT_TRUE(plan);
    const Json expected = {
        {"id", "c1"},
        {"first_name", "Иван"},
        {"email", "ivan@mail.ru"},
        {"phone", "+79151234567"},
        {"city", "Москва"}};
    EXPECT_EQ(plan->survivor, expected);
    ASSERT_EQ(plan->changes.size(), 2u);
    EXPECT_EQ(plan->changes[0].field, "city");
    EXPECT_EQ(plan->changes[0].before, Json(nullptr));
    EXPECT_EQ(plan->changes[0].after, "Москва");
    EXPECT_EQ(plan->changes[1].field, "email");
    EXPECT_EQ(plan->changes[1].before, "");
    EXPECT_EQ(plan->changes[1].after, "ivan@mail.ru");
}

TEST(PlanMerge, ExplicitChoicesWin) {
    const Json survivor = {{"id", "c1"}, {"first_name", "Иван"}, {"email", ""}, {"tags", {"vip"}}};
    const Json other = {
        {"id", "c2"}, {"first_name", "Ivan"}, {"email", "ivan@mail.ru"}, {"tags", {"b2b", "new"}}};
    auto plan = PlanMerge(
        survivor,
        other,
        {{"first_name", FieldChoice::kOther},
         {"email", FieldChoice::kSurvivor},
         {"tags", FieldChoice::kOther}}
    );
    ASSERT_TRUE(plan);
    EXPECT_EQ(plan->survivor["first_name"], "Ivan");
    EXPECT_EQ(plan->survivor["email"], "");
    EXPECT_EQ(plan->survivor["tags"], Json({"b2b", "new"}));
    EXPECT_EQ(plan->survivor["id"], "c1");
    ASSERT_EQ(plan->changes.size(), 2u);
    EXPECT_EQ(plan->changes[0].field, "first_name");
    EXPECT_EQ(plan->changes[1].field, "tags");
}

TEST(PlanMerge, TakingAnAbsentValueRemovesTheField) {
    auto plan =
        PlanMerge({{"id", "c1"}, {"fax", "123"}}, {{"id", "c2"}}, {{"fax", FieldChoice::kOther}});
    ASSERT_TRUE(plan);
    EXPECT_FALSE(plan->survivor.contains("fax"));
    ASSERT_EQ(plan->changes.size(), 1u);
    EXPECT_EQ(plan->changes[0].after, Json(nullptr));
}

TEST(PlanMerge, RejectsBadInput) {
    struct Case {
        Json survivor;
        Json other;
        std::map<std::string, FieldChoice> choices;
        const char* field;
        const char* message;
    };

    for (const Case& c : std::vector<Case>{
             {Json::array(), Json::object(), {}, "survivor", "must be an object"},
             {Json::object(), "x", {}, "other", "must be an object"},
             {{{"id", "1"}},
              {{"id", "2"}},
              {{"id", FieldChoice::kOther}},
              "id",
              "system field cannot be chosen"},
             {{{"a", 1}}, {{"b", 2}}, {{"c", FieldChoice::kOther}}, "c", "unknown field"},
         }) {
        auto plan = PlanMerge(c.survivor, c.other, c.choices);
        ASSERT_FALSE(plan) << c.field;
        EXPECT_EQ(plan.error().code, core::ErrorCode::kInvalid);
        ASSERT_EQ(plan.error().fields.size(), 1u);
        EXPECT_EQ(plan.error().fields[0].field, c.field);
        EXPECT_EQ(plan.error().fields[0].message, c.message);
    }
}

}  // namespace
}  // namespace voronka::quality
