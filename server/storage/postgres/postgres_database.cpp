// PostgreSQL driver over libpq: pooled sessions, text parameters, per-session prepared statements.
#include "storage/postgres/postgres_database.hpp"

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <unordered_map>
#include <utility>

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include "storage/migrations.hpp"
#include "storage/tenant_scope.hpp"
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace voronka::storage {

namespace {

using core::Error;

// Type OIDs from PostgreSQL's catalog/pg_type.dat (stable across versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

constexpr auto kPoolWait = std::chrono::seconds(30);
constexpr size_t kMaxPreparedPerSession = 1024;
constexpr uint64_t kStaleCache = UINT64_MAX;
// pg_advisory_lock key held while migrating ("voronka" in ASCII).
constexpr const char* kMigrationLockKey = "33328648156950881";

struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};

using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

bool IsWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The first keyword of a statement, lower-cased, skipping blanks and comments.
std::string FirstKeyword(std::string_view sql) {
    size_t i = 0;
    while (i < sql.size()) {
        const char c = sql[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(') {
            ++i;
        } else if (sql.substr(i, 2) == "--") {
            const size_t end = sql.find('\n', i);
            i = end == std::string_view::npos ? sql.size() : end + 1;
        } else if (sql.substr(i, 2) == "/*") {
            const size_t end = sql.find("*/", i + 2);
            i = end == std::string_view::npos ? sql.size() : end + 2;
        } else {
            break;
        }
    }
    size_t end = i;
    while (end < sql.size() && IsWordChar(sql[end])) {
        ++end;
    }
    return Lower(sql.substr(i, end - i));
}

// DML is worth preparing once per session; anything else runs as a one-off.
bool IsCacheable(std::string_view keyword) {
    return keyword == "select" || keyword == "insert" || keyword == "update" ||
           keyword == "delete" || keyword == "with" || keyword == "values";
}

// Whether non-DML text may change table shapes or drop prepared statements. Over-matching (a
// word inside a string literal) only costs a re-prepare.
bool MayChangeSchema(std::string_view sql) {
    size_t i = 0;
    while (i < sql.size()) {
        if (!IsWordChar(sql[i])) {
            ++i;
            continue;
        }
        size_t end = i;
        while (end < sql.size() && IsWordChar(sql[end])) {
            ++end;
        }
        const std::string word = Lower(sql.substr(i, end - i));
        if (word == "create" || word == "alter" || word == "drop" || word == "discard" ||
            word == "deallocate") {
            return true;
        }
        i = end;
    }
    return false;
}

bool IsRetryableState(std::string_view sqlstate) {
    return sqlstate == "40001" || sqlstate == "40P01";
}

std::string TrimEnd(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

std::string Excerpt(std::string_view sql) {
    constexpr size_t kMax = 300;
    return sql.size() <= kMax ? std::string(sql) : std::string(sql.substr(0, kMax)) + "...";
}

// Maps a failed libpq call to our error codes by SQLSTATE; driver text stays in `internal`.
Error PgError(PGconn* conn, const PGresult* res, std::string_view sql) {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const std::string sqlstate = state ? state : "";
    std::string text = TrimEnd(res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
    if (text.empty()) {
        text = TrimEnd(PQerrorMessage(conn));
    }
    std::string internal = "postgres";
    if (!sqlstate.empty()) {
        internal += " [" + sqlstate + "]";
    }
    internal += ": " + text;
    if (!sql.empty()) {
        internal += " (in: " + Excerpt(sql) + ")";
    }
    if (sqlstate.empty()) {
        if (PQstatus(conn) != CONNECTION_OK) {
            return Error::Unavailable("The database is unavailable, try again", internal);
        }
        return Error::Internal(internal);
    }
    if (sqlstate == "23505") {
        Error e = Error::Conflict("A record with the same unique value already exists");
        e.internal = internal;
        return e;
    }
    if (sqlstate.starts_with("23")) {
        Error e = Error::Invalid("A data constraint was violated");
        e.internal = internal;
        return e;
    }
    // 08P01 (protocol violation) is what a wrong parameter count gives: a bug, not an outage.
    if ((sqlstate.starts_with("08") && sqlstate != "08P01") || sqlstate.starts_with("53") ||
        sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" ||
        IsRetryableState(sqlstate)) {
        return Error::Unavailable("The database is busy, try again", internal);
    }
    return Error::Internal(internal);
}

void NoticeToLog(void*, const char* message) { spdlog::debug("postgres: {}", TrimEnd(message)); }

Value ConvertField(const PGresult* res, int row, int col, Oid type) {
    if (PQgetisnull(res, row, col)) {
        return nullptr;
    }
    const char* text = PQgetvalue(res, row, col);
    const size_t size = static_cast<size_t>(PQgetlength(res, row, col));
    switch (type) {
        case kInt2Oid:
        case kInt4Oid:
        case kInt8Oid: {
            int64_t v = 0;
            auto [ptr, ec] = std::from_chars(text, text + size, v);
            if (ec == std::errc() && ptr == text + size) {
                return v;
            }
            break;
        }
        case kFloat4Oid:
        case kFloat8Oid:
        case kNumericOid: {
            double v = 0;
            auto [ptr, ec] = std::from_chars(text, text + size, v);
            if (ec == std::errc() && ptr == text + size) {
                return v;
            }
            break;
        }
        case kBoolOid:
            return int64_t{text[0] == 't' ? 1 : 0};
        default:
            break;
    }
    return std::string(text, size);
}

// Text-format parameters; `storage` owns the converted numbers that `values` points into.
Status EncodeParams(
    const std::vector<Value>& params,
    std::vector<std::string>& storage,
    std::vector<const char*>& values
) {
    storage.resize(params.size());
    values.resize(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
        const Value& v = params[i];
        if (const auto* n = std::get_if<int64_t>(&v)) {
            storage[i] = std::to_string(*n);
            values[i] = storage[i].c_str();
        } else if (const auto* d = std::get_if<double>(&v)) {
            // %.17g without the locale: enough digits to read back the same double.
            char buf[64];
            auto [ptr, ec] =
                std::to_chars(buf, buf + sizeof buf, *d, std::chars_format::general, 17);
            storage[i].assign(buf, ptr);
            values[i] = storage[i].c_str();
        } else if (const auto* s = std::get_if<std::string>(&v)) {
            if (s->find('\0') != std::string::npos) {
                Error e = Error::Invalid("Text must not contain NUL characters");
                e.internal = "parameter $" + std::to_string(i + 1) + " contains NUL";
                return e;
            }
            values[i] = s->c_str();
        } else {
            values[i] = nullptr;
        }
    }
    return core::Ok();
}

// The Write currently running on this thread, so that a nested Write joins it.
struct WriteScope {
    const void* db = nullptr;
    Connection* conn = nullptr;
    int depth = 0;
};

thread_local WriteScope tl_write_scope;

struct PreparedStatement {
    std::string name;
};

// Hands the thread's tenant scope to the transaction; the row-level security policies of
// migration 0010 compare tenant_id with voronka.tenant_id unless voronka.system is on. Local to
// the transaction (set_config's third argument), so a pooled session never carries it over.
std::string ScopeStatement(const ScopeState& scope) {
    const std::string tenant =
        scope.kind == ScopeState::Kind::kTenant ? std::to_string(scope.tenant_id) : "";
    const char* system = scope.kind == ScopeState::Kind::kSystem ? "on" : "off";
    return "SELECT set_config('voronka.tenant_id', '" + tenant +
           "', true), set_config('voronka.system', '" + system + "', true)";
}

}  // namespace

class PostgresDatabase::PgConnection final : public Connection {
public:
    PgConnection(PGconn* conn, std::atomic<uint64_t>* schema_epoch)
        : conn_(conn), schema_epoch_(schema_epoch), cache_epoch_(schema_epoch->load()) {}

    ~PgConnection() override { PQfinish(conn_); }

    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    Result<Rows> Query(std::string_view sql, const std::vector<Value>& params) override {
        VK_ASSIGN_OR_RETURN(PgResult res, Run(sql, params));
        Rows out;
        const int columns = PQnfields(res.get());
        const int rows = PQntuples(res.get());
        out.columns.reserve(static_cast<size_t>(columns));
        std::vector<Oid> types(static_cast<size_t>(columns));
        for (int c = 0; c < columns; ++c) {
            out.columns.emplace_back(PQfname(res.get(), c));
            types[static_cast<size_t>(c)] = PQftype(res.get(), c);
        }
        out.rows.resize(static_cast<size_t>(rows));
        for (int r = 0; r < rows; ++r) {
            std::vector<Value>& row = out.rows[static_cast<size_t>(r)];
            row.reserve(static_cast<size_t>(columns));
            for (int c = 0; c < columns; ++c) {
                row.push_back(ConvertField(res.get(), r, c, types[static_cast<size_t>(c)]));
            }
        }
        return out;
    }

    Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params) override {
        VK_ASSIGN_OR_RETURN(PgResult res, Run(sql, params));
        const char* changed = PQcmdTuples(res.get());
        int64_t n = 0;
        if (changed && *changed) {
            std::from_chars(changed, changed + std::strlen(changed), n);
        }
        return n;
    }

    Status ExecuteScript(std::string_view sql) override {
        VK_RETURN_IF_ERROR(SyncCache());
        VK_RETURN_IF_ERROR(ApplyScope());
        const std::string text(sql);
        PgResult res(PQexec(conn_, text.c_str()));
        const bool schema = MayChangeSchema(sql);
        if (!Succeeded(res.get())) {
            if (schema) {
                BumpEpoch();
            }
            return Fail(res.get(), sql);
        }
        if (schema) {
            BumpEpoch();
        }
        return core::Ok();
    }

    Dialect dialect() const override { return Dialect::kPostgres; }

    // Runs a control statement (BEGIN, COMMIT, SAVEPOINT...) and returns its result or error.
    Result<PgResult> Control(const char* sql) {
        PgResult res(PQexec(conn_, sql));
        if (!Succeeded(res.get())) {
            return Fail(res.get(), sql);
        }
        return res;
    }

    // Starts a transaction with `begin` and the thread's tenant scope in one round trip.
    Result<PgResult> Begin(const char* begin) {
        const ScopeState scope = CurrentScope();
        applied_.reset();
        const std::string sql = std::string(begin) + "; " + ScopeStatement(scope);
        VK_ASSIGN_OR_RETURN(PgResult res, Control(sql.c_str()));
        applied_ = scope;
        return res;
    }

    // After ROLLBACK TO SAVEPOINT the transaction's settings may have reverted.
    void ForgetScope() { applied_.reset(); }

    bool Healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

    PGTransactionStatusType TransactionStatus() const { return PQtransactionStatus(conn_); }

    int ServerVersion() const { return PQserverVersion(conn_); }

    // The error of the last statement that failed since ClearLastError, if any.
    const std::optional<Error>& last_error() const { return last_error_; }

    const std::string& last_sqlstate() const { return last_sqlstate_; }

    void ClearLastError() {
        last_error_.reset();
        last_sqlstate_.clear();
    }

private:
    static bool Succeeded(const PGresult* res) {
        if (!res) {
            return false;
        }
        const ExecStatusType st = PQresultStatus(res);
        return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
    }

    Error Fail(const PGresult* res, std::string_view sql) {
        const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
        last_sqlstate_ = state ? state : "";
        // 0A000: "cached plan must not change result type"; 26000: statement gone (DISCARD).
        if (last_sqlstate_ == "0A000" || last_sqlstate_ == "26000") {
            cache_epoch_ = kStaleCache;
        }
        Error e = PgError(conn_, res, sql);
        last_error_ = e;
        return e;
    }

    void BumpEpoch() {
        schema_epoch_->fetch_add(1);
        cache_epoch_ = kStaleCache;
    }

    // Drops this session's prepared statements after DDL (here or in another session) or when
    // the cache is full. Not possible in an aborted transaction; that is retried later.
    Status SyncCache() {
        const uint64_t epoch = schema_epoch_->load();
        if (cache_epoch_ == epoch && prepared_.size() < kMaxPreparedPerSession) {
            return core::Ok();
        }
        if (!prepared_.empty()) {
            if (TransactionStatus() == PQTRANS_INERROR) {
                return core::Ok();
            }
            VK_RETURN_IF_ERROR(Control("DEALLOCATE ALL"));
            prepared_.clear();
        }
        cache_epoch_ = epoch;
        return core::Ok();
    }

    // A scope opened or closed inside the transaction takes effect from its next statement.
    Status ApplyScope() {
        const ScopeState scope = CurrentScope();
        if ((applied_ && *applied_ == scope) || TransactionStatus() != PQTRANS_INTRANS) {
            return core::Ok();
        }
        VK_RETURN_IF_ERROR(Control(ScopeStatement(scope).c_str()));
        applied_ = scope;
        return core::Ok();
    }

    Result<PgResult> Run(std::string_view sql, const std::vector<Value>& params) {
        std::vector<std::string> storage;
        std::vector<const char*> values;
        VK_RETURN_IF_ERROR(EncodeParams(params, storage, values));
        VK_RETURN_IF_ERROR(SyncCache());
        VK_RETURN_IF_ERROR(ApplyScope());
        const int n = static_cast<int>(values.size());
        std::string text(sql);
        if (!IsCacheable(FirstKeyword(sql))) {
            PgResult res(
                PQexecParams(conn_, text.c_str(), n, nullptr, values.data(), nullptr, nullptr, 0)
            );
            const bool schema = MayChangeSchema(sql);
            if (schema) {
                BumpEpoch();
            }
            if (!Succeeded(res.get())) {
                return Fail(res.get(), sql);
            }
            return res;
        }
        auto it = prepared_.find(text);
        if (it == prepared_.end()) {
            std::string name = "vk" + std::to_string(next_statement_++);
            PgResult prep(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
            if (!Succeeded(prep.get())) {
                return Fail(prep.get(), sql);
            }
            it = prepared_.emplace(std::move(text), PreparedStatement{std::move(name)}).first;
        }
        PgResult res(
            PQexecPrepared(conn_, it->second.name.c_str(), n, values.data(), nullptr, nullptr, 0)
        );
        if (!Succeeded(res.get())) {
            return Fail(res.get(), sql);
        }
        return res;
    }

    PGconn* conn_;
    std::atomic<uint64_t>* schema_epoch_;
    uint64_t cache_epoch_;
    uint64_t next_statement_ = 0;
    std::unordered_map<std::string, PreparedStatement> prepared_;
    std::optional<Error> last_error_;
    std::string last_sqlstate_;
    std::optional<ScopeState> applied_;  // what the open transaction was told; unset: unknown
};

PostgresDatabase::PostgresDatabase(std::string url, int pool_size)
    : url_(std::move(url)), pool_size_(pool_size < 1 ? 1 : pool_size) {}

PostgresDatabase::~PostgresDatabase() {
    std::lock_guard lock(mu_);
    idle_.clear();
}

Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::Open(
    const std::string& url, int pool_size
) {
    std::unique_ptr<PostgresDatabase> db(new PostgresDatabase(url, pool_size));
    VK_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, db->Acquire());
    // Superusers and BYPASSRLS roles skip the row-level security that backs tenant isolation.
    auto bypass = conn->Control(
        "SELECT current_user FROM pg_roles WHERE rolname = current_user AND "
        "(rolsuper OR rolbypassrls)"
    );
    if (bypass && PQntuples(bypass->get()) > 0) {
        spdlog::warn(
            "PostgreSQL role {} bypasses row-level security; tenant isolation then rests on the "
            "application alone (connect as a role without SUPERUSER and BYPASSRLS)",
            PQgetvalue(bypass->get(), 0, 0)
        );
    }
    db->Release(std::move(conn));
    return db;
}

Result<std::unique_ptr<PostgresDatabase::PgConnection>> PostgresDatabase::Connect() {
    // Entries before dbname are defaults that the URL may override.
    const char* keys[] = {
        "connect_timeout", "client_encoding", "application_name", "dbname", nullptr};
    const char* values[] = {"10", "UTF8", "voronka", url_.c_str(), nullptr};
    PGconn* raw = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (!raw) {
        return Error::Unavailable(
            "The database is unavailable, try again", "postgres: out of memory"
        );
    }
    auto conn = std::make_unique<PgConnection>(raw, &schema_epoch_);
    if (PQstatus(raw) != CONNECTION_OK) {
        return Error::Unavailable(
            "The database is unavailable, try again",
            "postgres connect: " + TrimEnd(PQerrorMessage(raw))
        );
    }
    PQsetNoticeProcessor(raw, NoticeToLog, nullptr);
    auto set = conn->Control("SET TIME ZONE 'UTC'; SET synchronous_commit = on");
    if (!set) {
        return std::move(set).error();
    }
    return conn;
}

Result<std::unique_ptr<PostgresDatabase::PgConnection>> PostgresDatabase::Acquire() {
    std::vector<std::unique_ptr<PgConnection>> broken;  // closed after the lock is released
    std::unique_lock lock(mu_);
    const auto deadline = std::chrono::steady_clock::now() + kPoolWait;
    for (;;) {
        while (!idle_.empty()) {
            std::unique_ptr<PgConnection> conn = std::move(idle_.back());
            idle_.pop_back();
            if (conn->Healthy()) {
                return conn;
            }
            --open_;
            broken.push_back(std::move(conn));
        }
        if (open_ < pool_size_) {
            ++open_;
            lock.unlock();
            broken.clear();
            auto conn = Connect();
            if (!conn) {
                lock.lock();
                --open_;
                cv_.notify_one();
            }
            return conn;
        }
        if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
            open_ >= pool_size_) {
            return Error::Unavailable(
                "The database is busy, try again",
                "postgres: no pooled connection free after " + std::to_string(kPoolWait.count()) +
                    " s"
            );
        }
    }
}

void PostgresDatabase::Release(std::unique_ptr<PgConnection> conn) {
    if (!conn->Healthy() || conn->TransactionStatus() != PQTRANS_IDLE) {
        Discard(std::move(conn));
        return;
    }
    conn->ClearLastError();
    {
        std::lock_guard lock(mu_);
        idle_.push_back(std::move(conn));
    }
    cv_.notify_one();
}

void PostgresDatabase::Discard(std::unique_ptr<PgConnection> conn) {
    conn.reset();
    {
        std::lock_guard lock(mu_);
        --open_;
    }
    cv_.notify_one();
}

void PostgresDatabase::FlushIdle() {
    std::vector<std::unique_ptr<PgConnection>> closing;
    {
        std::lock_guard lock(mu_);
        closing.swap(idle_);
        open_ -= static_cast<int>(closing.size());
    }
    closing.clear();
    cv_.notify_all();
}

Status PostgresDatabase::RunNested(Connection& conn, int depth, const WriteFn& fn) {
    auto& pg = static_cast<PgConnection&>(conn);
    const std::string savepoint = "vk_nested_" + std::to_string(depth);
    VK_RETURN_IF_ERROR(pg.Control(("SAVEPOINT " + savepoint).c_str()));
    const WriteScope outer = tl_write_scope;
    tl_write_scope.depth = depth;
    Status status;
    try {
        status = fn(conn);
    } catch (const std::exception& e) {
        status = Error::Internal(std::string("postgres: nested write threw: ") + e.what());
    }
    tl_write_scope = outer;
    if (status && pg.TransactionStatus() == PQTRANS_INERROR) {
        status = pg.last_error() ? *pg.last_error() : Error::Internal("postgres: statement failed");
    }
    if (!status) {
        VK_RETURN_IF_ERROR(pg.Control(("ROLLBACK TO SAVEPOINT " + savepoint).c_str()));
        pg.ForgetScope();
    }
    VK_RETURN_IF_ERROR(pg.Control(("RELEASE SAVEPOINT " + savepoint).c_str()));
    return status;
}

Status PostgresDatabase::RunTransaction(const WriteFn& fn, const char* begin, bool is_write) {
    bool retried_dead = false;
    bool retried_serialization = false;
    for (;;) {
        VK_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, Acquire());
        conn->ClearLastError();
        auto begun = conn->Begin(begin);
        if (!begun) {
            // Nothing ran yet, so a dead pooled connection is safe to replace and retry.
            if (!conn->Healthy() && !retried_dead) {
                retried_dead = true;
                Discard(std::move(conn));
                FlushIdle();
                continue;
            }
            Release(std::move(conn));
            return std::move(begun).error();
        }
        const WriteScope outer = tl_write_scope;
        if (is_write) {
            tl_write_scope = WriteScope{this, conn.get(), 0};
        }
        Status status;
        try {
            status = fn(*conn);
        } catch (const std::exception& e) {
            status = Error::Internal(std::string("postgres: transaction threw: ") + e.what());
        }
        tl_write_scope = outer;
        // PostgreSQL aborts the transaction on any failed statement; COMMIT would roll back.
        if (status && conn->TransactionStatus() == PQTRANS_INERROR) {
            status = conn->last_error() ? *conn->last_error()
                                        : Error::Internal("postgres: statement failed");
        }
        if (!status) {
            const bool retry =
                is_write && !retried_serialization && IsRetryableState(conn->last_sqlstate());
            (void)conn->Control("ROLLBACK");
            Release(std::move(conn));
            if (retry) {
                retried_serialization = true;
                continue;
            }
            return status;
        }
        auto committed = conn->Control("COMMIT");
        if (!committed) {
            // A lost connection leaves the outcome unknown: report it, never rerun fn.
            const bool retry = is_write && !retried_serialization && conn->Healthy() &&
                               IsRetryableState(conn->last_sqlstate());
            Release(std::move(conn));
            if (retry) {
                retried_serialization = true;
                continue;
            }
            return std::move(committed).error();
        }
        if (std::strcmp(PQcmdStatus(committed->get()), "ROLLBACK") == 0) {
            Release(std::move(conn));
            return Error::Internal("postgres: COMMIT rolled back an aborted transaction");
        }
        Release(std::move(conn));
        return core::Ok();
    }
}

