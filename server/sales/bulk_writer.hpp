// Bulk path for large generated data sets (demo, benchmarks): records written with prepared
// statements in the caller's transaction, with the same rows, events and search documents the
// record engine writes.
#pragma once

#include <string>
#include <vector>

#include "records/metadata.hpp"

namespace voronka::sales {

// One later change of a record's history (the create event is derived from its values).
struct BulkEvent {
    int64_t at = 0;
    std::string action;  // "update"
    core::Json changes;  // {field: {"from", "to"}}
};

// A record converted to what is stored: the row's values, its events and its search document.
struct PreparedRecord {
    std::string id;
    std::vector<storage::Value> row;  // in BulkWriter's column order

    // Version i + 1 is events[i], as the parameters of one `events` row: tenant_id, entity,
    // record_id, version, action, actor_id, at, changes (JSON text).
    std::vector<std::vector<storage::Value>> events;
    std::string title;
    std::string search_text;  // title + searchable fields, as records/search_index.cpp builds it
    storage::Value owner_id;
};

// Buffers records of one entity and writes them (see Write) inside the caller's transaction. Values
// are trusted: no validation, reference or scope checks run. With run_hooks the entity's
// before_write hooks run on each record as created (normalised phones, the quality domain's
// matching keys, ...); without, the generator must produce what the hooks would have (e.g. for
// backdated computed fields). Not thread-safe; Flush before the transaction ends.
class BulkWriter {
public:
    BulkWriter(
        storage::Connection& tx,
        const access::RequestContext& ctx,
        const records::EntityDef& def,
        bool run_hooks,
        size_t rows_per_flush = 256
    );

    // A record created at `created_at` with `values` (API form; absent keys are null), then
    // changed by `updates` (oldest first, changes {field: {from, to}}). The create event lists
    // every non-null field; the stored row is the state after the last update; version =
    // 1 + updates.size().
    core::Status Add(
        const std::string& id,
        core::Json values,
        int64_t created_at,
        std::vector<BulkEvent> updates = {}
    );

    // Writes what is buffered.
    core::Status Flush();

    const records::EntityDef& def() const { return def_; }

    // The conversion half of Add, usable off the writing transaction to overlap CPU work with
    // writes: hooks run on `c` (a read connection is enough for hooks that only read).
    // Thread-safe when each thread passes its own connection.
    static core::Result<PreparedRecord> Prepare(
        storage::Connection& c,
        const access::RequestContext& ctx,
        const records::EntityDef& def,
        bool run_hooks,
        const std::string& id,
        core::Json values,
        int64_t created_at,
        std::vector<BulkEvent> updates = {}
    );

    // The writing half: rows, events and search documents of `records` in `tx`. SQLite runs
    // one prepared single-row statement per row, binding the records' values without copies
    // (a multi-row INSERT opens a statement journal, and FTS5 flushes its pending terms to a
    // new segment at each one); PostgreSQL gets multi-row statements (fewer round trips).
    static core::Status Write(
        storage::Connection& tx,
        const access::RequestContext& ctx,
        const records::EntityDef& def,
        std::vector<PreparedRecord> records
    );

    // SQLite: drops the secondary indexes of `table` in the caller's transaction and returns the
    // statements that re-create them, to run in that same transaction after the load (so a
    // failure leaves the indexes as they were). Building a b-tree from sorted keys once costs a
    // fraction of a million random inserts into each index. PostgreSQL: drops nothing.
    static core::Result<std::vector<std::string>> DropSecondaryIndexes(
        storage::Connection& tx, const std::string& table
    );

private:
    storage::Connection& tx_;
    const access::RequestContext& ctx_;
    const records::EntityDef& def_;
    bool run_hooks_;
    size_t rows_per_flush_;
    std::vector<PreparedRecord> pending_;
};

}  // namespace voronka::sales
