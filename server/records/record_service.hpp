// The generic record engine: CRUD, list with filters and cursor pages, history, revert,
// recycle bin, global search and custom fields, for every entity described by metadata.
//
// Every function takes the RequestContext: no path reads or writes without a tenant, and the
// caller's role scope is applied inside the SQL. Writes take the transaction's Connection so
// that a batch, a lead conversion or a merge can compose several changes atomically; each
// change writes its event row in that same transaction.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "access/permissions.hpp"
#include "access/request_context.hpp"
#include "core/clock.hpp"
#include "records/metadata.hpp"
#include "storage/database.hpp"

namespace voronka::records {

using access::RequestContext;
using storage::Connection;

struct FilterTerm {
    std::string field;
    std::string op = "eq";  // eq ne lt lte gt gte in contains starts empty
    std::string value;
};

struct ListQuery {
    std::vector<FilterTerm> filters;
    std::string sort;  // "-updated_at,last_name"
    int limit = 50;
    std::string cursor;
    bool deleted = false;  // list the recycle bin of this entity instead
};

struct ListPage {
    std::vector<Json> data;
    std::optional<std::string> next_cursor;
};

// Records of `entity` whose built-in field `field` holds `from_id` (and whose fields in `where`
// hold the given values) are to point at `to_id` instead; `only_ids`, when set, limits the move
// to those records. See RecordService::MoveReferences.
struct ReferenceMove {
    std::string entity;
    std::string field;
    std::string from_id;
    std::string to_id;
    std::vector<std::pair<std::string, std::string>> where;
    std::optional<std::vector<std::string>> only_ids;
};

// A record as stored plus its API form; version drives ETag/If-Match.
struct Record {
    Json body;
    int64_t version = 0;
    bool deleted = false;
};

class RecordService {
public:
    RecordService(storage::Database& db, const EntityRegistry& registry, const core::Clock& clock);

    // Entity metadata for the caller's tenant: built-in fields plus its custom fields.
    // kNotFound for an unknown entity.
    Result<std::shared_ptr<const EntityDef>> Meta(
        Connection& c, const RequestContext& ctx, std::string_view entity
    );

    Result<Record> Create(
        Connection& tx, const RequestContext& ctx, std::string_view entity, const Json& input
    );

    // Validates a would-be create exactly as Create does (rights, fields, domain hooks) and
    // returns the values it would store, writing nothing: lets a form check for duplicates
    // before the user saves. `c` may be a read connection.
    Result<Json> Draft(
        Connection& c, const RequestContext& ctx, std::string_view entity, const Json& input
    );

    // Applies a partial update. if_match: the version the client last saw; a different current
    // version is kPrecondition and nothing is written.
    Result<Record> Update(
        Connection& tx,
        const RequestContext& ctx,
        std::string_view entity,
        std::string_view id,
        const Json& patch,
        std::optional<int64_t> if_match
    );

    Status Delete(
        Connection& tx,
        const RequestContext& ctx,
        std::string_view entity,
        std::string_view id,
        std::optional<int64_t> if_match
    );

    Result<Record> Restore(
        Connection& tx, const RequestContext& ctx, std::string_view entity, std::string_view id
    );

    // Restores the field values of `version` as a new change.
    Result<Record> Revert(
        Connection& tx,
        const RequestContext& ctx,
        std::string_view entity,
        std::string_view id,
        int64_t version
    );

    // kNotFound when missing, deleted (unless include_deleted), of another tenant or out of scope.
    Result<Record> Get(
        Connection& c,
        const RequestContext& ctx,
        std::string_view entity,
        std::string_view id,
        bool include_deleted = false
    );

    Result<ListPage> List(
        Connection& c, const RequestContext& ctx, std::string_view entity, const ListQuery& query
    );

    // Repoints references (a merge and its undo): every matching record, live or in the recycle
    // bin, gets `to_id` in `field` as a new version with an "update" event {field: {from, to}}.
    // Field permissions, read-only flags, scopes and hooks do not apply: the caller is domain
    // code that has checked the caller's rights on the records being merged. kInvalid when the
    // entity or a field is not built in. Returns the ids of the records changed.
    Result<std::vector<std::string>> MoveReferences(
        Connection& tx, const RequestContext& ctx, const ReferenceMove& move
    );

    // Every version: {version, action, actor_id, at, changes: {field: {from, to}}}.
    Result<Json> History(
        Connection& c, const RequestContext& ctx, std::string_view entity, std::string_view id
    );

    // Deleted records of every entity the caller may read, newest deletion first.
    Result<Json> RecycleBin(Connection& c, const RequestContext& ctx, int limit);

    // Prefix, case-insensitive search across entities: [{entity, id, title}].
    Result<Json> Search(
        Connection& c, const RequestContext& ctx, std::string_view query, int limit
    );

    // Adds a custom field: {"name","type","label","options"?,"required"?}.
    Result<Json> AddCustomField(
        Connection& tx, const RequestContext& ctx, std::string_view entity, const Json& input
    );

