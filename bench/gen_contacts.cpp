// Bulk generator for the benchmark data set: tenants, teams, users, API tokens, companies and
// contacts written with the exact row shape the record engine writes on create (entity row,
// `events` row with the per-field diff, `search_docs` + `search_fts` rows), but through raw
// SQLite in large transactions so a million contacts take seconds, not an hour of API calls.
//
// REQUIRES: --db names a database already migrated by `voronka migrate` (the generator fills the
// schema, it does not create it). Writes into --out:
//   admin.token / user.token   bearer tokens of tenant 1's admin and of a `user` with team scope
//   ids.txt                    ids of tenant 1's contacts (a random sample), one per line
//   team_ids.txt               ids of contacts the team-scoped user may read
//   companies.txt              company ids of tenant 1
//   last_names.txt             the last names used, for list filters
//   search_terms.txt           search queries: name prefixes, "first last", email and phone
//                              prefixes, as people type them into the global search box
//
// Build: g++ -std=c++20 -O2 bench/gen_contacts.cpp -lsqlite3 -lcrypto (bench/run.sh does this).
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

#include "bulk_sqlite.hpp"
#include <openssl/evp.h>

const char* const bench::kProgram = "gen_contacts";

namespace {

using bench::Die;
using bench::DropIndexes;
using bench::Exec;
using bench::Stmt;
using bench::Ulid;

std::string Sha256Hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out.push_back(kHex[digest[i] >> 4]);
        out.push_back(kHex[digest[i] & 15]);
    }
    return out;
}

// JSON string literal (names and emails here hold no control characters).
std::string Q(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
        }
        out.push_back(c);
    }
    return out + "\"";
}

constexpr std::array<const char*, 40> kFirst{
    "Иван",   "Мария",  "Алексей", "Ольга",    "Дмитрий", "Анна",  "Олександр", "Наталія",
    "Андрій", "Оксана", "Сергей",  "Юлия",     "Павел",   "Елена", "Николай",   "Татьяна",
    "Михаил", "Ирина",  "Виктор",  "Светлана", "Богдан",  "Тарас", "Галина",    "Роман",
    "John",   "Emily",  "Michael", "Sarah",    "David",   "Laura", "James",     "Olivia",
    "Peter",  "Hanna",  "Thomas",  "Sophie",   "Максим",  "Вера",  "Георгий",   "Ксения"};

constexpr std::array<const char*, 8> kLatin{
    "ivan", "maria", "alex", "olga", "dmitry", "anna", "john", "emily"};

constexpr std::array<const char*, 7> kSources{
    "web_form", "email", "call", "messenger", "manual", "import", "referral"};

constexpr std::array<const char*, 6> kPositions{
    "Директор", "Менеджер", "Бухгалтер", "Head of Sales", "Engineer", "Закупщик"};

// Last names: stems x endings gives a few hundred distinct names in Cyrillic and Latin, so a
// last-name filter selects a realistic fraction (~0.3%) of a million contacts.
std::vector<std::string> LastNames() {
    static constexpr std::array<const char*, 30> kStems{
        "Петр",     "Смирн",  "Кузнец",  "Поп",   "Сокол",  "Лебед", "Козл",  "Новик",
        "Мороз",    "Волк",   "Соловь",  "Васил", "Зайц",   "Павл",  "Семен", "Голуб",
        "Виноград", "Богдан", "Ворон",   "Федор", "Михайл", "Беляк", "Тарас", "Белоус",
        "Комар",    "Орл",    "Киселёв", "Макар", "Андре",  "Ковал"};
    static constexpr std::array<const char*, 7> kEnds{"ов", "ев", "ин", "енко", "ук", "ский", "ич"};
    static constexpr std::array<const char*, 30> kEnglish{
        "Smith",  "Johnson",  "Williams", "Brown",  "Jones",  "Miller", "Davis",   "Garcia",
        "Wilson", "Anderson", "Taylor",   "Thomas", "Moore",  "Martin", "Jackson", "White",
        "Harris", "Clark",    "Lewis",    "Walker", "Young",  "Allen",  "King",    "Wright",
        "Scott",  "Green",    "Baker",    "Adams",  "Nelson", "Hill"};
    std::vector<std::string> out;
    for (const char* s : kStems) {
        for (const char* e : kEnds) {
            out.push_back(std::string(s) + e);
        }
    }
    for (const char* e : kEnglish) {
        out.emplace_back(e);
    }
    return out;
}