Status PostgresDatabase::Write(const WriteFn& fn) {
    if (tl_write_scope.db == this) {
        return RunNested(*tl_write_scope.conn, tl_write_scope.depth + 1, fn);
    }
    return RunTransaction(fn, "BEGIN", /*is_write=*/true);
}

Status PostgresDatabase::Read(const ReadFn& fn) {
    return RunTransaction(
        fn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", /*is_write=*/false
    );
}

Status PostgresDatabase::Migrate() {
    if (pool_size_ < 2) {
        return ApplyMigrations(*this);
    }
    // Another node may be migrating the same database; the lock lives on its own session while
    // the migrations run on other pooled connections.
    VK_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> lock_conn, Acquire());
    auto locked = lock_conn->Control(
        (std::string("SELECT pg_advisory_lock(") + kMigrationLockKey + ")").c_str()
    );
    if (!locked) {
        Release(std::move(lock_conn));
        return std::move(locked).error();
    }
    Status status = ApplyMigrations(*this);
    auto unlocked = lock_conn->Control(
        (std::string("SELECT pg_advisory_unlock(") + kMigrationLockKey + ")").c_str()
    );
    if (unlocked) {
        Release(std::move(lock_conn));
    } else {
        Discard(std::move(lock_conn));  // closing the session releases the lock
    }
    return status;
}

