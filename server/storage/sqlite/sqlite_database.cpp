// SQLite driver. Writes from all threads queue to one writer thread that runs each job in a
// savepoint and commits the whole batch once, so thousands of durable writes share few fsyncs.
#include "storage/sqlite/sqlite_database.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "core/text.hpp"
#include "storage/dialect.hpp"
#include "storage/migrations.hpp"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace voronka::storage {

namespace {

using core::Error;

// Process-wide bound on SQLite's heap (page caches, sorter memory), see OpenSqlite.
constexpr int64_t kSoftHeapLimitBytes = int64_t{192} << 20;

Error SqliteError(sqlite3* db, int rc, std::string_view context) {
    const int primary = rc & 0xff;
    std::string internal = std::string(context) + ": " + sqlite3_errstr(rc);
    if (db) {
        internal += std::string(" (") + sqlite3_errmsg(db) + ")";
    }
    if (primary == SQLITE_CONSTRAINT) {
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
            Error e = Error::Conflict("A record with the same unique value already exists");
            e.internal = internal;
            return e;
        }
        Error e = Error::Invalid("A data constraint was violated");
        e.internal = internal;
        return e;
    }
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_FULL ||
        primary == SQLITE_IOERR) {
        return Error::Unavailable("The database is busy, try again", internal);
    }
    return Error::Internal(internal);
}

// Case folding for filters: LIKE/lower() in SQLite fold only ASCII.
void FoldFunction(sqlite3_context* ctx, int, sqlite3_value** argv) {
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    const int size = sqlite3_value_bytes(argv[0]);
    std::string folded = core::FoldCase(std::string_view(text, static_cast<size_t>(size)));
    sqlite3_result_text(ctx, folded.data(), static_cast<int>(folded.size()), SQLITE_TRANSIENT);
}

class SqliteConnection final : public Connection {
public:
    explicit SqliteConnection(sqlite3* db) : db_(db) {}

    ~SqliteConnection() override {
        for (auto& [sql, stmt] : cache_) {
            sqlite3_finalize(stmt);
        }
        sqlite3_close_v2(db_);
    }

    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;

    Result<Rows> Query(std::string_view sql, const std::vector<Value>& params) override {
        VK_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
        Rows out;
        const int columns = sqlite3_column_count(stmt);
        out.columns.reserve(static_cast<size_t>(columns));
        for (int i = 0; i < columns; ++i) {
            out.columns.emplace_back(sqlite3_column_name(stmt, i));
        }
        for (;;) {
            const int rc = sqlite3_step(stmt);
            if (rc == SQLITE_DONE) {
                break;
            }
            if (rc != SQLITE_ROW) {
                Error e = SqliteError(db_, rc, "step");
                sqlite3_reset(stmt);
                return e;
            }
            std::vector<Value>& row = out.rows.emplace_back();
            row.reserve(static_cast<size_t>(columns));
            for (int i = 0; i < columns; ++i) {
                switch (sqlite3_column_type(stmt, i)) {
                    case SQLITE_INTEGER:
                        row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, i)));
                        break;
                    case SQLITE_FLOAT:
                        row.emplace_back(sqlite3_column_double(stmt, i));
                        break;
                    case SQLITE_NULL:
                        row.emplace_back(nullptr);
                        break;
                    default: {
                        const auto* text =
                            reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
                        row.emplace_back(
                            std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, i)))
                        );
                    }
                }
            }
        }
        sqlite3_reset(stmt);
        return out;
    }

    Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params) override {
        VK_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        }
        sqlite3_reset(stmt);
        if (rc != SQLITE_DONE) {
            return SqliteError(db_, rc, "execute");
        }
        return static_cast<int64_t>(sqlite3_changes64(db_));
    }

    Status ExecuteScript(std::string_view sql) override {
        char* message = nullptr;
        const std::string text(sql);
        const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
        if (rc != SQLITE_OK) {
            Error e = SqliteError(db_, rc, "script");
            if (message) {
                e.internal += std::string(": ") + message;
                sqlite3_free(message);
            }
            return e;
        }
        return core::Ok();
    }

    Dialect dialect() const override { return Dialect::kSqlite; }

    Status InsertBeforeCommit(int64_t key, std::string sql, std::vector<Value> params) override {
        if (!deferring_) {
            return Connection::InsertBeforeCommit(key, std::move(sql), std::move(params));
        }
        deferred_[key] = {std::move(sql), std::move(params)};
        return core::Ok();
    }

    bool DropBeforeCommit(int64_t key) override { return deferred_.erase(key) > 0; }

    // The writer's side of InsertBeforeCommit: collect from the batch's BEGIN, write the rows
    // before its COMMIT, or drop them with a rolled-back job or batch.
    struct DeferredRow {
        std::string sql;
        std::vector<Value> params;
    };

    using DeferredRows = std::map<int64_t, DeferredRow>;

    void StartDeferring() {
        deferred_.clear();
        deferring_ = true;
    }

    Status WriteDeferred() {
        deferring_ = false;
        for (auto& [key, row] : deferred_) {
            auto done = Execute(row.sql, row.params);
            if (!done) {
                deferred_.clear();
                return std::move(done).error();
            }
        }
        deferred_.clear();
        return core::Ok();
    }

    void DropDeferred() {
        deferred_.clear();
        deferring_ = false;
    }

    const DeferredRows& deferred() const { return deferred_; }

    void RestoreDeferred(DeferredRows rows) { deferred_ = std::move(rows); }

    sqlite3* raw() { return db_; }

    // Runs a parameterless statement (BEGIN, COMMIT, SAVEPOINT ...) through the statement cache:
    // sqlite3_exec would parse it again on every request.
    Status Run(std::string_view sql) {
        auto done = Execute(sql, {});
        return done ? core::Ok() : Status(std::move(done).error());
    }

