// PostgreSQL driver: libpq connections in a thread-safe pool, one transaction per Read/Write.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/database.hpp"

namespace voronka::storage {

// A Database on a PostgreSQL server, reached through a pool of libpq connections.
//
// Pool: connections open lazily, up to pool_size; a caller waits (up to 30 s, then kUnavailable)
// when all are busy. A connection found broken (PQstatus bad) is discarded and replaced. Each
// session runs with TIME ZONE 'UTC' and synchronous_commit = on, and caches one prepared
// statement per distinct DML text (dropped after DDL run through this object; DDL from another
// process can fail a cached `SELECT *` once per session, with kInternal).
//
// Write(fn): BEGIN; fn; COMMIT on a pooled connection (READ COMMITTED). If fn returns an error
// the transaction is rolled back and that error is returned. If a statement inside fn fails,
// PostgreSQL aborts the whole transaction: Write then fails even if fn ignored the error.
// A Write whose transaction fails with serialization_failure (40001) or deadlock_detected (40P01)
// is rolled back and run once more, so fn MUST be safe to rerun: it may be called twice and must
// not leave effects outside the transaction (or must make them idempotent). A Write called from
// inside a Write fn on the same thread joins the outer transaction through a savepoint, as on
// SQLite.
//
// Read(fn): BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; fn; COMMIT, so fn sees one snapshot
// and cannot write. A Read inside a Write fn takes a second pooled connection and does not see
// the Write's uncommitted changes (as on SQLite).
//
// Both retry once on a fresh connection when a pooled connection turns out to be dead before
// anything ran (server restart, failover). Thread-safe; the Connection given to fn is not.
class PostgresDatabase final : public Database {
public:
    // Opens one connection to check the URL, then keeps it in the pool.
    // REQUIRES: pool_size >= 1.
    static Result<std::unique_ptr<PostgresDatabase>> Open(const std::string& url, int pool_size);

    ~PostgresDatabase() override;

    PostgresDatabase(const PostgresDatabase&) = delete;
    PostgresDatabase& operator=(const PostgresDatabase&) = delete;

    Status Write(const WriteFn& fn) override;

    Status Read(const ReadFn& fn) override;

    // Serializes concurrent migrators (other app nodes) with an advisory lock when pool_size >= 2.
    Status Migrate() override;

    // pg_dump --format=custom of the whole database to destination (restore with pg_restore).
    // Uses the pg_dump of the server's major version when installed, else the newest one found,
    // else pg_dump from PATH; VORONKA_PG_DUMP overrides.
    Status Backup(const std::string& destination) override;

    Dialect dialect() const override { return Dialect::kPostgres; }

    // SELECT 1 on a pooled connection; kUnavailable when it fails.
    Status Ping() override;

private:
    class PgConnection;  // defined in postgres_database.cpp

    PostgresDatabase(std::string url, int pool_size);

    // A connection for one transaction, or kUnavailable (cannot connect, pool wait timed out).
    Result<std::unique_ptr<PgConnection>> Acquire();

    // Returns a connection to the pool, or closes it when broken or not idle.
    void Release(std::unique_ptr<PgConnection> conn);

    // Closes a connection and frees its pool slot.
    void Discard(std::unique_ptr<PgConnection> conn);

    // Closes every idle connection: after one was found dead (server restart, failover) the
    // others most likely are too.
    void FlushIdle();

    Result<std::unique_ptr<PgConnection>> Connect();

    // One transaction of Write (is_write: nested Writes join it, 40001/40P01 rerun fn once) or
    // Read; `begin` is the BEGIN statement to use.
    Status RunTransaction(const WriteFn& fn, const char* begin, bool is_write);

    // A Write called from inside a Write fn: a savepoint on the outer transaction's connection.
    static Status RunNested(Connection& conn, int depth, const WriteFn& fn);

    const std::string url_;
    const int pool_size_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<PgConnection>> idle_;  // guarded by mu_
    int open_ = 0;                                     // guarded by mu_; idle + leased + opening
    // Bumped by DDL; a connection whose statement cache is older drops it before use, since a
    // cached plan whose result type changed fails with "cached plan must not change result type".
    std::atomic<uint64_t> schema_epoch_{0};
};

// Opens a PostgreSQL database from a libpq URL ("postgresql://user@host:port/db?...").
// Errors: kUnavailable when the server cannot be reached or refuses the login.
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, int pool_size = 16);

}  // namespace voronka::storage