    // Events after `after_seq` for a consumer following the log: [{seq, entity, record_id, ...}].
    Result<Json> EventsAfter(
        Connection& c, const RequestContext& ctx, int64_t after_seq, int limit
    );

    // The entity's description: fields with types, labels, options.
    static Json Describe(const EntityDef& def);

    // The entity as the caller's role sees it: hidden fields removed, read-only fields flagged.
    // Returns `def` itself when the role has no field rules for it.
    static std::shared_ptr<const EntityDef> ViewFor(
        const RequestContext& ctx, std::shared_ptr<const EntityDef> def
    );

    // Every entity of the caller's tenant with its field names (custom fields included), for
    // validating role rules.
    Result<access::FieldCatalog> FieldCatalog(Connection& c, const RequestContext& ctx);

    const EntityRegistry& registry() const { return registry_; }

    storage::Database& db() { return db_; }

    const core::Clock& clock() const { return clock_; }

    // Removes every record of a tenant (tenant deletion).
    Status PurgeTenant(Connection& tx, int64_t tenant_id);

private:
    struct CacheEntry {
        int64_t meta_version;
        std::shared_ptr<const EntityDef> def;
    };

    Result<Record> LoadRow(
        Connection& c,
        const RequestContext& ctx,
        const EntityDef& def,
        std::string_view id,
        bool include_deleted
    );
    Status CheckScope(
        Connection& c,
        const RequestContext& ctx,
        const EntityDef& def,
        const Json& body,
        access::Action action
    );
    Result<Json> MergeInput(
        Connection& tx,
        const RequestContext& ctx,
        const EntityDef& def,
        const Json* before,
        const Json& input
    );
    Status StoreInsert(
        Connection& tx,
        const RequestContext& ctx,
        const EntityDef& def,
        const std::string& id,
        const Json& values,
        int64_t now
    );
    // Sets the columns whose value (or currency) differs between `before` (the row as loaded)
    // and `values`, and always version, updated_at and updated_by.
    Status StoreUpdate(
        Connection& tx,
        const RequestContext& ctx,
        const EntityDef& def,
        const std::string& id,
        const Json& before,
        const Json& values,
        int64_t version,
        int64_t now
    );
    Status WriteEvent(
        Connection& tx,
        const RequestContext& ctx,
        const EntityDef& def,
        const std::string& id,
        int64_t version,
        std::string_view action,
        const Json& changes,
        int64_t now
    );
    // replace=false skips removing an old document (a record just created has none).
    Status IndexForSearch(
        Connection& tx,
        const RequestContext& ctx,
        const EntityDef& def,
        const std::string& id,
        const Json& values,
        bool replace = true
    );
    Status UnindexForSearch(
        Connection& tx, const RequestContext& ctx, const EntityDef& def, const std::string& id
    );
    Json Present(const RequestContext& ctx, const EntityDef& def, Json body) const;
    // True when the role hides a field of `entity` that is in its search documents or titles.
    bool HidesSearchedFields(const RequestContext& ctx, std::string_view entity) const;

    storage::Database& db_;
    const EntityRegistry& registry_;
    const core::Clock& clock_;
    std::mutex cache_mutex_;
    std::map<std::pair<int64_t, std::string>, CacheEntry> cache_;
};

// The WHERE condition of a list of `def` without sorting or paging: tenant, live records, the
// caller's read scope and `filters` in the list filter language, with parameters appended to
// `params`. Lets aggregates (analytics, report builder) count exactly the records a list shows.
// kForbidden without read rights; kInvalid naming "filter[field]" for a bad filter.
Result<std::string> ListCondition(
    Connection& c,
    const RequestContext& ctx,
    const EntityDef& def,
    const std::vector<FilterTerm>& filters,
    std::vector<storage::Value>& params
);

// A field of `def` (built-in, system such as created_at, or custom) as SQL and its description,
// for grouping and aggregating. kInvalid naming `param_name` for an unknown field.
struct FieldColumn {
    std::string sql;
    FieldDef field;
};

Result<FieldColumn> ResolveFieldColumn(
    storage::Dialect d, const EntityDef& def, std::string_view name, std::string_view param_name
);

// Scope predicate for SQL: "" for all, else an AND-able condition on owner_id using params
// appended to `params`. Exposed so analytics and boards can apply the same rule.
std::string ScopeCondition(
    const RequestContext& ctx,
    access::Scope scope,
    std::vector<storage::Value>& params,
    std::string_view owner_column = "owner_id"
);

// The read predicate of an entity's list, recycle bin and similar queries: ScopeCondition on
// owner_id, or the personal-record rule (EntityDef::personal), or "" when every row is visible.
std::string ReadCondition(
    const RequestContext& ctx,
    const EntityDef& def,
    access::Scope scope,
    std::vector<storage::Value>& params
);

}  // namespace voronka::records