Status PostgresDatabase::Ping() {
    VK_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, Acquire());
    auto res = conn->Control("SELECT 1");
    if (!res && !conn->Healthy()) {
        Discard(std::move(conn));
        FlushIdle();
        return Error::Unavailable("The database is unavailable, try again", res.error().internal);
    }
    Release(std::move(conn));
    if (!res) {
        return std::move(res).error();
    }
    return core::Ok();
}

namespace {

bool IsExecutable(const std::filesystem::path& p) { return ::access(p.c_str(), X_OK) == 0; }

// pg_dump must be at least the server's major version; Debian installs each major side by side.
std::string FindPgDump(int server_major) {
    if (const char* env = std::getenv("VORONKA_PG_DUMP"); env && *env) {
        return env;
    }
    const std::filesystem::path root = "/usr/lib/postgresql";
    const auto exact = root / std::to_string(server_major) / "bin" / "pg_dump";
    if (IsExecutable(exact)) {
        return exact.string();
    }
    int best = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
        const std::string name = entry.path().filename().string();
        int major = 0;
        auto [ptr, err] = std::from_chars(name.data(), name.data() + name.size(), major);
        if (err == std::errc() && ptr == name.data() + name.size() && major > best &&
            major >= server_major && IsExecutable(entry.path() / "bin" / "pg_dump")) {
            best = major;
        }
    }
    if (best > 0) {
        return (root / std::to_string(best) / "bin" / "pg_dump").string();
    }
    return "pg_dump";  // resolved through PATH by posix_spawnp
}

