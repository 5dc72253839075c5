// What the bulk data generators (gen_contacts, gen_analytics) share: fail-fast SQLite calls, a
// positional prepared statement and ULIDs shaped as the server writes them. Header-only so each
// generator stays one `g++` command (bench/run.sh).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

namespace bench {

// The generator's name in error messages; each generator defines it.
extern const char* const kProgram;

[[noreturn]] inline void Die(sqlite3* db, const std::string& what) {
    std::cerr << kProgram << ": " << what << ": " << (db ? sqlite3_errmsg(db) : "") << "\n";
    std::exit(1);
}

inline void Exec(sqlite3* db, const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        std::string m = message ? message : "";
        sqlite3_free(message);
        Die(db, sql.substr(0, 120) + " -> " + m);
    }
}

// A prepared statement bound by position; Run() steps once and resets.
class Stmt {
public:
    Stmt(sqlite3* db, const char* sql) : db_(db) {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
            Die(db, std::string("prepare ") + sql);
        }
    }

    ~Stmt() { sqlite3_finalize(stmt_); }

    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    Stmt& Int(int i, int64_t v) {
        sqlite3_bind_int64(stmt_, i, v);
        return *this;
    }

    Stmt& Text(int i, std::string_view v) {
        sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }

    Stmt& Null(int i) {
        sqlite3_bind_null(stmt_, i);
        return *this;
    }

    Stmt& TextOrNull(int i, const std::string& v) { return v.empty() ? Null(i) : Text(i, v); }

    void Run() {
        Step();
        sqlite3_reset(stmt_);
    }

    bool Step() {
        const int rc = sqlite3_step(stmt_);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
            Die(db_, "step");
        }
        return rc == SQLITE_ROW;
    }

    std::string Column(int i) {
        const auto* p = sqlite3_column_text(stmt_, i);
        return p ? reinterpret_cast<const char*>(p) : "";
    }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// Drops the secondary indexes of `tables` and returns their CREATE statements: a bulk load
// writes the rows first and builds each b-tree from sorted keys after, several times faster than
// millions of random inserts into each index.
inline std::vector<std::string> DropIndexes(sqlite3* db, const std::vector<std::string>& tables) {
    std::vector<std::string> sql;
    for (const auto& table : tables) {
        std::vector<std::string> names;
        {
            Stmt list(
                db,
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND "
                "sql IS NOT NULL"
            );
            list.Text(1, table);
            while (list.Step()) {
                names.push_back(list.Column(0));
                sql.push_back(list.Column(1));
            }
        }
        for (const auto& n : names) {
            Exec(db, "DROP INDEX \"" + n + "\"");
        }
    }
    return sql;
}

// The settings of a bulk load: no rollback journal and no fsync (a failed load is thrown away
// and generated again), one connection, a large page cache, sorts in memory, and helper threads
// for the sorts that build the indexes.
inline void BulkLoadPragmas(sqlite3* db) {
    Exec(
        db,
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; "
        "PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF; "
        "PRAGMA threads = 2;"
    );
}

// What the server runs on: WAL, normal locking. Called once the load is done.
inline void ServerPragmas(sqlite3* db) {
    Exec(db, "PRAGMA locking_mode = NORMAL; PRAGMA journal_mode = WAL;");
}

// ULID as core::NewId writes it: 48-bit milliseconds + 80 random bits, Crockford base32, lower.
inline std::string Ulid(uint64_t ms, std::mt19937_64& rng) {
    __extension__ typedef unsigned __int128 U128;
    U128 value = (static_cast<U128>(ms & 0xffffffffffffULL) << 80) |
                 (static_cast<U128>(rng() & 0xffffULL) << 64) | static_cast<U128>(rng());
    static constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
    std::string out(26, '0');
    for (int i = 25; i >= 0; --i) {
        out[static_cast<size_t>(i)] = kAlphabet[static_cast<int>(value & 31)];
        value >>= 5;
    }
    return out;
}

}  // namespace bench
