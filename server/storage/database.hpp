// Storage interface shared by the SQLite and PostgreSQL drivers.
//
// SQL is written once with $1..$n placeholders; the SQLite driver rewrites them to ?N when a
// statement is prepared. Values cross the boundary as Value (NULL, int64, double, text).
// Money and time are BIGINT (minor units, UTC microseconds); JSON travels as text.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace voronka::storage {

using core::Result;
using core::Status;

enum class Dialect { kSqlite, kPostgres };

using Value = std::variant<std::nullptr_t, int64_t, double, std::string>;

inline bool IsNull(const Value& v) { return std::holds_alternative<std::nullptr_t>(v); }

// Rows of one result in column order. Column names are lower-case as the database reports them.
struct Rows {
    std::vector<std::string> columns;
    std::vector<std::vector<Value>> rows;

    bool empty() const { return rows.empty(); }

    size_t size() const { return rows.size(); }

    // Index of a column by name, or -1.
    int Column(std::string_view name) const;
};

// Typed accessors that tolerate the text form PostgreSQL returns for numbers.
int64_t AsInt(const Value& v, int64_t fallback = 0);
double AsDouble(const Value& v, double fallback = 0);
std::string AsText(const Value& v);

// One database session. Not thread-safe: a Connection is used by one thread at a time.
// Errors: constraint violations come back as kConflict (unique) or kInvalid (check/foreign key),
// busy/locked/connection loss as kUnavailable, anything else as kInternal; driver text is kept
// in Error::internal only.
class Connection {
public:
    virtual ~Connection() = default;

    virtual Result<Rows> Query(std::string_view sql, const std::vector<Value>& params = {}) = 0;

    // Runs a statement and returns the number of rows it changed.
    virtual Result<int64_t> Execute(
        std::string_view sql, const std::vector<Value>& params = {}
    ) = 0;

    // Runs one or more statements without parameters (migrations, DDL).
    virtual Status ExecuteScript(std::string_view sql) = 0;

    virtual Dialect dialect() const = 0;

    // A row for an index that takes a transaction's rows fastest in key order: SQLite's FTS5
    // starts a new index segment whenever a rowid is lower than the one before. Inside the
    // SQLite writer's group commit, `sql` runs with `params` just before COMMIT, in ascending
    // `key` order, and is dropped with the job if the job fails; elsewhere it runs at once.
    virtual Status InsertBeforeCommit(int64_t key, std::string sql, std::vector<Value> params);

    // Forgets a row of InsertBeforeCommit that is not written yet; false when there is none.
    virtual bool DropBeforeCommit(int64_t key);
};

// Work done inside one write transaction. Returning an error rolls back everything it did and
// nothing else (other requests grouped into the same commit are unaffected).
using WriteFn = std::function<Status(Connection&)>;
using ReadFn = std::function<Status(Connection&)>;

class Database {
public:
    virtual ~Database() = default;

    // Runs fn in a transaction and returns only after the commit is durable (fsync'd WAL on
    // SQLite, synchronous_commit on PostgreSQL). Thread-safe. SQLite: writes are queued to one
    // writer thread that commits batches (group commit). PostgreSQL: a pooled connection.
    // fn may run more than once (SQLite: its batch is re-run when another job in it fails;
    // PostgreSQL: after a serialization failure), so it must act only through the Connection
    // and on state it resets each time.
    virtual Status Write(const WriteFn& fn) = 0;

    // Runs fn on a pooled read connection with a consistent snapshot. Thread-safe.
    virtual Status Read(const ReadFn& fn) = 0;

    // Applies pending numbered migrations from storage/migrations/<dialect>/.
    virtual Status Migrate() = 0;

    // Online consistent copy to a file (SQLite) or a plain SQL/custom dump (PostgreSQL).
    virtual Status Backup(const std::string& destination) = 0;

    virtual Dialect dialect() const = 0;

    // Returns kUnavailable when the database cannot answer (for /readyz).
    virtual Status Ping() = 0;
};

// Opens "postgresql://..." / "postgres://..." with the PostgreSQL driver, anything else as a
// SQLite file path (":memory:" for tests).
Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url);

// Typed helpers on top of Write/Read that carry a value out of the transaction.
template <class T, class F>
Result<T> WriteReturning(Database& db, F&& fn) {
    std::optional<T> out;
    Status st = db.Write([&](Connection& c) -> Status {
        Result<T> r = fn(c);
        if (!r) {
            return std::move(r).error();
        }
        out.emplace(std::move(r).value());
        return core::Ok();
    });
    if (!st) {
        return std::move(st).error();
    }
    return std::move(*out);
}

template <class T, class F>
Result<T> ReadReturning(Database& db, F&& fn) {
    std::optional<T> out;
    Status st = db.Read([&](Connection& c) -> Status {
        Result<T> r = fn(c);
        if (!r) {
            return std::move(r).error();
        }
        out.emplace(std::move(r).value());
        return core::Ok();
    });
    if (!st) {
        return std::move(st).error();
    }
    return std::move(*out);
}

}  // namespace voronka::storage
