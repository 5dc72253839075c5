// Bulk path for large generated data sets (demo, benchmarks): many records per multi-row
// statement, with the same rows, events and search documents the record engine writes.
#pragma once

#include <string>
#include <vector>

#include "records/metadata.hpp"

namespace voronka::sales {

// One event of a record's history; versions are numbered 1..n in the order given.
struct BulkEvent {
    int64_t at = 0;
    std::string action;  // "create", "update"
    core::Json changes;  // {field: {"from", "to"}}
};

// Buffers records of one entity and writes them with prepared multi-row INSERTs inside the
// caller's transaction. Values are trusted: no validation, reference or scope checks run. With
// run_hooks the entity's before_write hooks run on each record as created (normalised phones,
// the quality domain's matching keys, ...); without, the generator must produce what the hooks
// would have (e.g. for backdated computed fields). Not thread-safe; Flush before the
// transaction ends.
class BulkWriter {
public:
    BulkWriter(
        storage::Connection& tx,
        const access::RequestContext& ctx,
        const records::EntityDef& def,
        bool run_hooks,
        size_t rows_per_statement = 100
    );

    // A record created at `created_at` with `values` (API form; absent keys are null), then
    // changed by `updates` (oldest first, action "update", changes {field: {from, to}}). The
    // create event lists every non-null field; the stored row is the state after the last
    // update; version = 1 + updates.size().
    core::Status Add(
        const std::string& id,
        core::Json values,
        int64_t created_at,
        std::vector<BulkEvent> updates = {}
    );

    // Writes what is buffered.
    core::Status Flush();

    const records::EntityDef& def() const { return def_; }

    // The create event's changes for `values`: {field: {"from": null, "to": value}}.
    static core::Json CreateChanges(const records::EntityDef& def, const core::Json& values);

private:
    struct Pending {
        std::string id;
        core::Json values;
        std::vector<BulkEvent> events;
    };

    core::Status FlushRows();
    core::Status FlushEvents();
    core::Status FlushSearch();

    storage::Connection& tx_;
    const access::RequestContext& ctx_;
    const records::EntityDef& def_;
    bool run_hooks_;
    size_t rows_per_statement_;
    std::vector<Pending> pending_;
};

}  // namespace voronka::sales
