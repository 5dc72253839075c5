// Demo data generator: configuration through the record engine, volume through BulkWriter.
#include "sales/demo_data.hpp"

#include <array>
#include <chrono>
#include <future>
#include <list>
#include <random>

#include <spdlog/spdlog.h>

#include "analytics/customers/customer_analytics.hpp"
#include "core/clock.hpp"
#include "core/id.hpp"
#include "core/money.hpp"
#include "quality/quality_hooks.hpp"
#include "sales/bulk_writer.hpp"
#include "sales/deal_rollups.hpp"
#include "sales/normalization_hooks.hpp"
#include "sales/sales_service.hpp"
#include "sales/service_util.hpp"
#include "storage/tenant_scope.hpp"
#include <sys/resource.h>

namespace voronka::sales {

namespace {

using core::Json;

constexpr int64_t kHour = 3'600'000'000;
constexpr int64_t kDay = 24 * kHour;
// Generator iterations per batch: what the worker prepares while the writer writes the last.
constexpr int kRecordsPerTransaction = 5000;

struct Name {
    const char* text;
    const char* latin;
};

// About two thousand distinct people, so duplicate-detection blocks stay realistic in size.
constexpr std::array<Name, 20> kRuMale{{
    {"Иван", "ivan"},       {"Алексей", "alexey"}, {"Дмитрий", "dmitry"},    {"Сергей", "sergey"},
    {"Николай", "nikolay"}, {"Павел", "pavel"},    {"Андрей", "andrey"},     {"Максим", "maxim"},
    {"Михаил", "mikhail"},  {"Артём", "artem"},    {"Владимир", "vladimir"}, {"Егор", "egor"},
    {"Кирилл", "kirill"},   {"Роман", "roman"},    {"Евгений", "evgeny"},    {"Антон", "anton"},
    {"Игорь", "igor"},      {"Олег", "oleg"},      {"Денис", "denis"},       {"Юрий", "yury"},
}};

constexpr std::array<Name, 20> kRuFemale{{
    {"Мария", "maria"},         {"Ольга", "olga"},
    {"Анна", "anna"},           {"Юлия", "yulia"},
    {"Елена", "elena"},         {"Татьяна", "tatiana"},
    {"Екатерина", "ekaterina"}, {"Светлана", "svetlana"},
    {"Наталья", "natalia"},     {"Ирина", "irina"},
    {"Ксения", "ksenia"},       {"Дарья", "daria"},
    {"Алина", "alina"},         {"Полина", "polina"},
    {"Виктория", "victoria"},   {"Марина", "marina"},
    {"Вера", "vera"},           {"Людмила", "lyudmila"},
    {"София", "sofia"},         {"Александра", "alexandra"},
}};

// Male forms; the female form adds "а".
constexpr std::array<Name, 40> kRuLast{{
    {"Петров", "petrov"},      {"Смирнов", "smirnov"},   {"Кузнецов", "kuznetsov"},
    {"Попов", "popov"},        {"Соколов", "sokolov"},   {"Лебедев", "lebedev"},
    {"Морозов", "morozov"},    {"Волков", "volkov"},     {"Новиков", "novikov"},
    {"Козлов", "kozlov"},      {"Орлов", "orlov"},       {"Фёдоров", "fedorov"},
    {"Михайлов", "mikhailov"}, {"Никитин", "nikitin"},   {"Захаров", "zakharov"},
    {"Белов", "belov"},        {"Васильев", "vasiliev"}, {"Павлов", "pavlov"},
    {"Семёнов", "semenov"},    {"Голубев", "golubev"},   {"Виноградов", "vinogradov"},
    {"Богданов", "bogdanov"},  {"Воробьёв", "vorobiev"}, {"Медведев", "medvedev"},
    {"Ершов", "ershov"},       {"Комаров", "komarov"},   {"Ильин", "ilyin"},
    {"Гусев", "gusev"},        {"Титов", "titov"},       {"Кудрявцев", "kudryavtsev"},
    {"Баранов", "baranov"},    {"Куликов", "kulikov"},   {"Алексеев", "alekseev"},
    {"Степанов", "stepanov"},  {"Яковлев", "yakovlev"},  {"Сорокин", "sorokin"},
    {"Макаров", "makarov"},    {"Андреев", "andreev"},   {"Зайцев", "zaitsev"},
    {"Тарасов", "tarasov"},
}};

constexpr std::array<Name, 12> kUaFirst{{
    {"Олександр", "oleksandr"},
    {"Андрій", "andriy"},
    {"Тарас", "taras"},
    {"Богдан", "bohdan"},
    {"Дмитро", "dmytro"},
    {"Олег", "oleh"},
    {"Наталія", "natalia"},
    {"Оксана", "oksana"},
    {"Ірина", "iryna"},
    {"Галина", "halyna"},
    {"Олена", "olena"},
    {"Тетяна", "tetiana"},
}};

constexpr std::array<Name, 15> kUaLast{{
    {"Шевченко", "shevchenko"},
    {"Коваленко", "kovalenko"},
    {"Бондаренко", "bondarenko"},
    {"Ткаченко", "tkachenko"},
    {"Кравченко", "kravchenko"},
    {"Олійник", "oliynyk"},
    {"Мельник", "melnyk"},
    {"Савченко", "savchenko"},
    {"Бойко", "boyko"},
    {"Коваль", "koval"},
    {"Поліщук", "polishchuk"},
    {"Лисенко", "lysenko"},
    {"Марченко", "marchenko"},
    {"Руденко", "rudenko"},
    {"Мороз", "moroz"},
}};

constexpr std::array<Name, 12> kEnFirst{{
    {"John", "john"},
    {"Emily", "emily"},
    {"Michael", "michael"},
    {"Sarah", "sarah"},
    {"David", "david"},
    {"Laura", "laura"},
    {"James", "james"},
    {"Anna", "anna"},
    {"Robert", "robert"},
    {"Linda", "linda"},
    {"Thomas", "thomas"},
    {"Emma", "emma"},
}};

constexpr std::array<Name, 15> kEnLast{{
    {"Smith", "smith"},
    {"Johnson", "johnson"},
    {"Brown", "brown"},
    {"Davis", "davis"},
    {"Wilson", "wilson"},
    {"Taylor", "taylor"},
    {"Anderson", "anderson"},
    {"Miller", "miller"},
    {"Moore", "moore"},
    {"Clark", "clark"},
    {"Walker", "walker"},
    {"Young", "young"},
    {"King", "king"},
    {"Wright", "wright"},
    {"Scott", "scott"},
}};

struct Person {
    std::string first;
    std::string last;
    std::string latin;  // "first.last" for email addresses
};

constexpr std::array<const char*, 24> kCompanyRoots{
    "Ромашка",
    "Северсталь-Сервис",
    "ТехноСфера",
    "Волга-Трейд",
    "Альфа Логистик",
    "СтройМаркет",
    "Уральские Машины",
    "Сибирь Агро",
    "Невский Текстиль",
    "МедТехника",
    "Балтика Снаб",
    "Восток Инвест",
    "Київстар Бізнес",
    "Дніпро Агро",
    "Львівська Кава",
    "Карпати Буд",
    "Одеса Порт Сервіс",
    "Харків Прилад",
    "Acme",
    "Northwind Traders",
    "Globex",
    "Initech",
    "Umbrella Supply",
    "Stark Components"};

constexpr std::array<const char*, 6> kCompanyForms{
    "ООО «%s»", "АО «%s»", "ТОВ «%s»", "ПАО «%s»", "%s LLC", "%s Corp"};

constexpr std::array<const char*, 8> kIndustries{
    "Retail",
    "Manufacturing",
    "Logistics",
    "Construction",
    "Agriculture",
    "Healthcare",
    "IT",
    "Food"};

constexpr std::array<const char*, 8> kPositions{
    "Директор",
    "Менеджер по закупкам",
    "Главный инженер",
    "Бухгалтер",
    "Head of Procurement",
    "Office manager",
    "Керівник відділу",
    "Коммерческий директор"};

constexpr std::array<const char*, 7> kContactSources{
    "web_form", "call", "email", "referral", "messenger", "manual", "import"};

constexpr std::array<const char*, 6> kLeadSources{
    "web_form", "email", "call", "messenger", "manual", "import"};

constexpr std::array<const char*, 6> kLossReasons{
    "Дорого",
    "Выбрали конкурента",
    "Нет бюджета",
    "Не дозвонились",
    "Сроки не подходят",
    "Project cancelled"};

constexpr std::array<const char*, 5> kCallResults{
    "Договорились о встрече", "Перезвонить позже", "Отправить КП", "Не ответил", "Interested"};

constexpr std::array<const char*, 5> kUtmSources{
    "yandex", "google", "vk", "telegram", "newsletter"};

struct ProductSpec {
    const char* name;
    const char* sku;
    const char* unit;
    const char* category;
    int64_t retail_minor;
};

constexpr std::array<ProductSpec, 12> kProducts{{
    {"Стеллаж складской СТ-200", "ST-200", "шт", "Склад", 1'890'000},
    {"Стеллаж архивный СА-90", "SA-90", "шт", "Склад", 940'000},
    {"Поддон деревянный", "PD-1200", "шт", "Склад", 65'000},
    {"Плёнка стрейч 500 мм", "FS-500", "рул", "Упаковка", 89'000},
    {"Коробка гофро 60×40", "KG-6040", "шт", "Упаковка", 4'550},
    {"Скотч упаковочный", "SK-48", "рул", "Упаковка", 12'000},
    {"Тележка гидравлическая", "TG-2500", "шт", "Техника", 3'450'000},
    {"Погрузчик электрический", "PE-1500", "шт", "Техника", 189'000'000},
    {"Монтаж стеллажей", "SRV-MNT", "час", "Услуги", 250'000},
    {"Доставка по городу", "SRV-DLV", "рейс", "Услуги", 450'000},
    {"Сервисный контракт", "SRV-YEAR", "год", "Услуги", 12'000'000},
    {"Консультация", "SRV-CONS", "час", "Услуги", 300'000},
}};

struct StageInfo {
    std::string id;
    std::string name;
    std::string kind;
    int64_t probability = 0;
};

struct PipelineInfo {
    std::string id;
    std::vector<StageInfo> open;
    std::vector<StageInfo> won;
    std::vector<StageInfo> lost;
};

// Values shared across the generator's phases.
struct Generated {
    std::vector<PipelineInfo> pipelines;
    std::vector<std::string> products;
    std::vector<int64_t> product_prices;
    std::string price_list;
    std::vector<std::string> companies;
    std::vector<std::string> contacts;
    std::vector<std::string> contact_companies;  // company of each contact
};

class Demo {
public:
    Demo(
        records::RecordService& records,
        const access::RequestContext& ctx,
        const DemoOptions& options
    )
        : records_(records),
          ctx_(ctx),
          options_(options),
          rng_(options.seed),
          sales_(records, clock_) {}

    core::Result<int64_t> Run() {
        now_ = clock_.NowMicros();
        VK_RETURN_IF_ERROR(TuneForBulkLoad(true));
        auto filled = Fill();
        VK_RETURN_IF_ERROR(TuneForBulkLoad(false));
        return filled;
    }

private:
    // SQLite only, for the duration of the load: temporary data in memory (statement journals of
    // the engine's writes, the sorters of index builds), a page cache that holds the growing
    // indexes (random keys such as emails and phones otherwise evict each other and every
    // insert reads pages back), fewer, larger WAL checkpoints and a helper thread for sorting.
    // The settings (the heap limit is process wide) are restored after; the demo command is a
    // process of its own. The journal stays WAL: the hooks read on the second core while the
    // writer writes, which a rollback journal (or none) would block for the whole load.
    core::Status TuneForBulkLoad(bool on) {
        return records_.db().Write([&](storage::Connection& tx) -> core::Status {
            if (tx.dialect() != storage::Dialect::kSqlite) {
                return core::Ok();
            }
            if (on) {
                VK_ASSIGN_OR_RETURN(storage::Rows cache, tx.Query("PRAGMA cache_size"));
                VK_ASSIGN_OR_RETURN(
                    storage::Rows checkpoint, tx.Query("PRAGMA wal_autocheckpoint")
                );
                VK_ASSIGN_OR_RETURN(storage::Rows heap, tx.Query("PRAGMA soft_heap_limit"));
                VK_ASSIGN_OR_RETURN(storage::Rows temp, tx.Query("PRAGMA temp_store"));
                VK_ASSIGN_OR_RETURN(storage::Rows threads, tx.Query("PRAGMA threads"));
                saved_ = "PRAGMA cache_size = " + storage::AsText(cache.rows.at(0).at(0)) +
                         "; PRAGMA wal_autocheckpoint = " +
                         storage::AsText(checkpoint.rows.at(0).at(0)) +
                         "; PRAGMA soft_heap_limit = " + storage::AsText(heap.rows.at(0).at(0)) +
                         "; PRAGMA temp_store = " + storage::AsText(temp.rows.at(0).at(0)) +
                         "; PRAGMA threads = " + storage::AsText(threads.rows.at(0).at(0)) + ";";
                // threads: index builds sort their keys with a helper thread on the second core.
                return tx.ExecuteScript(
                    "PRAGMA soft_heap_limit = 1073741824; PRAGMA cache_size = -786432; "
                    "PRAGMA wal_autocheckpoint = 65536; PRAGMA temp_store = MEMORY; "
                    "PRAGMA threads = 2;"
                );
            }
            return saved_.empty() ? core::Ok() : tx.ExecuteScript(saved_);
        });
    }

    core::Result<int64_t> Fill() {
        VK_RETURN_IF_ERROR(Phase("configuration", [&] { return Configure(); }));
        VK_RETURN_IF_ERROR(Phase("companies", [&] { return Companies(); }));
        VK_RETURN_IF_ERROR(Phase("contacts", [&] { return Contacts(); }));
        VK_RETURN_IF_ERROR(Phase("statistics", [&] { return Analyze(); }));
        VK_RETURN_IF_ERROR(Phase("deals, leads and activities", [&] { return DealsAndLeads(); }));
        VK_RETURN_IF_ERROR(Phase("deals with product lines", [&] { return LinedDeals(); }));
        VK_RETURN_IF_ERROR(Phase("purchases", [&] {
            return analytics::AddDemoPurchases(
                records_,
                ctx_,
                now_,
                created_,
                [&](storage::Connection& tx, std::vector<Json> orders) {
                    return WriteOrders(tx, std::move(orders));
                }
            );
        }));
        // The bulk of the deals bypassed the engine's after-write hook: count the board's
        // roll-ups from the deals once.
        VK_RETURN_IF_ERROR(Phase("deal roll-ups", [&] {
            return records_.db().Write([&](storage::Connection& tx) {
                return RebuildDealRollups(tx, ctx_.tenant_id);
            });
        }));
        VK_RETURN_IF_ERROR(Phase("statistics", [&] { return Analyze(); }));
        return created_;
    }

    // Orders of the purchase history, created at the time they were placed, with the orders'
    // hooks (contact owner, line totals); the customer metrics are rebuilt after all of them.
    core::Status WriteOrders(storage::Connection& tx, std::vector<Json> orders) {
        VK_ASSIGN_OR_RETURN(auto def, Def(tx, "orders"));
        BulkWriter writer(tx, ctx_, *def, true);
        for (Json& order : orders) {
            const int64_t at = core::ParseTimestamp(order.value("ordered_at", "")).value_or(now_);
            VK_RETURN_IF_ERROR(writer.Add(core::NewId(), std::move(order), at));
        }
        return writer.Flush();
    }

    // CPU seconds (user + system) of the whole process so far.
    static double CpuSeconds() {
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        auto seconds = [](const timeval& t) {
            return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
        };
        return seconds(usage.ru_utime) + seconds(usage.ru_stime);
    }

    // Logs the wall and CPU time of fn: on a shared machine the CPU time is the steadier figure.
    template <class F>
    core::Status Phase(const char* name, F&& fn) {
        const auto start = std::chrono::steady_clock::now();
        const double cpu_start = CpuSeconds();
        const int64_t before = created_;
        VK_RETURN_IF_ERROR(fn());
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        spdlog::info(
            "demo: {} records of {} in {:.1f} s ({:.1f} s CPU)",
            created_ - before,
            name,
            seconds,
            CpuSeconds() - cpu_start
        );
        return core::Ok();
    }

    // Planner statistics after the bulk load: without them SQLite prefers the (tenant_id, id)
    // primary key over every secondary index, and lookups by key (lead-to-contact matching,
    // filters) turn into scans of the whole tenant.
    core::Status Analyze() {
        return records_.db().Write([](storage::Connection& tx) {
            return tx.dialect() == storage::Dialect::kSqlite
                       ? tx.ExecuteScript("PRAGMA analysis_limit = 1000; ANALYZE;")
                       : tx.ExecuteScript("ANALYZE;");
        });
    }

    // Bulk leads get their E.164 phone and the quality domain's matching keys and flags, but
    // not its lead-to-contact lookup: that plans a scan of the tenant's contacts per lead on
    // SQLite (its name-block subquery with LIMIT), minutes at a million contacts. Their
    // duplicate_of_contact_id stays empty until the lead's next write. The lead hook itself
    // only checks input the generator makes valid.
    static records::EntityDef BulkLeads(const records::EntityDef& leads) {
        records::EntityDef def = leads;
        def.before_write = {PhoneE164Hook("phone"), quality::MatchingKeysHook("leads")};
        return def;
    }

    size_t Pick(size_t n) { return static_cast<size_t>(rng_() % n); }

    int64_t Between(int64_t lo, int64_t hi) {
        return lo + static_cast<int64_t>(rng_() % static_cast<uint64_t>(hi - lo + 1));
    }

    bool Chance(int percent) { return static_cast<int>(rng_() % 100) < percent; }

    std::string Digits(int n) {
        std::string s;
        for (int i = 0; i < n; ++i) {
            s.push_back(static_cast<char>('0' + rng_() % 10));
        }
        return s;
    }

    Person RandomPerson() {
        const int roll = static_cast<int>(rng_() % 100);
        if (roll < 70) {
            const bool female = Chance(50);
            const Name& first =
                female ? kRuFemale[Pick(kRuFemale.size())] : kRuMale[Pick(kRuMale.size())];
            const Name& last = kRuLast[Pick(kRuLast.size())];
            return {
                first.text,
                std::string(last.text) + (female ? "а" : ""),
                std::string(first.latin) + "." + last.latin + (female ? "a" : "")};
        }
        const bool ua = roll < 85;
        const Name& first = ua ? kUaFirst[Pick(kUaFirst.size())] : kEnFirst[Pick(kEnFirst.size())];
        const Name& last = ua ? kUaLast[Pick(kUaLast.size())] : kEnLast[Pick(kEnLast.size())];
        return {first.text, last.text, std::string(first.latin) + "." + last.latin};
    }

    // A Russian number typed the way people type it (PhoneE164Hook adds the E.164 form).
    std::string Phone(bool mobile) {
        const std::string area =
            mobile ? "9" + Digits(2) : std::array<const char*, 3>{"495", "812", "343"}[Pick(3)];
        const std::string rest = Digits(7);
        const std::string typed = (Chance(50) ? "+7 (" : "8 (") + area + ") " + rest.substr(0, 3) +
                                  "-" + rest.substr(3, 2) + "-" + rest.substr(5, 2);
        return typed;
    }

    std::string Date(int64_t micros) { return core::FormatTimestamp(micros).substr(0, 10); }

    core::Result<std::shared_ptr<const records::EntityDef>> Def(
        storage::Connection& tx, const char* entity
    ) {
        return records_.Meta(tx, ctx_, entity);
    }

    core::Status Configure() {
        return records_.db().Write([&](storage::Connection& tx) -> core::Status {
            VK_ASSIGN_OR_RETURN(Json existing, sales_.ListPipelines(tx, ctx_, false));
            if (existing["data"].empty()) {
                const Json retail = {
                    {"name", "Розница"},
                    {"stages",
                     {{{"name", "Новый"}, {"probability", 10}},
                      {{"name", "Квалификация"}, {"probability", 25}},
                      {{"name", "Предложение"}, {"probability", 50}},
                      {{"name", "Согласование"}, {"probability", 75}},
                      {{"name", "Выиграна"}, {"kind", "won"}},
                      {{"name", "Проиграна"}, {"kind", "lost"}}}}};
                const Json wholesale = {
                    {"name", "Опт"},
                    {"stages",
                     {{{"name", "Запрос"}, {"probability", 10}},
                      {{"name", "Расчёт"}, {"probability", 30}},
                      {{"name", "КП отправлено"}, {"probability", 50}},
                      {{"name", "Договор"}, {"probability", 80}},
                      {{"name", "Отгрузка"}, {"kind", "won"}},
                      {{"name", "Отказ"}, {"kind", "lost"}}}}};
                for (const Json* p : {&retail, &wholesale}) {
                    VK_RETURN_IF_ERROR(sales_.CreatePipeline(tx, ctx_, *p));
                    created_ += 7;
                }
                VK_ASSIGN_OR_RETURN(existing, sales_.ListPipelines(tx, ctx_, false));
            }
            for (const auto& p : existing["data"]) {
                PipelineInfo info;
                info.id = p["id"];
                for (const auto& s : p["stages"]) {
                    StageInfo stage{s["id"], s["name"], s["kind"], s["probability"].get<int64_t>()};
                    (stage.kind == "open"  ? info.open
                     : stage.kind == "won" ? info.won
                                           : info.lost)
                        .push_back(stage);
                }
                if (!info.open.empty() && !info.won.empty() && !info.lost.empty()) {
                    gen_.pipelines.push_back(std::move(info));
                }
            }
            if (gen_.pipelines.empty()) {
                return core::Error::Conflict(
                    "The company's pipelines need open, won and lost stages for demo deals"
                );
            }
            VK_ASSIGN_OR_RETURN(
                std::vector<Json> products,
                internal::ListAll(records_, tx, ctx_, "products", {}, "name", 1000)
            );
            if (products.empty()) {
                VK_ASSIGN_OR_RETURN(
                    records::Record retail,
                    records_.Create(
                        tx,
                        ctx_,
                        "price_lists",
                        {{"name", "Розничный"}, {"currency", "RUB"}, {"kind", "retail"}}
                    )
                );
                VK_ASSIGN_OR_RETURN(
                    records::Record wholesale,
                    records_.Create(
                        tx,
                        ctx_,
                        "price_lists",
                        {{"name", "Оптовый"}, {"currency", "RUB"}, {"kind", "wholesale"}}
                    )
                );
                created_ += 2;
                for (const auto& spec : kProducts) {
                    VK_ASSIGN_OR_RETURN(
                        records::Record product,
                        records_.Create(
                            tx,
                            ctx_,
                            "products",
                            {{"name", spec.name},
                             {"sku", spec.sku},
                             {"unit", spec.unit},
                             {"category", spec.category}}
                        )
                    );
                    const Json id = product.body["id"];
                    VK_RETURN_IF_ERROR(records_.Create(
                        tx,
                        ctx_,
                        "prices",
                        {{"price_list_id", retail.body["id"]},
                         {"product_id", id},
                         {"price", core::FormatAmount(spec.retail_minor, "RUB")}}
                    ));
                    VK_RETURN_IF_ERROR(records_.Create(
                        tx,
                        ctx_,
                        "prices",
                        {{"price_list_id", wholesale.body["id"]},
                         {"product_id", id},
                         {"price", core::FormatAmount(spec.retail_minor * 85 / 100, "RUB")}}
                    ));
                    created_ += 3;
                }
                VK_RETURN_IF_ERROR(records_.Create(
                    tx,
                    ctx_,
                    "distribution_rules",
                    {{"name", "Заявки с сайта"},
                     {"entity", "leads"},
                     {"conditions", {{"source", {"web_form", "messenger"}}}},
                     {"user_ids", {ctx_.user_id}},
                     {"first_task_minutes", 15}}
                ));
                ++created_;
                gen_.price_list = retail.body["id"];
                VK_ASSIGN_OR_RETURN(
                    products, internal::ListAll(records_, tx, ctx_, "products", {}, "name", 1000)
                );
            } else {
                VK_ASSIGN_OR_RETURN(
                    std::vector<Json> lists,
                    internal::ListAll(
                        records_, tx, ctx_, "price_lists", {{"currency", "eq", "RUB"}}, "name", 10
                    )
                );
                if (!lists.empty()) {
                    gen_.price_list = lists.front()["id"];
                }
            }
            for (const auto& p : products) {
                gen_.products.push_back(p["id"]);
            }
            return core::Ok();
        });
    }

    // The records of one entity in a batch, prepared for writing.
    struct Part {
        const records::EntityDef* def = nullptr;
        bool hooks = false;  // run the entity's before_write hooks on each record
        std::vector<PreparedRecord> records;
    };

    using Batch = std::vector<Part>;

    // Where generators put records: each is prepared (hooks, JSON, row values) at once, on the
    // connection of the thread that generates.
    class Sink {
    public:
        Sink(storage::Connection& c, const access::RequestContext& ctx, Batch& batch)
            : c_(c), ctx_(ctx), batch_(batch) {}

        core::Status Add(
            size_t part,
            const std::string& id,
            Json values,
            int64_t created_at,
            std::vector<BulkEvent> updates = {}
        ) {
            Part& p = batch_.at(part);
            VK_ASSIGN_OR_RETURN(
                PreparedRecord prepared,
                BulkWriter::Prepare(
                    c_, ctx_, *p.def, p.hooks, id, std::move(values), created_at, std::move(updates)
                )
            );
            p.records.push_back(std::move(prepared));
            return core::Ok();
        }

    private:
        storage::Connection& c_;
        const access::RequestContext& ctx_;
        Batch& batch_;
    };

    // Bulk-loads `total` iterations of make(sink, i), which adds records of the entities of
    // `parts` (written in that order), kRecordsPerTransaction iterations per batch. The next
    // batch is generated and prepared on a worker thread (read connection) while the writer
    // writes the current one, so the two cores share the work. make runs on the worker only, one
    // batch at a time, so the generator's state needs no locking. With `one_transaction` on
    // SQLite, everything goes in a single transaction that drops the secondary indexes of the
    // parts' tables first and builds them again from sorted keys at the end, all or nothing.
    template <class Make>
    core::Status Pipelined(
        const char* what, const Batch& parts, int64_t total, bool one_transaction, Make&& make
    ) {
        auto prepare = [&](int64_t start, int64_t end) {
            // The worker thread acts for the same tenant as the caller.
            const storage::TenantScope tenant_scope(ctx_.tenant_id);
            return storage::ReadReturning<Batch>(
                records_.db(),
                [&](storage::Connection& c) -> core::Result<Batch> {
                    Batch out = parts;
                    Sink sink(c, ctx_, out);
                    for (int64_t i = start; i < end; ++i) {
                        VK_RETURN_IF_ERROR(make(sink, i));
                    }
                    return out;
                }
            );
        };
        if (total <= 0) {
            return core::Ok();
        }
        const int64_t batch = kRecordsPerTransaction;
        auto next = std::async(std::launch::async, prepare, 0, std::min(total, batch));
        double waited = 0;
        double wrote = 0;
        // Writes the prepared batch that starts at `start` in `tx` and starts preparing the next.
        auto write_batches = [&](storage::Connection& tx, int64_t start) -> core::Status {
            const auto wait_start = std::chrono::steady_clock::now();
            core::Result<Batch> current = next.get();
            const auto write_start = std::chrono::steady_clock::now();
            waited += std::chrono::duration<double>(write_start - wait_start).count();
            if (!current) {
                return std::move(current).error();
            }
            if (start + batch < total) {
                next = std::async(
                    std::launch::async, prepare, start + batch, std::min(total, start + 2 * batch)
                );
            }
            for (Part& part : *current) {
                VK_RETURN_IF_ERROR(BulkWriter::Write(tx, ctx_, *part.def, std::move(part.records)));
            }
            wrote += std::chrono::duration<double>(std::chrono::steady_clock::now() - write_start)
                         .count();
            return core::Ok();
        };
        if (records_.db().dialect() == storage::Dialect::kSqlite && one_transaction) {
            VK_RETURN_IF_ERROR(records_.db().Write([&](storage::Connection& tx) -> core::Status {
                std::vector<std::string> indexes;
                for (const Part& part : parts) {
                    VK_ASSIGN_OR_RETURN(
                        std::vector<std::string> dropped,
                        BulkWriter::DropSecondaryIndexes(tx, part.def->name)
                    );
                    indexes.insert(indexes.end(), dropped.begin(), dropped.end());
                }
                for (int64_t start = 0; start < total; start += batch) {
                    VK_RETURN_IF_ERROR(write_batches(tx, start));
                }
                const auto index_start = std::chrono::steady_clock::now();
                for (const std::string& sql : indexes) {
                    VK_RETURN_IF_ERROR(tx.ExecuteScript(sql));
                }
                spdlog::info(
                    "demo: {}: {} indexes built in {:.1f} s",
                    what,
                    indexes.size(),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - index_start)
                        .count()
                );
                return core::Ok();
            }));
        } else {
            for (int64_t start = 0; start < total; start += batch) {
                VK_RETURN_IF_ERROR(records_.db().Write([&](storage::Connection& tx) {
                    return write_batches(tx, start);
                }));
            }
        }
        spdlog::info(
            "demo: {}: {:.1f} s writing, {:.1f} s waiting for generation", what, wrote, waited
        );
        return core::Ok();
    }

    bool Large(int64_t iterations) const { return iterations >= options_.one_transaction_from; }

    // A part for `entity` of the tenant's metadata, kept alive in defs_.
    core::Result<Part> PartOf(const char* entity, bool hooks) {
        std::shared_ptr<const records::EntityDef> def;
        VK_RETURN_IF_ERROR(records_.db().Read([&](storage::Connection& c) -> core::Status {
            VK_ASSIGN_OR_RETURN(def, Def(c, entity));
            return core::Ok();
        }));
        defs_.push_back(def);
        return Part{def.get(), hooks, {}};
    }

    core::Status Companies() {
        const int64_t count = std::max<int64_t>(12, options_.contacts / 20);
        VK_ASSIGN_OR_RETURN(Part companies, PartOf("companies", true));
        return Pipelined("companies", {companies}, count, Large(count), [&](Sink& sink, int64_t i) {
            const char* root = kCompanyRoots[static_cast<size_t>(i) % kCompanyRoots.size()];
            const std::string base =
                i < static_cast<int64_t>(kCompanyRoots.size())
                    ? root
                    : std::string(root) + " " +
                          std::to_string(i / static_cast<int64_t>(kCompanyRoots.size()) + 1);
            std::string name(256, '\0');
            name.resize(static_cast<size_t>(std::snprintf(
                name.data(), name.size(), kCompanyForms[Pick(kCompanyForms.size())], base.c_str()
            )));
            const std::string id = core::NewId();
            const int64_t created_at = now_ - Between(30 * kDay, 730 * kDay);
            Json values = {
                {"name", name},
                {"inn", Digits(10)},
                {"website", "https://example-" + std::to_string(i) + ".ru"},
                {"phone", Phone(false)},
                {"email", "info@example-" + std::to_string(i) + ".ru"},
                {"industry", kIndustries[Pick(kIndustries.size())]},
                {"owner_id", ctx_.user_id},
            };
            gen_.companies.push_back(id);
            ++created_;
            return sink.Add(0, id, std::move(values), created_at);
        });
    }

    core::Status Contacts() {
        gen_.contacts.reserve(static_cast<size_t>(options_.contacts));
        gen_.contact_companies.reserve(static_cast<size_t>(options_.contacts));
        VK_ASSIGN_OR_RETURN(Part contacts, PartOf("contacts", true));
        const int64_t count = options_.contacts;
        return Pipelined("contacts", {contacts}, count, Large(count), [&](Sink& sink, int64_t i) {
            const Person p = RandomPerson();
            const std::string& company = gen_.companies[Pick(gen_.companies.size())];
            const std::string id = core::NewId();
            const int64_t created_at = now_ - Between(kDay, 700 * kDay);
            Json values = {
                {"first_name", p.first},
                {"last_name", p.last},
                {"position", kPositions[Pick(kPositions.size())]},
                {"email", p.latin + "." + std::to_string(i) + "@example.ru"},
                {"phone", Phone(true)},
                {"company_id", company},
                {"owner_id", ctx_.user_id},
                {"birthday",
                 std::to_string(1960 + Pick(40)) + "-0" + std::to_string(1 + Pick(9)) + "-1" +
                     std::to_string(Pick(9))},
                {"source", kContactSources[Pick(kContactSources.size())]},
            };
            gen_.contacts.push_back(id);
            gen_.contact_companies.push_back(company);
            ++created_;
            return sink.Add(0, id, std::move(values), created_at);
        });
    }

    static Json Change(const Json& from, const Json& to) { return {{"from", from}, {"to", to}}; }

    // Moves `values` to `stage` at `at`, returning the event's changes (as DealHook would).
    Json Move(Json& values, const StageInfo& stage, int64_t at, const std::string& loss_reason) {
        Json changes = Json::object();
        const std::string time = core::FormatTimestamp(at);
        auto set = [&](const char* key, const Json& to) {
            if (values[key] != to) {
                changes[key] = Change(values[key], to);
                values[key] = to;
            }
        };
        set("stage_id", stage.id);
        set("stage_changed_at", time);
        set("probability", stage.probability);
        set("status", stage.kind);
        set("won_at", stage.kind == "won" ? Json(time) : Json(nullptr));
        set("lost_at", stage.kind == "lost" ? Json(time) : Json(nullptr));
        set("closed_at", stage.kind == "open" ? Json(nullptr) : Json(time));
        if (stage.kind == "lost") {
            set("loss_reason", loss_reason);
        }
        return changes;
    }

    Json Activity(
        const std::string& type,
        const std::string& entity,
        const std::string& related,
        int64_t created_at
    ) {
        Json a = {
            {"type", type},
            {"related_entity", entity},
            {"related_id", related},
            {"owner_id", ctx_.user_id},
            {"assignee_id", ctx_.user_id},
            {"priority", Chance(20) ? "high" : "normal"},
            {"done", false},
        };
        if (type == "call") {
            a["subject"] = Chance(50) ? "Звонок клиенту" : "Входящий звонок";
            a["direction"] = Chance(60) ? "out" : "in";
            a["duration_seconds"] = Between(20, 1200);
            a["result"] = kCallResults[Pick(kCallResults.size())];
            a["done"] = true;
            a["done_at"] = core::FormatTimestamp(created_at);
        } else if (type == "meeting") {
            const int64_t starts = std::min(now_ + 5 * kDay, created_at + Between(kDay, 10 * kDay));
            a["subject"] = "Встреча: презентация";
            a["starts_at"] = core::FormatTimestamp(starts);
            a["ends_at"] = core::FormatTimestamp(starts + kHour);
            a["place"] = Chance(50) ? "Офис клиента" : "Zoom";
            a["participants"] = Json::array({"client", "manager"});
            if (starts < now_) {
                a["done"] = true;
                a["done_at"] = core::FormatTimestamp(starts + kHour);
            }
        } else if (type == "task") {
            a["subject"] = Chance(50) ? "Отправить коммерческое предложение" : "Перезвонить";
            a["due_at"] = core::FormatTimestamp(created_at + Between(kHour, 7 * kDay));
        } else {
            a["subject"] = "Заметка";
            a["body"] = "Клиент просит скидку на объём.";
        }
        return a;
    }

    core::Status DealsAndLeads() {
        const int64_t deals = options_.deals >= 0
                                  ? options_.deals
                                  : std::clamp<int64_t>(options_.contacts / 50, 60, 20000);
        const int64_t leads = options_.leads >= 0
                                  ? options_.leads
                                  : std::clamp<int64_t>(options_.contacts / 20, 150, 20000);
        VK_ASSIGN_OR_RETURN(Part deal_part, PartOf("deals", false));
        VK_ASSIGN_OR_RETURN(Part lead_part, PartOf("leads", true));
        VK_ASSIGN_OR_RETURN(Part activity_part, PartOf("activities", false));
        lead_defs_.push_back(BulkLeads(*lead_part.def));
        lead_part.def = &lead_defs_.back();
        const int64_t total = deals + leads;
        // Iterations [0, deals) make a deal each, the rest a lead each.
        return Pipelined(
            "deals, leads and activities",
            {deal_part, lead_part, activity_part},
            total,
            Large(total),
            [&](Sink& sink, int64_t i) { return i < deals ? OneDeal(sink) : OneLead(sink); }
        );
    }

    Json LeadValues(
        const Person& p, const std::string& company_name, const char* source, int64_t i
    ) {
        const std::string phone = Phone(true);
        Json lead = {
            {"first_name", p.first},
            {"last_name", p.last},
            {"company_name", company_name},
            {"email", std::string(p.latin) + ".lead" + std::to_string(i) + "@example.com"},
            {"phone", phone},
            {"source", source},
            {"channel",
             std::string(source) == "web_form"    ? "Сайт"
             : std::string(source) == "messenger" ? "Telegram"
                                                  : "Офис"},
            {"status", "new"},
            {"owner_id", ctx_.user_id},
        };
        if (std::string(source) == "web_form") {
            lead["message"] = "Прошу рассчитать стоимость и сроки поставки.";
            lead["utm_source"] = kUtmSources[Pick(kUtmSources.size())];
            lead["utm_medium"] = "cpc";
            lead["utm_campaign"] = "sklad-" + std::to_string(1 + Pick(4));
            lead["campaign"] = "Весенняя распродажа";
        }
        return lead;
    }

    core::Status OneDeal(Sink& sink) {
        const PipelineInfo& pipeline = gen_.pipelines[Chance(70) ? 0 : Pick(gen_.pipelines.size())];
        const size_t c = Pick(gen_.contacts.size());
        const int64_t created_at = now_ - Between(kHour, 365 * kDay);
        const bool old = now_ - created_at > 60 * kDay;
        const int outcome = static_cast<int>(rng_() % 100);
        const bool won = old ? outcome < 45 : outcome < 10;
        const bool lost = !won && (old ? outcome < 80 : outcome < 20);
        const size_t last_open =
            won || lost ? pipeline.open.size() - 1 : Pick(pipeline.open.size());
        const size_t reached = won || lost ? Pick(pipeline.open.size()) : last_open;
        const char* currency = pipeline.id == gen_.pipelines[0].id || Chance(80) ? "RUB" : "USD";
        const int64_t amount = std::string(currency) == "RUB" ? Between(5'000, 2'000'000) * 100
                                                              : Between(100, 50'000) * 100;
        const char* source = kContactSources[Pick(kContactSources.size())];
        const std::string id = core::NewId();
        const std::string& company = gen_.contact_companies[c];
        const StageInfo& first = pipeline.open.front();
        Json values = {
            {"title",
             std::string(std::array<const char*, 4>{
                 "Поставка стеллажей",
                 "Упаковка на квартал",
                 "Сервисный контракт",
                 "Погрузочная техника"}[Pick(4)]) +
                 " #" + std::to_string(created_ % 100000 + 1)},
            {"pipeline_id", pipeline.id},
            {"stage_id", first.id},
            {"status", "open"},
            {"amount", core::FormatAmount(amount, currency)},
            {"currency", currency},
            {"expected_close_date", Date(created_at + Between(14 * kDay, 90 * kDay))},
            {"probability", first.probability},
            {"owner_id", ctx_.user_id},
            {"contact_id", gen_.contacts[c]},
            {"company_id", company},
            {"source", source},
            {"stage_changed_at", core::FormatTimestamp(created_at)},
        };
        if (Chance(15)) {
            values["tags"] = Chance(50) ? Json::array({"vip"}) : Json::array({"срочно"});
        }
        const Json initial = values;
        std::vector<BulkEvent> events;
        int64_t at = created_at;
        auto step = [&]() { at = std::min(now_ - kHour, at + Between(kHour, 12 * kDay)); };
        for (size_t s = 1; s <= reached; ++s) {
            step();
            events.push_back({at, "update", Move(values, pipeline.open[s], at, "")});
        }
        if (won || lost) {
            step();
            const StageInfo& final = won ? pipeline.won.front() : pipeline.lost.front();
            events.push_back(
                {at, "update", Move(values, final, at, kLossReasons[Pick(kLossReasons.size())])}
            );
        }
        VK_RETURN_IF_ERROR(sink.Add(kDealPart, id, initial, created_at, std::move(events)));
        ++created_;
        ++created_deals_;
        // Every third deal came from a lead that was converted into it.
        if (Chance(33)) {
            const Person p = RandomPerson();
            const int64_t lead_at = created_at - Between(kHour, 3 * kDay);
            Json lead = LeadValues(
                p, "", source == std::string("referral") ? "manual" : source, created_ + 1
            );
            lead.erase("company_name");
            std::vector<BulkEvent> lead_events;
            Json changes = {
                {"status", Change("new", "converted")},
                {"converted_contact_id", Change(nullptr, gen_.contacts[c])},
                {"converted_company_id", Change(nullptr, company)},
                {"converted_deal_id", Change(nullptr, id)},
                {"converted_at", Change(nullptr, core::FormatTimestamp(created_at))},
            };
            lead_events.push_back({created_at, "update", std::move(changes)});
            const std::string lead_id = core::NewId();
            VK_RETURN_IF_ERROR(sink.Add(kLeadPart, lead_id, lead, lead_at, std::move(lead_events)));
            VK_RETURN_IF_ERROR(sink.Add(
                kActivityPart,
                core::NewId(),
                Activity("call", "leads", lead_id, lead_at + kHour),
                lead_at + kHour
            ));
            created_ += 2;
        }
        // A call early on, sometimes a meeting, and an open task on deals still in play.
        const int64_t call_at = std::min(now_ - kHour, created_at + Between(kHour, 2 * kDay));
        VK_RETURN_IF_ERROR(
            sink.Add(kActivityPart, core::NewId(), Activity("call", "deals", id, call_at), call_at)
        );
        ++created_;
        if (Chance(40)) {
            const int64_t meeting_at = std::min(now_ - kHour, created_at + Between(kDay, 5 * kDay));
            VK_RETURN_IF_ERROR(sink.Add(
                kActivityPart,
                core::NewId(),
                Activity("meeting", "deals", id, meeting_at),
                meeting_at
            ));
            ++created_;
        }
        if (!won && !lost) {
            const int64_t task_at = now_ - Between(kHour, 4 * kDay);
            VK_RETURN_IF_ERROR(sink.Add(
                kActivityPart,
                core::NewId(),
                Activity("task", "deals", id, task_at),
                std::min(task_at, now_)
            ));
            ++created_;
        } else if (Chance(30)) {
            VK_RETURN_IF_ERROR(
                sink.Add(kActivityPart, core::NewId(), Activity("note", "deals", id, at), at)
            );
            ++created_;
        }
        return core::Ok();
    }

    core::Status OneLead(Sink& sink) {
        const Person p = RandomPerson();
        const int64_t created_at = now_ - Between(kHour, 365 * kDay);
        const char* source = kLeadSources[Pick(kLeadSources.size())];
        const std::string company =
            Chance(60) ? std::string(kCompanyRoots[Pick(kCompanyRoots.size())]) : "";
        Json lead = LeadValues(p, company, source, created_);
        if (company.empty()) {
            lead.erase("company_name");
        }
        std::vector<BulkEvent> events;
        const bool recent = now_ - created_at < 14 * kDay;
        const int roll = static_cast<int>(rng_() % 100);
        const char* status = recent ? (roll < 60 ? "new" : "in_progress")
                                    : (roll < 40   ? "junk"
                                       : roll < 70 ? "qualified"
                                       : roll < 90 ? "in_progress"
                                                   : "new");
        const std::string id = core::NewId();
        if (std::string(status) != "new") {
            const int64_t at = std::min(now_ - kHour, created_at + Between(kHour, 3 * kDay));
            events.push_back({at, "update", {{"status", Change("new", status)}}});
            VK_RETURN_IF_ERROR(
                sink.Add(kActivityPart, core::NewId(), Activity("call", "leads", id, at), at)
            );
            ++created_;
        }
        VK_RETURN_IF_ERROR(sink.Add(kLeadPart, id, lead, created_at, std::move(events)));
        ++created_;
        return core::Ok();
    }

    // A handful of deals with product lines from the retail price list, through the engine.
    core::Status LinedDeals() {
        if (gen_.products.empty() || gen_.price_list.empty()) {
            return core::Ok();
        }
        return records_.db().Write([&](storage::Connection& tx) -> core::Status {
            const PipelineInfo& pipeline = gen_.pipelines.front();
            for (int i = 0; i < 10; ++i) {
                const size_t c = Pick(gen_.contacts.size());
                VK_ASSIGN_OR_RETURN(
                    records::Record deal,
                    records_.Create(
                        tx,
                        ctx_,
                        "deals",
                        {{"title", "Комплексное оснащение склада #" + std::to_string(i + 1)},
                         {"pipeline_id", pipeline.id},
                         {"stage_id", pipeline.open[Pick(pipeline.open.size())].id},
                         {"currency", "RUB"},
                         {"contact_id", gen_.contacts[c]},
                         {"company_id", gen_.contact_companies[c]},
                         {"source", "manual"}}
                    )
                );
                Json lines = Json::array();
                for (int k = 0; k < 3; ++k) {
                    lines.push_back({
                        {"product_id", gen_.products[Pick(gen_.products.size())]},
                        {"price_list_id", gen_.price_list},
                        {"quantity", Between(1, 20)},
                        {"discount_percent", std::array<int, 4>{0, 5, 10, 15}[Pick(4)]},
                        {"tax_percent", 20},
                    });
                }
                auto replaced = sales_.ReplaceDealLines(
                    tx,
                    ctx_,
                    deal.body["id"],
                    {{"lines", lines}, {"set_amount", true}},
                    std::nullopt
                );
                if (!replaced) {
                    return std::move(replaced).error();
                }
                created_ += 4;
            }
            return core::Ok();
        });
    }

    static constexpr size_t kDealPart = 0;
    static constexpr size_t kLeadPart = 1;
    static constexpr size_t kActivityPart = 2;

    records::RecordService& records_;
    const access::RequestContext& ctx_;
    const DemoOptions& options_;
    std::mt19937_64 rng_;
    core::SystemClock clock_;
    SalesService sales_;
    Generated gen_;
    int64_t now_ = 0;
    int64_t created_ = 0;
    int64_t created_deals_ = 0;
    std::string saved_;  // PRAGMAs that restore the writer's settings after the load
    std::vector<std::shared_ptr<const records::EntityDef>> defs_;  // metadata the parts point to
    std::list<records::EntityDef> lead_defs_;                      // stable addresses
};

}  // namespace

core::Result<int64_t> FillDemoCompany(
    records::RecordService& records, const access::RequestContext& ctx, const DemoOptions& options
) {
    if (options.contacts < 1) {
        return core::Error::InvalidField("contacts", "must be at least 1");
    }
    Demo demo(records, ctx, options);
    return demo.Run();
}

}  // namespace voronka::sales
