// The SQLite ceiling for the server's workloads: the same data set and pragmas, no HTTP, no JSON,
// no auth, statements prepared once. Each mode prints one JSON line.
//
//   lookup --db F --ids FILE [--threads 2] [--seconds 10]
//       point reads of a contact's columns by (tenant_id, id), one connection per thread.
//   insert --db F [--seconds 10] [--batch 64]
//       durable creates (WAL, synchronous=FULL): contact (with its matching keys) + event +
//       search_docs + search_fts rows per record, `batch` records per commit, as the group-commit
//       writer does for 64 clients.
//   list --db F --data DIR [--seconds 10]
//       the list queries of bench/wrk/list.lua in their best SQL, one at a time: p50/p99 latency.
//   search --db F --data DIR [--seconds 10]
//       FTS5 prefix queries of bench/wrk/search.lua, one at a time: p50/p99 latency.
//
// Build: g++ -std=c++20 -O2 bench/sqlite_raw.cpp -lsqlite3 -lpthread (bench/run.sh does this).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <sqlite3.h>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::string mode;
    std::string db;
    std::string ids;
    std::string data;
    int threads = 2;
    double seconds = 10;
    int batch = 64;
};

[[noreturn]] void Die(sqlite3* db, const std::string& what) {
    std::cerr << "sqlite_raw: " << what << ": " << (db ? sqlite3_errmsg(db) : "") << "\n";
    std::exit(1);
}

void Exec(sqlite3* db, const std::string& sql) {
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
        Die(db, sql);
    }
}

// The same pragmas as storage/sqlite/sqlite_database.cpp.
sqlite3* Open(const std::string& path, bool writer) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
        Die(db, "open " + path);
    }
    sqlite3_busy_timeout(db, 10000);
    Exec(
        db, "PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456; PRAGMA temp_store = MEMORY;"
    );
    if (writer) {
        Exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
    }
    return db;
}

sqlite3_stmt* Prepare(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) !=
        SQLITE_OK) {
        Die(db, "prepare " + sql);
    }
    return st;
}

std::vector<std::string> Lines(const std::string& path) {
    std::vector<std::string> out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) {
            out.push_back(line);
        }
    }
    if (out.empty()) {
        std::cerr << "sqlite_raw: no lines in " << path << "\n";
        std::exit(1);
    }
    return out;
}

// Reads every column the way the storage driver does, so the cost of copying values is counted.
size_t Drain(sqlite3_stmt* st) {
    size_t rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const int n = sqlite3_column_count(st);
        for (int i = 0; i < n; ++i) {
            if (sqlite3_column_type(st, i) == SQLITE_TEXT) {
                std::string copy(
                    reinterpret_cast<const char*>(sqlite3_column_text(st, i)),
                    static_cast<size_t>(sqlite3_column_bytes(st, i))
                );
                (void)copy;
            }
        }
        ++rows;
    }
    sqlite3_reset(st);
    return rows;
}

constexpr const char* kColumns =
    "id, version, created_at, updated_at, created_by, updated_by, deleted_at, first_name, "
    "last_name, middle_name, position, email, phone, phone_e164, company_id, owner_id, birthday, "
    "source, notes, custom";

