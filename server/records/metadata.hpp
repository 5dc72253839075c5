// Entity metadata: the declarative description from which the record engine derives storage,
// validation, filtering, search, history and the OpenAPI schema of every entity.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "access/request_context.hpp"
#include "core/json.hpp"
#include "core/result.hpp"
#include "storage/database.hpp"

namespace voronka::records {

using core::Json;
using core::Result;
using core::Status;

enum class FieldType {
    kText,
    kEmail,
    kPhone,
    kUrl,
    kMoney,     // decimal string in the API, BIGINT minor units in storage; see currency_field
    kCurrency,  // ISO 4217 code
    kInteger,
    kNumber,    // double, for non-money quantities and scores
    kBool,
    kDate,      // "YYYY-MM-DD"
    kDateTime,  // RFC 3339 in the API, UTC microseconds in storage
    kEnum,
    kMultiEnum,  // JSON array of option values
    kReference,  // id of a record of ref_entity in the same tenant
    kUser,       // id of a user in the same tenant
    kJson,
};

std::string_view FieldTypeName(FieldType type);
std::optional<FieldType> ParseFieldType(std::string_view name);

struct FieldDef {
    std::string name;  // snake_case; the column, JSON key and OpenAPI property
    FieldType type = FieldType::kText;
    std::string label;
    bool required = false;
    bool searchable = false;  // part of the global search document
    bool read_only = false;   // computed by domain behaviour, never written by clients
    bool custom = false;      // lives in the `custom` JSON column
    size_t max_length = 1000;
    std::vector<std::string> options;  // enum / multi-enum values
    std::string ref_entity;            // for kReference
    std::string currency_field;        // for kMoney: the kCurrency field giving its currency
    // Fields this one is computed from (a matching key from the email): a role that hides any
    // of them hides this one too, or the derived value would reveal the hidden one.
    std::vector<std::string> derived_from;
};

// True when a role hiding `hidden` may not see `f`: f itself or a field it derives from is hidden.
bool IsHiddenBy(const FieldDef& f, const std::set<std::string>& hidden);

struct EntityDef;

// Whether a role hiding `hidden` may see field `name` of `def`: not when it or a field it is
// derived from is hidden (custom fields, absent from the registry's def, by name).
bool IsVisibleField(const EntityDef& def, std::string_view name, const std::set<std::string>& hidden);

// Removes from `values` (a record body, a card, an event's changes) every field of `def` a role
// hiding `hidden` may not see, the values under "custom" included. For responses built outside
// the record engine, which applies the same rule to what it returns.
void EraseHiddenFields(const EntityDef& def, const std::set<std::string>& hidden, core::Json& values);

// What a domain hook sees and may change before a create/update is stored.
struct WriteHookArgs {
    storage::Connection& tx;
    const access::RequestContext& ctx;
    const EntityDef& entity;
    const Json* before;  // current record (API form) on update, nullptr on create
    Json& values;        // the merged new state in API form; the hook may set computed fields
};

using WriteHook = std::function<Status(WriteHookArgs&)>;

// What a domain hook sees after a create/update/delete/restore is stored (with its event), in
// the same transaction: derived rows (metrics, follow-up records) stay consistent with the write
// or roll back with it. `before` is nullptr on create and restore; `after` is the stored state
// (API form, with "id"), the last live state on delete.
struct AfterWriteArgs {
    storage::Connection& tx;
    const access::RequestContext& ctx;
    const EntityDef& entity;
    std::string_view action;  // "create", "update", "delete", "restore"
    const Json* before;
    const Json& after;
};

using AfterWriteHook = std::function<Status(const AfterWriteArgs&)>;

// Runs when RecordService::MoveReferences has repointed `field` of some of this entity's records
// from one record to another (a merge or its undo), in the same transaction, so state derived
// from those records (per-customer metrics) follows them; after_write hooks do not run there.
using ReferenceMoveHook = std::function<Status(
    storage::Connection& tx,
    const access::RequestContext& ctx,
    std::string_view field,
    const std::string& from_id,
    const std::string& to_id
)>;

// Adds keys to the API response of a create (e.g. "duplicates": likely duplicates of the new
// record). Runs after the create has committed, on a read connection, with the caller's context;
// `response` is the created record's body. A failing hook adds nothing and does not fail the
// request (the record exists by then). See records::AddCreateExtras.
using CreateResponseHook =
    std::function<Status(storage::Connection& c, const access::RequestContext& ctx, const EntityDef& entity, Json& response)>;

struct EntityDef {
    std::string name;  // plural, the API path segment and table name: "contacts"
    std::string label;
    std::vector<FieldDef> fields;
    std::vector<std::string> title_fields;  // joined with spaces to make the record's title
    std::string default_sort = "-updated_at";
    bool has_owner = true;
    // Shared configuration (pipelines, rules): only roles that manage metadata may write it.
    bool admin_writes = false;
    // Shared targets (sales plans, marketing costs): writing needs the "all" scope, so admins and
    // managers may write while a `user`, whose scope is its own and its team's records, may not.
    bool all_scope_writes = false;
    // Personal records (saved list views): whatever the role's scope, only the owner sees and
    // changes them, and the owner's team also sees them when their `visibility` field is
    // "team". Kept out of global search, whose index does not know the visibility.
    bool personal = false;
    std::vector<WriteHook> before_write;  // domain behaviour: normalisation, computed fields
    std::vector<AfterWriteHook> after_write;  // derived state kept current in the same transaction
    std::vector<ReferenceMoveHook> after_reference_move;  // after MoveReferences, same transaction
    std::vector<CreateResponseHook> after_create;  // extra keys in the create response

    const FieldDef* Field(std::string_view field_name) const;
};

// The built-in entities, registered once at start-up by each domain (sales, service, ...).
class EntityRegistry {
public:
    void Register(EntityDef def);

    const EntityDef* Find(std::string_view name) const;

    // Lets a domain add fields and hooks to an entity another domain registered (the quality
    // domain adds matching keys to contacts, companies and leads). Returns false when no entity
    // has this name. REQUIRES: start-up only, before the registry is used concurrently.
    bool Extend(std::string_view name, const std::function<void(EntityDef&)>& change);

    std::vector<const EntityDef*> All() const;

private:
    std::map<std::string, std::shared_ptr<EntityDef>, std::less<>> entities_;
};

// Built-in fields every record has; not writable by clients.
bool IsSystemField(std::string_view name);

// [a-z][a-z0-9_]{0,62}: names that are safe to splice into SQL as identifiers.
bool IsIdentifier(std::string_view name);

}  // namespace voronka::records