private:
    // Heterogeneous lookup: finding a cached statement must not copy the SQL text.
    struct SqlHash {
        using is_transparent = void;

        size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
    };

    Result<sqlite3_stmt*> Prepare(std::string_view sql, const std::vector<Value>& params) {
        sqlite3_stmt* stmt = nullptr;
        auto it = cache_.find(sql);
        if (it != cache_.end()) {
            stmt = it->second;
        } else {
            const std::string rewritten = RewritePlaceholders(sql);
            const int rc = sqlite3_prepare_v3(
                db_,
                rewritten.c_str(),
                static_cast<int>(rewritten.size()),
                SQLITE_PREPARE_PERSISTENT,
                &stmt,
                nullptr
            );
            if (rc != SQLITE_OK) {
                return SqliteError(db_, rc, "prepare");
            }
            // Dynamic SQL (filters) varies; cap the cache so it cannot grow without bound.
            if (cache_.size() > 512) {
                for (auto& [old_sql, old_stmt] : cache_) {
                    sqlite3_finalize(old_stmt);
                }
                cache_.clear();
            }
            cache_.emplace(std::string(sql), stmt);
        }
        sqlite3_clear_bindings(stmt);
        const int expected = sqlite3_bind_parameter_count(stmt);
        if (expected > static_cast<int>(params.size())) {
            return Error::Internal("statement expects more parameters than given");
        }
        for (int i = 0; i < static_cast<int>(params.size()) && i < expected; ++i) {
            const Value& v = params[static_cast<size_t>(i)];
            int rc = SQLITE_OK;
            if (const auto* n = std::get_if<int64_t>(&v)) {
                rc = sqlite3_bind_int64(stmt, i + 1, *n);
            } else if (const auto* d = std::get_if<double>(&v)) {
                rc = sqlite3_bind_double(stmt, i + 1, *d);
            } else if (const auto* s = std::get_if<std::string>(&v)) {
                // No copy: `params` outlives every step of the statement (Query and Execute
                // step and reset before returning), and the next use binds afresh.
                rc = sqlite3_bind_text64(
                    stmt, i + 1, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8
                );
            } else {
                rc = sqlite3_bind_null(stmt, i + 1);
            }
            if (rc != SQLITE_OK) {
                return SqliteError(db_, rc, "bind");
            }
        }
        return stmt;
    }

    sqlite3* db_;
    std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> cache_;
    bool deferring_ = false;
    DeferredRows deferred_;
};

struct WriteJob {
    const WriteFn* fn;
    std::promise<Status> done;
};

// A committed batch waiting for the fsync that makes it durable, with each job's result.
struct CommittedBatch {
    std::vector<WriteJob*> jobs;
    std::vector<Status> results;
};