struct Options {
    std::string db;
    std::string out = ".";
    int tenants = 100;
    int64_t contacts = 1000000;     // in tenant 1
    int64_t other_contacts = 1000;  // in each other tenant
    int teams = 10;
    int users_per_team = 5;
    uint64_t seed = 42;
};

struct Tenant {
    int64_t id;
    std::string admin_id;
    std::vector<std::string> user_ids;   // owners to spread records over (admin included)
    std::vector<std::string> user_team;  // team of each owner ("" for the admin)
    std::vector<std::string> company_ids;
};

class Generator {
public:
    Generator(sqlite3* db, const Options& o)
        : db_(db),
          o_(o),
          rng_(o.seed),
          last_names_(LastNames()),
          tenant_(db, "INSERT INTO tenants (id, name, created_at) VALUES (?1, ?2, ?3)"),
          team_(db, "INSERT INTO teams (tenant_id, id, name, created_at) VALUES (?1, ?2, ?3, ?4)"),
          user_(
              db,
              "INSERT INTO users (tenant_id, id, email, name, password_hash, role, team_id, "
              "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, '!bench-no-password', ?5, ?6, ?7, "
              "?7)"
          ),
          token_(
              db,
              "INSERT INTO api_tokens (token_hash, tenant_id, id, user_id, name, read_only, "
              "created_at) VALUES (?1, ?2, ?3, ?4, 'bench', 0, ?5)"
          ),
          contact_(
              db,
              "INSERT INTO contacts (tenant_id, id, version, created_at, updated_at, created_by, "
              "updated_by, owner_id, custom, first_name, last_name, middle_name, position, email, "
              "phone, phone_e164, company_id, birthday, source, notes) VALUES (?1, ?2, 1, ?3, ?3, "
              "?4, ?4, ?5, '{}', ?6, ?7, NULL, ?8, ?9, ?10, ?11, ?12, ?13, ?14, NULL)"
          ),
          company_(
              db,
              "INSERT INTO companies (tenant_id, id, version, created_at, updated_at, created_by, "
              "updated_by, owner_id, custom, name, website, phone, phone_e164, industry) VALUES "
              "(?1, ?2, 1, ?3, ?3, ?4, ?4, ?4, '{}', ?5, ?6, ?7, ?8, ?9)"
          ),
          event_(
              db,
              "INSERT INTO events (tenant_id, entity, record_id, version, action, actor_id, at, "
              "changes) VALUES (?1, ?2, ?3, 1, 'create', ?4, ?5, ?6)"
          ),
          doc_(
              db,
              "INSERT INTO search_docs (doc_id, tenant_id, entity, record_id, title, owner_id) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
          ),
          fts_(db, "INSERT INTO search_fts (rowid, tenant_key, body) VALUES (?1, ?2, ?3)") {}

    void Run() {
        // Records are spread over the two years before now, ids following creation time.
        now_us_ = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch()
        )
                      .count();
        std::ofstream ids(o_.out + "/ids.txt");
        std::ofstream team_ids(o_.out + "/team_ids.txt");
        for (int t = 1; t <= o_.tenants; ++t) {
            const int64_t count = t == 1 ? o_.contacts : o_.other_contacts;
            Tenant tenant = MakeTenant(t, count);
            MakeContacts(tenant, count, t == 1 ? &ids : nullptr, t == 1 ? &team_ids : nullptr);
            if (t == 1) {
                std::ofstream companies(o_.out + "/companies.txt");
                for (const auto& c : tenant.company_ids) {
                    companies << c << "\n";
                }
            }
        }
        FlushSearchIndex();
        std::ofstream names(o_.out + "/last_names.txt");
        for (const auto& n : last_names_) {
            names << n << "\n";
        }
        WriteSearchTerms();
    }

