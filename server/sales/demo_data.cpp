// Demo data generator: deterministic for a seed, written through the record engine in batches.
#include "sales/demo_data.hpp"

#include <array>
#include <random>

namespace voronka::sales {

namespace {

struct Person {
    const char* first;
    const char* last;
};

constexpr std::array<Person, 16> kPeople{{
    {"Иван", "Петров"}, {"Мария", "Смирнова"}, {"Алексей", "Кузнецов"}, {"Ольга", "Попова"},
    {"Дмитрий", "Соколов"}, {"Анна", "Лебедева"}, {"Олександр", "Шевченко"}, {"Наталія", "Коваленко"},
    {"Андрій", "Бондаренко"}, {"Оксана", "Ткаченко"}, {"John", "Smith"}, {"Emily", "Johnson"},
    {"Michael", "Brown"}, {"Sarah", "Davis"}, {"Сергей", "Морозов"}, {"Юлия", "Волкова"},
}};

constexpr std::array<const char*, 12> kCompanies{
    "ООО «Ромашка»", "АО «Северсталь-Сервис»", "ТОВ «Київстар Бізнес»", "ИП Иванов",
    "ООО «ТехноСфера»", "ПАО «Волга-Трейд»", "ТОВ «Дніпро Агро»", "Acme Corp",
    "Northwind Traders", "ООО «Альфа Логистик»", "ТОВ «Львівська Кава»", "Globex LLC"};

constexpr std::array<const char*, 8> kLatin{"ivan", "maria", "alex", "olga", "dmitry", "anna", "john", "emily"};

}  // namespace

core::Result<int64_t> FillDemoCompany(records::RecordService& records, const access::RequestContext& ctx, const DemoOptions& options) {
    std::mt19937_64 rng(options.seed);
    auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
    std::vector<std::string> company_ids;
    int64_t created = 0;
    VK_RETURN_IF_ERROR(records.db().Write([&](storage::Connection& tx) -> core::Status {
        for (size_t i = 0; i < kCompanies.size(); ++i) {
            core::Json company = {
                {"name", kCompanies[i]},
                {"phone", "+7 (495) " + std::to_string(100 + pick(900)) + "-" + std::to_string(10 + pick(90)) + "-" + std::to_string(10 + pick(90))},
                {"website", std::string("https://example-") + std::to_string(i) + ".ru"},
                {"industry", i % 2 ? "Retail" : "Manufacturing"},
            };
            VK_ASSIGN_OR_RETURN(records::Record r, records.Create(tx, ctx, "companies", company));
            company_ids.push_back(r.body["id"].get<std::string>());
            ++created;
        }
        return core::Ok();
    }));
    constexpr int kBatch = 500;
    for (int start = 0; start < options.contacts; start += kBatch) {
        VK_RETURN_IF_ERROR(records.db().Write([&](storage::Connection& tx) -> core::Status {
            for (int i = start; i < std::min(options.contacts, start + kBatch); ++i) {
                const Person& p = kPeople[pick(kPeople.size())];
                const std::string digits = std::to_string(9000000000ULL + rng() % 999999999ULL);
                core::Json contact = {
                    {"first_name", p.first},
                    {"last_name", p.last},
                    {"email", std::string(kLatin[pick(kLatin.size())]) + "." + std::to_string(i) + "@example.ru"},
                    {"phone", "8" + digits},
                    {"company_id", company_ids[pick(company_ids.size())]},
                    {"source", std::array<const char*, 4>{"web_form", "call", "email", "referral"}[pick(4)]},
                    {"birthday", std::to_string(1960 + pick(40)) + "-0" + std::to_string(1 + pick(9)) + "-1" + std::to_string(pick(9))},
                };
                VK_ASSIGN_OR_RETURN(records::Record r, records.Create(tx, ctx, "contacts", contact));
                (void)r;
                ++created;
            }
            return core::Ok();
        }));
    }
    return created;
}

}  // namespace voronka::sales