// Flushes the WAL file to disk from a thread of its own. fdatasync through any descriptor of a
// file flushes all of its written pages, so this need not share SQLite's descriptor; the file is
// reopened if it was replaced (a new inode at the same path).
class WalFile {
public:
    explicit WalFile(std::string path) : path_(std::move(path)) {}

    ~WalFile() {
        if (fd_ >= 0) {
            close(fd_);
        }
    }

    WalFile(const WalFile&) = delete;
    WalFile& operator=(const WalFile&) = delete;

    Status Sync() {
        struct stat on_disk {};

        if (stat(path_.c_str(), &on_disk) != 0) {
            return Error::Unavailable("The database journal is missing", path_);
        }
        if (fd_ >= 0 && inode_ != on_disk.st_ino) {
            close(fd_);
            fd_ = -1;
        }
        if (fd_ < 0) {
            fd_ = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd_ < 0) {
                return Error::Unavailable("Cannot open the database journal", path_);
            }
            inode_ = on_disk.st_ino;
            // A new file's directory entry must be durable too.
            const auto dir = std::filesystem::path(path_).parent_path();
            const int dir_fd = open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_CLOEXEC);
            if (dir_fd >= 0) {
                (void)fsync(dir_fd);
                close(dir_fd);
            }
        }
        if (fdatasync(fd_) != 0) {
            return Error::Unavailable("The database journal could not be flushed", path_);
        }
        return core::Ok();
    }

private:
    std::string path_;
    int fd_ = -1;
    ino_t inode_ = 0;
};

class SqliteDatabase final : public Database {
public:
    SqliteDatabase(std::string path, SqliteOptions options, bool remove_on_close)
        : path_(std::move(path)), options_(options), remove_on_close_(remove_on_close) {}

    ~SqliteDatabase() override {
        {
            std::lock_guard lock(queue_mutex_);
            stopping_ = true;
        }
        queue_cv_.notify_all();
        if (writer_thread_.joinable()) {
            writer_thread_.join();
        }
        {
            std::lock_guard lock(sync_mutex_);
            sync_stopping_ = true;
        }
        sync_cv_.notify_all();
        if (sync_thread_.joinable()) {
            sync_thread_.join();
        }
        if (writer_) {
            RefreshPlannerStatistics();  // bulk loads (demo, import) end with a single job or two
        }
        writer_.reset();
        readers_.clear();
        if (remove_on_close_) {
            std::error_code ec;
            for (const char* suffix : {"", "-wal", "-shm"}) {
                std::filesystem::remove(path_ + suffix, ec);
            }
        }
    }

    Status Open() {
        VK_ASSIGN_OR_RETURN(writer_, OpenConnection(/*writer=*/true));
        RefreshPlannerStatistics();
        if (options_.durable) {
            // Frames in the WAL after each commit; registering the hook also turns off SQLite's
            // own checkpoint at commit, which the sync thread does instead (see SyncLoop).
            sqlite3_wal_hook(
                writer_->raw(),
                [](void* self, sqlite3*, const char*, int frames) {
                    static_cast<SqliteDatabase*>(self)->wal_frames_.store(frames);
                    return SQLITE_OK;
                },
                this
            );
            sync_thread_ = std::thread([this] { SyncLoop(); });
        }
        writer_thread_ = std::thread([this] { WriterLoop(); });
        return core::Ok();
    }

    Status Write(const WriteFn& fn) override {
        // A write started from inside a write job runs in the current transaction; queueing it
        // would wait on the writer thread itself.
        if (std::this_thread::get_id() == writer_thread_id_) {
            return RunInSavepoint(fn, "nested");
        }
        WriteJob job{&fn, {}};
        std::future<Status> result = job.done.get_future();
        {
            std::lock_guard lock(queue_mutex_);
            if (stopping_) {
                return Error::Unavailable("The database is shutting down");
            }
            queue_.push_back(&job);
        }
        queue_cv_.notify_one();
        return result.get();
    }

    Status Read(const ReadFn& fn) override {
        std::unique_ptr<SqliteConnection> conn = TakeReader();
        if (!conn) {
            auto opened = OpenConnection(/*writer=*/false);
            if (!opened) {
                return std::move(opened).error();
            }
            conn = std::move(opened).value();
        }
        Status status = conn->Run("BEGIN");
        if (status) {
            try {
                status = fn(*conn);
            } catch (const std::exception& e) {
                status = Error::Internal(std::string("read threw: ") + e.what());
            }
            (void)conn->Run("COMMIT");
        }
        ReturnReader(std::move(conn));
        return status;
    }

