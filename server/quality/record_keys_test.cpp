// Tests of the record keys: the lookup keys of the on-entry check are the full keys' own.
#include "quality/record_keys.hpp"

#include <gtest/gtest.h>

namespace voronka::quality {
namespace {

using core::Json;

TEST(ExactKeys, AreTheFullKeysWithoutNamesAndFlags) {
    const Json bodies[] = {
        {{"first_name", "Иван"},
         {"last_name", "Петров"},
         {"email", " Ivan.Petrov@GMAIL.com "},
         {"phone", "8 915"}},
        {{"first_name", "Olga"}, {"email", "not an address"}},
        {{"first_name", "Юлия"}, {"email", "юля@почта.рф"}},
    };
    for (const Json& body : bodies) {
        const RecordKeys full = ComputeKeys(RecordKind::kPerson, body);
        const RecordKeys exact = ExactKeys(RecordKind::kPerson, body);
        EXPECT_EQ(exact.email_key, full.email_key) << body.dump();
        EXPECT_TRUE(exact.name_key.empty());
        EXPECT_TRUE(exact.name_latin.empty());
        EXPECT_TRUE(exact.flags.empty());
    }
    EXPECT_EQ(ExactKeys(RecordKind::kPerson, bodies[0]).email_key, "ivanpetrov@gmail.com");
    EXPECT_FALSE(ComputeKeys(RecordKind::kPerson, bodies[0]).name_latin.empty());

    const Json company = {
        {"name", "ООО «Ромашка»"},
        {"website", "HTTPS://www.Romashka.ru/"},
        {"inn", "7707083893"},
        {"email", "info@romashka.ru"}};
    const RecordKeys full = ComputeKeys(RecordKind::kCompany, company);
    const RecordKeys exact = ExactKeys(RecordKind::kCompany, company);
    EXPECT_FALSE(exact.website_key.empty());
    EXPECT_EQ(exact.website_key, full.website_key);
    EXPECT_EQ(exact.inn_key, "7707083893");
    EXPECT_EQ(exact.inn_key, full.inn_key);
    EXPECT_EQ(exact.email_key, full.email_key);
    EXPECT_TRUE(exact.name_key.empty());
    EXPECT_FALSE(full.name_key.empty());
}

TEST(ComputeKeys, FlagsWhatCannotBeUsed) {
    const RecordKeys keys = ComputeKeys(
        RecordKind::kCompany,
        {{"name", "Альфа"}, {"phone", "12"}, {"email", "x@"}, {"website", "::"}, {"inn", "123"}}
    );
    EXPECT_EQ(
        keys.flags,
        (std::vector<std::string>{
            "invalid_phone", "invalid_email", "invalid_website", "invalid_inn"})
    );
}

}  // namespace
}  // namespace voronka::quality