int Lookup(const Options& o) {
    const auto ids = Lines(o.ids);
    std::atomic<int64_t> total{0};
    std::vector<std::thread> threads;
    const auto deadline = Clock::now() + std::chrono::duration<double>(o.seconds);
    for (int t = 0; t < o.threads; ++t) {
        threads.emplace_back([&, t] {
            sqlite3* db = Open(o.db, false);
            sqlite3_stmt* st = Prepare(
                db,
                std::string("SELECT ") + kColumns + " FROM contacts WHERE tenant_id = 1 AND id = ?1"
            );
            std::mt19937_64 rng(static_cast<uint64_t>(t) + 1);
            int64_t n = 0;
            while ((n & 255) != 0 || Clock::now() < deadline) {
                const std::string& id = ids[rng() % ids.size()];
                sqlite3_bind_text(st, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
                Drain(st);
                ++n;
            }
            total += n;
            sqlite3_finalize(st);
            sqlite3_close(db);
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    std::printf(
        "{\"mode\": \"lookup\", \"threads\": %d, \"ops_per_s\": %.1f}\n",
        o.threads,
        static_cast<double>(total.load()) / o.seconds
    );
    return 0;
}

int Insert(const Options& o) {
    sqlite3* db = Open(o.db, true);
    sqlite3_stmt* contact = Prepare(
        db,
        "INSERT INTO contacts (tenant_id, id, version, created_at, updated_at, created_by, "
        "updated_by, owner_id, custom, first_name, last_name, email, phone, phone_e164, source, "
        "email_key, name_latin, name_key, quality_flags) "
        "VALUES (1, ?1, 1, ?2, ?2, 'raw', 'raw', 'raw', '{}', 'Иван', 'Петров', ?3, '89161234567', "
        "'+79161234567', 'call', ?3, 'ivan petrov', 'petr/iva', '[]')"
    );
    sqlite3_stmt* event = Prepare(
        db,
        "INSERT INTO events (tenant_id, entity, record_id, version, action, actor_id, at, changes) "
        "VALUES (1, 'contacts', ?1, 1, 'create', 'raw', ?2, ?3)"
    );
    sqlite3_stmt* doc = Prepare(
        db,
        "INSERT INTO search_docs (tenant_id, entity, record_id, title, owner_id) VALUES "
        "(1, 'contacts', ?1, 'Иван Петров', 'raw') RETURNING doc_id"
    );
    sqlite3_stmt* fts =
        Prepare(db, "INSERT INTO search_fts (rowid, tenant_key, body) VALUES (?1, 't1', ?2)");
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::duration<double>(o.seconds);
    const int64_t base_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::system_clock::now().time_since_epoch()
    )
                                .count();
    int64_t n = 0;
    std::mt19937_64 rng(static_cast<uint64_t>(base_us));
    auto step = [&](sqlite3_stmt* st) {
        const int rc = sqlite3_step(st);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
            Die(db, "insert");
        }
    };
    while (Clock::now() < deadline) {
        Exec(db, "BEGIN IMMEDIATE");
        for (int i = 0; i < o.batch; ++i, ++n) {
            char id[32];
            std::snprintf(
                id,
                sizeof id,
                "zzraw%021llu",
                static_cast<unsigned long long>(rng() % 1000000000000000000ULL)
            );
            const std::string email = std::string("raw.") + id + "@example.ru";
            const std::string changes = "{\"email\":{\"from\":null,\"to\":\"" + email +
                                        "\"},\"first_name\":{\"from\":null,\"to\":\"Иван\"},\"last_"
                                        "name\":{\"from\":null,\"to\":\"Петров\"}}";
            const std::string body =
                "Иван Петров Иван Петров " + email + " 89161234567 89161234567 9161234567 ";
            const int64_t at = base_us + n;
            sqlite3_bind_text(contact, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(contact, 2, at);
            sqlite3_bind_text(contact, 3, email.c_str(), -1, SQLITE_TRANSIENT);
            step(contact);
            sqlite3_reset(contact);
            sqlite3_bind_text(event, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(event, 2, at);
            sqlite3_bind_text(event, 3, changes.c_str(), -1, SQLITE_TRANSIENT);
            step(event);
            sqlite3_reset(event);
            sqlite3_bind_text(doc, 1, id, -1, SQLITE_TRANSIENT);
            step(doc);
            const int64_t doc_id = sqlite3_column_int64(doc, 0);
            while (sqlite3_step(doc) == SQLITE_ROW) {
            }
            sqlite3_reset(doc);
            sqlite3_bind_int64(fts, 1, -doc_id);  // keyed as the server keys it
            sqlite3_bind_text(fts, 2, body.c_str(), -1, SQLITE_TRANSIENT);
            step(fts);
            sqlite3_reset(fts);
        }
        Exec(db, "COMMIT");
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf(
        "{\"mode\": \"insert\", \"batch\": %d, \"ops_per_s\": %.1f}\n",
        o.batch,
        static_cast<double>(n) / seconds
    );
    sqlite3_finalize(contact);
    sqlite3_finalize(event);
    sqlite3_finalize(doc);
    sqlite3_finalize(fts);
    sqlite3_close(db);
    return 0;
}

// Runs `next` (which binds and returns a statement) until the time is up; latency percentiles.
int Latencies(
    const Options& o, const char* mode, sqlite3* db, const std::function<sqlite3_stmt*()>& next
) {
    std::vector<double> ms;
    const auto deadline = Clock::now() + std::chrono::duration<double>(o.seconds);
    while (Clock::now() < deadline) {
        const auto t0 = Clock::now();
        // A read transaction per query, as the server's Read() opens one.
        Exec(db, "BEGIN");
        sqlite3_stmt* st = next();
        Drain(st);
        Exec(db, "COMMIT");
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    auto pct = [&](double p) {
        return ms[std::min(
            ms.size() - 1, static_cast<size_t>(p / 100 * static_cast<double>(ms.size()))
        )];
    };
    std::printf(
        "{\"mode\": \"%s\", \"queries\": %zu, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": "
        "%.3f}\n",
        mode,
        ms.size(),
        pct(50),
        pct(99),
        ms.back()
    );
    return 0;
}

std::string Utf8Prefix(const std::string& s, size_t n) {
    size_t i = 0;
    for (size_t taken = 0; i < s.size() && taken < n; ++taken) {
        const auto c = static_cast<unsigned char>(s[i]);
        i += c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    }
    return s.substr(0, i);
}

int List(const Options& o) {
    sqlite3* db = Open(o.db, false);
    const auto names = Lines(o.data + "/last_names.txt");
    const auto companies = Lines(o.data + "/companies.txt");
    const std::vector<std::string> sources{
        "web_form", "email", "call", "messenger", "manual", "import", "referral"};
    const std::string cols = kColumns;
    std::vector<sqlite3_stmt*> st{
        Prepare(
            db,
            "SELECT " + cols +
                " FROM contacts WHERE tenant_id = 1 AND deleted_at IS NULL AND last_name = ?1 "
                "ORDER BY updated_at DESC, id DESC LIMIT 51"
        ),
        Prepare(
            db,
            "SELECT " + cols +
                " FROM contacts WHERE tenant_id = 1 AND deleted_at IS NULL AND source = ?1 ORDER "
                "BY updated_at DESC, id DESC LIMIT 51"
        ),
        Prepare(
            db,
            "SELECT " + cols +
                " FROM contacts WHERE tenant_id = 1 AND deleted_at IS NULL AND last_name >= ?1 AND "
                "last_name < ?1 || x'f48fbfbf' ORDER BY last_name, id LIMIT 51"
        ),
        Prepare(
            db,
            "SELECT " + cols +
                " FROM contacts WHERE tenant_id = 1 AND deleted_at IS NULL AND company_id = ?1 AND "
                "source = ?2 ORDER BY created_at DESC, id DESC LIMIT 51"
        ),
    };
    std::mt19937_64 rng(3);
    auto pick = [&](const std::vector<std::string>& v) -> const std::string& {
        return v[rng() % v.size()];
    };
    return Latencies(o, "list", db, [&]() -> sqlite3_stmt* {
        const size_t k = rng() % st.size();
        sqlite3_stmt* s = st[k];
        std::string a = k == 0   ? pick(names)
                        : k == 1 ? pick(sources)
                        : k == 2 ? Utf8Prefix(pick(names), 3)
                                 : pick(companies);
        sqlite3_bind_text(s, 1, a.c_str(), -1, SQLITE_TRANSIENT);
        if (k == 3) {
            sqlite3_bind_text(s, 2, pick(sources).c_str(), -1, SQLITE_TRANSIENT);
        }
        return s;
    });
}

int Search(const Options& o) {
    sqlite3* db = Open(o.db, false);
    const auto terms = Lines(o.data + "/search_terms.txt");
    // Newest matches first: FTS5 walks its doclists by rowid (the negated doc_id) and stops after
    // the page.
    sqlite3_stmt* st = Prepare(
        db,
        "SELECT d.entity, d.record_id, d.title, d.owner_id FROM search_fts f JOIN search_docs d ON "
        "d.doc_id = -f.rowid WHERE search_fts MATCH ?1 AND d.tenant_id = 1 ORDER BY f.rowid LIMIT "
        "80"
    );
    std::mt19937_64 rng(5);
    return Latencies(o, "search", db, [&]() -> sqlite3_stmt* {
        // Same tokenisation as the server for these terms: split on spaces and dots, quote, prefix.
        std::string term = terms[rng() % terms.size()];
        std::string match = "tenant_key : t1 AND body : (";
        std::string token;
        bool first = true;
        auto flush = [&] {
            if (!token.empty()) {
                match += (first ? "\"" : " AND \"") + token + "\"*";
                first = false;
                token.clear();
            }
        };
        for (char c : term) {
            if (c == ' ' || c == '.' || c == '@') {
                flush();
            } else {
                token.push_back(c);
            }
        }
        flush();
        match += ")";
        sqlite3_bind_text(st, 1, match.c_str(), -1, SQLITE_TRANSIENT);
        return st;
    });
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (argc < 2) {
        std::cerr << "usage: sqlite_raw lookup|insert|list|search --db FILE [options]\n";
        return 2;
    }
    o.mode = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string_view k = argv[i];
        const char* v = argv[i + 1];
        if (k == "--db") {
            o.db = v;
        } else if (k == "--ids") {
            o.ids = v;
        } else if (k == "--data") {
            o.data = v;
        } else if (k == "--threads") {
            o.threads = std::atoi(v);
        } else if (k == "--seconds") {
            o.seconds = std::atof(v);
        } else if (k == "--batch") {
            o.batch = std::atoi(v);
        } else {
            std::cerr << "unknown option " << k << "\n";
            return 2;
        }
    }
    if (o.mode == "lookup") {
        return Lookup(o);
    }
    if (o.mode == "insert") {
        return Insert(o);
    }
    if (o.mode == "list") {
        return List(o);
    }
    if (o.mode == "search") {
        return Search(o);
    }
    std::cerr << "unknown mode " << o.mode << "\n";
    return 2;
}