    Status Migrate() override { return ApplyMigrations(*this); }

    Status Backup(const std::string& destination) override {
        // VACUUM INTO reads one snapshot, so the copy is consistent while writes continue.
        std::error_code ec;
        std::filesystem::remove(destination, ec);
        // VACUUM cannot run inside the transaction Read() opens: use a connection of its own.
        VK_ASSIGN_OR_RETURN(auto conn, OpenConnection(/*writer=*/false));
        auto copied = conn->Execute("VACUUM INTO $1", {destination});
        return copied ? core::Ok() : Status(std::move(copied).error());
    }

    Dialect dialect() const override { return Dialect::kSqlite; }

    Status Ping() override {
        return Read([](Connection& c) -> Status {
            auto r = c.Query("SELECT 1");
            return r ? core::Ok() : Status(std::move(r).error());
        });
    }

private:
    Result<std::unique_ptr<SqliteConnection>> OpenConnection(bool writer) {
        sqlite3* db = nullptr;
        const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
        int rc = sqlite3_open_v2(path_.c_str(), &db, flags, nullptr);
        if (rc != SQLITE_OK) {
            Error e = SqliteError(db, rc, "open " + path_);
            sqlite3_close_v2(db);
            return Error::Unavailable("Cannot open the database", e.internal);
        }
        sqlite3_extended_result_codes(db, 1);
        sqlite3_busy_timeout(db, 10000);
        sqlite3_create_function_v2(
            db,
            "vk_fold",
            1,
            SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
            nullptr,
            FoldFunction,
            nullptr,
            nullptr,
            nullptr
        );
        auto conn = std::make_unique<SqliteConnection>(db);
        // Memory: every pooled reader has a page cache of its own, so readers get a small one and
        // the rest comes from the OS page cache (shared, outside our RSS) by pread. No mmap:
        // mapped pages count in RSS and would fill it with the file. Large sorts spill to temp
        // files instead of growing the heap under many concurrent list queries.
        std::string pragmas = "PRAGMA foreign_keys = ON; PRAGMA mmap_size = 0;";
        pragmas += writer ? "PRAGMA cache_size = -65536;" : "PRAGMA cache_size = -8192;";
        if (writer) {
            pragmas += "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 4000;";
            // Durable: the commit writes the WAL and the sync thread fsyncs it before any job
            // of the batch is acknowledged (see SyncLoop), so synchronous = NORMAL here does not
            // weaken what an acknowledgement means; checkpoints still sync the WAL first.
            pragmas +=
                options_.durable ? "PRAGMA synchronous = NORMAL;" : "PRAGMA synchronous = OFF;";
        }
        VK_RETURN_IF_ERROR(conn->ExecuteScript(pragmas));
        return conn;
    }

    std::unique_ptr<SqliteConnection> TakeReader() {
        std::lock_guard lock(readers_mutex_);
        if (readers_.empty()) {
            return nullptr;
        }
        auto conn = std::move(readers_.back());
        readers_.pop_back();
        return conn;
    }

    void ReturnReader(std::unique_ptr<SqliteConnection> conn) {
        std::lock_guard lock(readers_mutex_);
        // Room for one per request thread (the server's io threads and write pool): a dropped
        // connection is reopened and its statements prepared again on the next request.
        if (readers_.size() < 128) {
            readers_.push_back(std::move(conn));
        }
    }

    // Runs fn in the writer's open transaction; an exception counts as an error.
    Status RunJob(const WriteFn& fn) {
        try {
            return fn(*writer_);
        } catch (const std::exception& e) {
            return Error::Internal(std::string("write threw: ") + e.what());
        }
    }

    Status RunInSavepoint(const WriteFn& fn, const char* name) {
        const std::string sp = std::string("vk_") + name;
        VK_RETURN_IF_ERROR(writer_->Run("SAVEPOINT " + sp));
        SqliteConnection::DeferredRows before = writer_->deferred();
        Status status;
        try {
            status = fn(*writer_);
        } catch (const std::exception& e) {
            status = Error::Internal(std::string("write threw: ") + e.what());
        }
        if (!status) {
            (void)writer_->Run("ROLLBACK TO " + sp);
            writer_->RestoreDeferred(std::move(before));
        }
        (void)writer_->Run("RELEASE " + sp);
        return status;
    }