// Runs argv without a shell; returns the exit code and what the program wrote to stderr.
Result<std::pair<int, std::string>> RunProgram(const std::vector<std::string>& args) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        return Error::Internal(std::string("pipe: ") + std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
    std::vector<char*> argv;
    for (const std::string& a : args) {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    if (rc != 0) {
        ::close(pipe_fds[0]);
        return Error::Internal("cannot run " + args[0] + ": " + std::strerror(rc));
    }
    std::string err;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
        if (n > 0) {
            if (err.size() < 65536) {
                err.append(buf, static_cast<size_t>(n));
            }
        } else if (n == 0 || errno != EINTR) {
            break;
        }
    }
    ::close(pipe_fds[0]);
    int wstatus = 0;
    while (::waitpid(pid, &wstatus, 0) < 0) {
        if (errno != EINTR) {
            return Error::Internal(std::string("waitpid: ") + std::strerror(errno));
        }
    }
    const int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    return std::make_pair(code, TrimEnd(err));
}

}  // namespace

Status PostgresDatabase::Backup(const std::string& destination) {
    int server_major = 15;
    {
        VK_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, Acquire());
        server_major = conn->ServerVersion() / 10000;
        Release(std::move(conn));
    }
    const std::string pg_dump = FindPgDump(server_major);
    VK_ASSIGN_OR_RETURN(
        auto outcome,
        RunProgram({pg_dump, "--format=custom", "--file=" + destination, "--dbname=" + url_})
    );
    if (outcome.first != 0) {
        return Error::Internal(
            pg_dump + " exited with " + std::to_string(outcome.first) + ": " + outcome.second
        );
    }
    return core::Ok();
}

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, int pool_size) {
    VK_ASSIGN_OR_RETURN(
        std::unique_ptr<PostgresDatabase> db, PostgresDatabase::Open(url, pool_size)
    );
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace voronka::storage