private:
    size_t Pick(size_t n) { return static_cast<size_t>(rng_() % n); }

    // The first `n` code points of UTF-8 text.
    static std::string Prefix(const std::string& s, size_t n) {
        size_t i = 0;
        for (size_t taken = 0; i < s.size() && taken < n; ++taken) {
            const auto c = static_cast<unsigned char>(s[i]);
            i += c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        }
        return s.substr(0, i);
    }

    void WriteSearchTerms() {
        std::ofstream out(o_.out + "/search_terms.txt");
        for (int k = 0; k < 2000; ++k) {
            const std::string& last = last_names_[Pick(last_names_.size())];
            const std::string first = kFirst[Pick(kFirst.size())];
            switch (k % 5) {
                case 0:
                    out << Prefix(last, 3 + Pick(3)) << "\n";
                    break;
                case 1:
                    out << first << " " << Prefix(last, 2 + Pick(3)) << "\n";
                    break;
                case 2:
                    out << last << "\n";
                    break;
                case 3:
                    out << kLatin[Pick(kLatin.size())] << ".1." << Pick(o_.contacts) << "\n";
                    break;
                default:
                    out << "8" << (9000000000LL + static_cast<int64_t>(Pick(999999999))) / 1000
                        << "\n";
                    break;
            }
        }
    }

    std::string Token(const Tenant& t, const std::string& user_id, const std::string& name) {
        const std::string secret = "vk_bench_" + name + "_" + std::to_string(t.id);
        token_.Text(1, Sha256Hex(secret)).Int(2, t.id).Text(3, Ulid(1, rng_)).Text(4, user_id);
        token_.Int(5, now_us_).Run();
        return secret;
    }

    // A B2B base: about 20 contacts per company (at least the 12 named ones).
    Tenant MakeTenant(int t, int64_t contacts) {
        Tenant tenant{t, {}, {}, {}, {}};
        const int64_t created = now_us_ - 800LL * 86400 * 1000000;
        tenant_.Int(1, t).Text(2, t == 1 ? "Bench company" : "Tenant " + std::to_string(t));
        tenant_.Int(3, created).Run();
        tenant.admin_id = Ulid(static_cast<uint64_t>(created / 1000), rng_);
        user_.Int(1, t).Text(2, tenant.admin_id).Text(3, "admin@t" + std::to_string(t) + ".bench");
        user_.Text(4, "Administrator").Text(5, "admin").Null(6).Int(7, created).Run();
        tenant.user_ids.push_back(tenant.admin_id);
        tenant.user_team.emplace_back();
        const int teams = t == 1 ? o_.teams : 2;
        for (int k = 0; k < teams; ++k) {
            const std::string team_id = Ulid(static_cast<uint64_t>(created / 1000), rng_);
            team_.Int(1, t)
                .Text(2, team_id)
                .Text(3, "Team " + std::to_string(k + 1))
                .Int(4, created)
                .Run();
            for (int u = 0; u < o_.users_per_team; ++u) {
                const std::string id = Ulid(static_cast<uint64_t>(created / 1000), rng_);
                const std::string email = "user" + std::to_string(k) + "." + std::to_string(u) +
                                          "@t" + std::to_string(t) + ".bench";
                user_.Int(1, t).Text(2, id).Text(3, email).Text(
                    4, "User " + std::to_string(k) + "." + std::to_string(u)
                );
                user_.Text(5, "user").Text(6, team_id).Int(7, created).Run();
                tenant.user_ids.push_back(id);
                tenant.user_team.push_back(team_id);
            }
        }
        if (t == 1) {
            // The team-scoped bench user is the first member of team 1.
            team_of_bench_user_ = tenant.user_team[1];
            std::ofstream(o_.out + "/admin.token")
                << Token(tenant, tenant.admin_id, "admin") << "\n";
            std::ofstream(o_.out + "/user.token")
                << Token(tenant, tenant.user_ids[1], "user") << "\n";
        }
        static constexpr std::array<const char*, 12> kCompanies{
            "ООО «Ромашка»",
            "АО «Северсталь-Сервис»",
            "ТОВ «Київстар Бізнес»",
            "ИП Иванов",
            "ООО «ТехноСфера»",
            "ПАО «Волга-Трейд»",
            "ТОВ «Дніпро Агро»",
            "Acme Corp",
            "Northwind Traders",
            "ООО «Альфа Логистик»",
            "ТОВ «Львівська Кава»",
            "Globex LLC"};
        const size_t n_companies =
            std::max<size_t>(kCompanies.size(), static_cast<size_t>(contacts / 20));
        for (size_t i = 0; i < n_companies; ++i) {
            const std::string name =
                std::string(kCompanies[i % kCompanies.size()]) +
                (i < kCompanies.size() ? "" : " " + std::to_string(i / kCompanies.size() + 1));
            const int64_t at = created + static_cast<int64_t>(i) * 1000;
            const std::string id = Ulid(static_cast<uint64_t>(at / 1000), rng_);
            const std::string digits =
                std::to_string(4950000000LL + static_cast<int64_t>(Pick(9999999)));
            const std::string phone = "+7 (" + digits.substr(0, 3) + ") " + digits.substr(3, 3) +
                                      "-" + digits.substr(6, 2) + "-" + digits.substr(8, 2);
            const std::string e164 = "+7" + digits;
            const std::string website = "https://example-" + std::to_string(i) + ".ru";
            const std::string industry = i % 2 ? "Retail" : "Manufacturing";
            company_.Int(1, t).Text(2, id).Int(3, at).Text(4, tenant.admin_id).Text(5, name);
            company_.Text(6, website).Text(7, phone).Text(8, e164).Text(9, industry).Run();
            const std::string changes =
                "{\"industry\":{\"from\":null,\"to\":" + Q(industry) +
                "},\"name\":{\"from\":null,\"to\":" + Q(name) +
                "},\"owner_id\":{\"from\":null,\"to\":" + Q(tenant.admin_id) +
                "},\"phone\":{\"from\":null,\"to\":" + Q(phone) +
                "},\"phone_e164\":{\"from\":null,\"to\":" + Q(e164) +
                "},\"website\":{\"from\":null,\"to\":" + Q(website) + "}}";
            event_.Int(1, t)
                .Text(2, "companies")
                .Text(3, id)
                .Text(4, tenant.admin_id)
                .Int(5, at)
                .Text(6, changes)
                .Run();
            const std::string d = "7" + digits;
            Index(
                t,
                "companies",
                id,
                name,
                tenant.admin_id,
                name + " " + website + " " + phone + " " + d + " " + d.substr(d.size() - 10) + " "
            );
            tenant.company_ids.push_back(id);
        }
        return tenant;
    }

    void Index(
        int64_t t,
        const char* entity,
        const std::string& id,
        const std::string& title,
        const std::string& owner,
        const std::string& body
    ) {
        ++doc_id_;
        doc_.Int(1, doc_id_)
            .Int(2, t)
            .Text(3, entity)
            .Text(4, id)
            .Text(5, title)
            .Text(6, owner)
            .Run();
        pending_fts_.push_back({-doc_id_, t, title + " " + body});
        if (pending_fts_.size() >= 20000) {
            FlushSearchIndex();
        }
    }

    // The server keys search documents by the negated doc_id; FTS5 starts a new segment whenever
    // a rowid is lower than the previous one, so documents go in by ascending rowid, in chunks.
    void FlushSearchIndex() {
        for (auto it = pending_fts_.rbegin(); it != pending_fts_.rend(); ++it) {
            fts_.Int(1, it->rowid)
                .Text(2, "t" + std::to_string(it->tenant))
                .Text(3, it->body)
                .Run();
        }
        pending_fts_.clear();
    }

    struct PendingDocument {
        int64_t rowid;
        int64_t tenant;
        std::string body;
    };

    std::vector<PendingDocument> pending_fts_;

    void MakeContacts(
        const Tenant& tenant, int64_t count, std::ofstream* ids, std::ofstream* team_ids
    ) {
        const int64_t span_us = 730LL * 86400 * 1000000;
        const int64_t start = now_us_ - span_us;
        const int64_t step = std::max<int64_t>(1, span_us / std::max<int64_t>(1, count));
        // Every ~20th id goes to the id files: enough for random reads without a huge file.
        const int64_t sample_every = count > 100000 ? 20 : 1;
        for (int64_t i = 0; i < count; ++i) {
            const int64_t at =
                start + i * step + static_cast<int64_t>(Pick(static_cast<size_t>(step)));
            const std::string id = Ulid(static_cast<uint64_t>(at / 1000), rng_);
            const size_t owner_index = Pick(tenant.user_ids.size());
            const std::string& owner = tenant.user_ids[owner_index];
            const std::string first = kFirst[Pick(kFirst.size())];
            const std::string& last = last_names_[Pick(last_names_.size())];
            const std::string email = std::string(kLatin[Pick(kLatin.size())]) + "." +
                                      std::to_string(tenant.id) + "." + std::to_string(i) +
                                      "@example.ru";
            // Russian mobile numbers as people type them; E.164 as libphonenumber gives it.
            const std::string digits =
                std::to_string(9000000000LL + static_cast<int64_t>(Pick(999999999)));
            const std::string phone = "8" + digits;
            const std::string e164 = "+7" + digits;
            const std::string& company = tenant.company_ids[Pick(tenant.company_ids.size())];
            char birthday[16];
            std::snprintf(
                birthday,
                sizeof birthday,
                "%04d-%02d-%02d",
                1960 + static_cast<int>(Pick(40)),
                1 + static_cast<int>(Pick(12)),
                1 + static_cast<int>(Pick(28))
            );
            const std::string source = kSources[Pick(kSources.size())];
            const std::string position = Pick(3) == 0 ? kPositions[Pick(kPositions.size())] : "";
            contact_.Int(1, tenant.id)
                .Text(2, id)
                .Int(3, at)
                .Text(4, tenant.admin_id)
                .Text(5, owner);
            contact_.Text(6, first)
                .Text(7, last)
                .TextOrNull(8, position)
                .Text(9, email)
                .Text(10, phone);
            contact_.Text(11, e164).Text(12, company).Text(13, birthday).Text(14, source).Run();
            // Diff(nullptr, values): non-null fields, keys sorted as nlohmann::json dumps them.
            std::string changes = "{\"birthday\":{\"from\":null,\"to\":" + Q(birthday) +
                                  "},\"company_id\":{\"from\":null,\"to\":" + Q(company) +
                                  "},\"email\":{\"from\":null,\"to\":" + Q(email) +
                                  "},\"first_name\":{\"from\":null,\"to\":" + Q(first) +
                                  "},\"last_name\":{\"from\":null,\"to\":" + Q(last) +
                                  "},\"owner_id\":{\"from\":null,\"to\":" + Q(owner) +
                                  "},\"phone\":{\"from\":null,\"to\":" + Q(phone) +
                                  "},\"phone_e164\":{\"from\":null,\"to\":" + Q(e164) + "}";
            if (!position.empty()) {
                changes += ",\"position\":{\"from\":null,\"to\":" + Q(position) + "}";
            }
            changes += ",\"source\":{\"from\":null,\"to\":" + Q(source) + "}}";
            event_.Int(1, tenant.id)
                .Text(2, "contacts")
                .Text(3, id)
                .Text(4, tenant.admin_id)
                .Int(5, at)
                .Text(6, changes)
                .Run();
            // search_index.cpp Body(): searchable fields, phone also as digits and last ten digits.
            const std::string phone_digits = phone;  // "8" + 10 digits: already digits only
            Index(
                tenant.id,
                "contacts",
                id,
                first + " " + last,
                owner,
                first + " " + last + " " + email + " " + phone + " " + phone_digits + " " +
                    phone_digits.substr(phone_digits.size() - 10) + " "
            );
            if (ids && i % sample_every == 0) {
                *ids << id << "\n";
            }
            if (team_ids && tenant.user_team[owner_index] == team_of_bench_user_ &&
                team_sampled_++ % 2 == 0) {
                *team_ids << id << "\n";
            }
            if (++in_tx_ >= 200000) {
                Exec(db_, "COMMIT; BEGIN");
                in_tx_ = 0;
            }
        }
    }

    sqlite3* db_;
    const Options& o_;
    std::mt19937_64 rng_;
    std::vector<std::string> last_names_;
    Stmt tenant_, team_, user_, token_, contact_, company_, event_, doc_, fts_;
    int64_t now_us_ = 0;
    int64_t doc_id_ = 0;
    int64_t in_tx_ = 0;
    int64_t team_sampled_ = 0;
    std::string team_of_bench_user_;
};

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view k = argv[i];
        const char* v = argv[i + 1];
        if (k == "--db") {
            o.db = v;
        } else if (k == "--out") {
            o.out = v;
        } else if (k == "--tenants") {
            o.tenants = std::atoi(v);
        } else if (k == "--contacts") {
            o.contacts = std::atoll(v);
        } else if (k == "--other-contacts") {
            o.other_contacts = std::atoll(v);
        } else if (k == "--seed") {
            o.seed = std::strtoull(v, nullptr, 10);
        } else {
            std::cerr << "unknown option " << k << "\n";
            return 2;
        }
    }
    if (o.db.empty()) {
        std::cerr
            << "usage: gen_contacts --db FILE [--out DIR] [--tenants 100] [--contacts 1000000] "
               "[--other-contacts 1000] [--seed 42]\n";
        return 2;
    }
    sqlite3* db = nullptr;
    if (sqlite3_open(o.db.c_str(), &db) != SQLITE_OK) {
        Die(db, "open");
    }
    const auto t0 = std::chrono::steady_clock::now();
    // Bulk load without a journal; the file is switched back to WAL (what the server uses) after.
    bench::BulkLoadPragmas(db);
    const std::vector<std::string> indexes =
        DropIndexes(db, {"contacts", "companies", "events", "search_docs"});
    Exec(db, "BEGIN");
    Generator(db, o).Run();
    Exec(db, "COMMIT");
    const auto t1 = std::chrono::steady_clock::now();
    Exec(db, "BEGIN");
    for (const auto& sql : indexes) {
        Exec(db, sql);
    }
    Exec(db, "COMMIT");
    const auto t2 = std::chrono::steady_clock::now();
    // No ANALYZE: a live server's file has no sqlite_stat1 either, so the planner sees the same.
    bench::ServerPragmas(db);
    sqlite3_close(db);
    const auto t3 = std::chrono::steady_clock::now();
    auto s = [](auto d) { return std::chrono::duration<double>(d).count(); };
    std::printf(
        "gen_contacts: rows %.1fs, indexes %.1fs, wal %.1fs\n", s(t1 - t0), s(t2 - t1), s(t3 - t2)
    );
    return 0;
}