    // The planner picks indexes by the statistics in sqlite_stat1. Without them, or with figures
    // from when the tables were small, it can read a whole tenant where an index reads a few rows
    // (a filtered list went from 5 s to 1 ms on a million contacts). Every change adds an event,
    // so the event log against its analysed size says when the figures are stale: refresh when
    // it has doubled. analysis_limit bounds ANALYZE to a sample per index (under a second on GBs).
    // Runs on the writer connection outside any transaction.
    void RefreshPlannerStatistics() {
        auto events = writer_->Query("SELECT COALESCE(MAX(seq), 0) FROM events", {});
        if (!events || events->rows.empty()) {
            return;  // not migrated yet
        }
        const int64_t written = storage::AsInt(events->rows[0][0]);
        int64_t analysed = 0;
        auto stat =
            writer_->Query("SELECT stat FROM sqlite_stat1 WHERE tbl = 'events' LIMIT 1", {});
        if (stat && !stat->rows.empty()) {
            analysed = std::atoll(storage::AsText(stat->rows[0][0]).c_str());
        }
        if (written < 2 * analysed + 1000) {
            return;
        }
        Status done = writer_->ExecuteScript("PRAGMA analysis_limit = 1000; ANALYZE;");
        if (!done) {
            spdlog::warn("planner statistics not refreshed: {}", done.error().internal);
        }
    }

    void WriterLoop() {
        writer_thread_id_ = std::this_thread::get_id();
        std::vector<WriteJob*> batch;
        std::vector<Status> results;
        for (;;) {
            {
                std::unique_lock lock(queue_mutex_);
                queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
                if (queue_.empty()) {
                    return;  // stopping and drained
                }
                while (!queue_.empty() && batch.size() < options_.max_batch) {
                    batch.push_back(queue_.front());
                    queue_.pop_front();
                }
            }
            results.clear();
            Status begun = writer_->Run("BEGIN IMMEDIATE");
            if (!begun) {
                for (WriteJob* job : batch) {
                    job->done.set_value(begun);
                }
                batch.clear();
                continue;
            }
            writer_->StartDeferring();
            // Optimistic first: every job straight in the transaction, no savepoints. FTS5
            // flushes its pending index data to new segments at every SAVEPOINT, so a savepoint
            // per job means one index flush (and merge work) per record instead of per commit,
            // the largest cost of a durable create. Only when a job fails is the batch undone
            // and run again with a savepoint per job, so the failure undoes that job alone.
            // Write functions may thus run twice, as on PostgreSQL after a serialization failure.
            bool failed = false;
            for (WriteJob* job : batch) {
                results.push_back(RunJob(*job->fn));
                if (!results.back()) {
                    failed = true;
                    break;
                }
            }
            if (failed && batch.size() == 1) {
                writer_->DropDeferred();
                (void)writer_->ExecuteScript("ROLLBACK");
                batch[0]->done.set_value(std::move(results[0]));
                batch.clear();
                continue;
            }
            if (failed) {
                writer_->DropDeferred();
                (void)writer_->ExecuteScript("ROLLBACK");
                results.clear();
                begun = writer_->Run("BEGIN IMMEDIATE");
                if (!begun) {
                    for (WriteJob* job : batch) {
                        job->done.set_value(begun);
                    }
                    batch.clear();
                    continue;
                }
                writer_->StartDeferring();
                for (WriteJob* job : batch) {
                    results.push_back(RunInSavepoint(*job->fn, "job"));
                }
            }
            // The batch's deferred index rows, newest search keys first (see InsertBeforeCommit);
            // if they cannot be written, the batch fails as a failed COMMIT would.
            Status committed = writer_->WriteDeferred();
            if (committed) {
                committed = writer_->Run("COMMIT");
            }
            if (!committed) {
                spdlog::error("group commit failed: {}", committed.error().internal);
                (void)writer_->ExecuteScript("ROLLBACK");
            }
            if (committed && options_.durable) {
                // Acknowledged by the sync thread once the WAL is on disk; meanwhile this thread
                // goes on with the next batch, so the fsync overlaps its work.
                {
                    std::lock_guard lock(sync_mutex_);
                    to_sync_.push_back({std::move(batch), std::move(results)});
                }
                sync_cv_.notify_one();
                batch = {};
                results = {};
            } else {
                for (size_t i = 0; i < batch.size(); ++i) {
                    batch[i]->done.set_value(committed ? std::move(results[i]) : committed);
                }
                batch.clear();
            }
            if (++commits_ % 4096 == 0) {
                RefreshPlannerStatistics();
            }
            if (options_.durable && wal_frames_.load() >= 8 * options_.checkpoint_frames) {
                // The sync thread's checkpoints rarely catch up with a writer that never pauses,
                // and only a fully copied WAL starts over from its beginning: copy the rest here,
                // between transactions, so the file stops growing.
                (void)writer_->ExecuteScript("PRAGMA wal_checkpoint(PASSIVE);");
            }
        }
    }

    // Group commit, second half: fsyncs the WAL once for every batch committed since the last
    // fsync, then acknowledges their jobs. Also runs the WAL checkpoints, on a connection of its
    // own, so neither the writer nor the requests waiting on it pay for copying pages back.
    void SyncLoop() {
        WalFile wal(path_ + "-wal");
        std::unique_ptr<SqliteConnection> checkpointer;
        std::vector<CommittedBatch> batches;
        for (;;) {
            {
                std::unique_lock lock(sync_mutex_);
                sync_cv_.wait(lock, [&] { return sync_stopping_ || !to_sync_.empty(); });
                if (to_sync_.empty()) {
                    return;  // stopping and drained
                }
                batches.swap(to_sync_);
            }
            const Status synced = wal.Sync();
            if (!synced) {
                spdlog::error("WAL fsync failed: {}", synced.error().internal);
            }
            for (CommittedBatch& b : batches) {
                for (size_t i = 0; i < b.jobs.size(); ++i) {
                    b.jobs[i]->done.set_value(synced ? std::move(b.results[i]) : synced);
                }
            }
            batches.clear();
            if (wal_frames_.load() >= options_.checkpoint_frames) {
                if (!checkpointer) {
                    auto opened = OpenConnection(/*writer=*/false);
                    if (!opened) {
                        continue;
                    }
                    checkpointer = std::move(opened).value();
                    (void)checkpointer->ExecuteScript("PRAGMA synchronous = NORMAL;");
                }
                int log = 0;
                int done = 0;
                const int rc = sqlite3_wal_checkpoint_v2(
                    checkpointer->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done
                );
                if (rc == SQLITE_OK) {
                    wal_frames_.store(log - done);
                }
            }
        }
    }

    std::string path_;
    SqliteOptions options_;
    bool remove_on_close_;
    std::unique_ptr<SqliteConnection> writer_;
    std::thread writer_thread_;
    std::atomic<std::thread::id> writer_thread_id_{};
    uint64_t commits_ = 0;  // writer thread only
    std::mutex queue_mutex_;
    std::condition_variable queue_cv_;
    std::deque<WriteJob*> queue_;
    bool stopping_ = false;
    std::mutex readers_mutex_;
    std::vector<std::unique_ptr<SqliteConnection>> readers_;
    std::atomic<int> wal_frames_{0};
    std::thread sync_thread_;
    std::mutex sync_mutex_;
    std::condition_variable sync_cv_;
    std::vector<CommittedBatch> to_sync_;
    bool sync_stopping_ = false;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, SqliteOptions options) {
    std::string file = path;
    bool remove_on_close = false;
    if (path == ":memory:") {
        char name[] = "/tmp/voronka-mem-XXXXXX";
        const int fd = mkstemp(name);
        if (fd < 0) {
            return Error::Unavailable("Cannot create a temporary database");
        }
        close(fd);
        file = name;
        remove_on_close = true;
    } else {
        const auto parent = std::filesystem::path(path).parent_path();
        std::error_code ec;
        if (!parent.empty()) {
            std::filesystem::create_directories(parent, ec);
        }
    }
    // Every connection's page cache together stays near this: past it SQLite recycles cached
    // pages instead of allocating (one reader per request thread would otherwise add up to GBs).
    static std::once_flag heap_limit;
    std::call_once(heap_limit, [] { sqlite3_soft_heap_limit64(kSoftHeapLimitBytes); });
    auto db = std::make_unique<SqliteDatabase>(file, options, remove_on_close);
    VK_RETURN_IF_ERROR(db->Open());
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace voronka::storage
