// Create, read, update, delete and restore: the write path every entity shares.
#include "records/record_service.hpp"

#include "core/id.hpp"
#include "records/field_codec.hpp"
#include "records/record_row.hpp"

namespace voronka::records {

using core::Error;
using internal::CurrencyOf;
using internal::RowToBody;
using internal::SelectColumns;
using internal::ValueOf;

RecordService::RecordService(
    storage::Database& db, const EntityRegistry& registry, const core::Clock& clock
)
    : db_(db), registry_(registry), clock_(clock) {}

std::string ScopeCondition(
    const RequestContext& ctx,
    access::Scope scope,
    std::vector<storage::Value>& params,
    std::string_view owner_column
) {
    switch (scope) {
        case access::Scope::kAll:
            return {};
        case access::Scope::kNone:
            return "1 = 0";
        case access::Scope::kOwn:
            params.emplace_back(ctx.user_id);
            return std::string(owner_column) + " = $" + std::to_string(params.size());
        case access::Scope::kTeam: {
            params.emplace_back(ctx.user_id);
            const std::string own =
                std::string(owner_column) + " = $" + std::to_string(params.size());
            if (ctx.team_id.empty()) {
                return own;
            }
            params.emplace_back(ctx.tenant_id);
            const std::string tenant = "$" + std::to_string(params.size());
            params.emplace_back(ctx.team_id);
            return "(" + own + " OR " + std::string(owner_column) +
                   " IN (SELECT id FROM users WHERE tenant_id = " + tenant + " AND team_id = $" +
                   std::to_string(params.size()) + "))";
        }
    }
    return "1 = 0";
}

std::string ReadCondition(
    const RequestContext& ctx,
    const EntityDef& def,
    access::Scope scope,
    std::vector<storage::Value>& params
) {
    if (scope == access::Scope::kNone) {
        return "1 = 0";
    }
    if (def.personal) {
        params.emplace_back(ctx.user_id);
        const std::string own = "owner_id = $" + std::to_string(params.size());
        if (ctx.team_id.empty()) {
            return own;
        }
        params.emplace_back(ctx.tenant_id);
        const std::string tenant = "$" + std::to_string(params.size());
        params.emplace_back(ctx.team_id);
        return "(" + own + " OR (visibility = 'team' AND owner_id IN (SELECT id FROM users " +
               "WHERE tenant_id = " + tenant + " AND team_id = $" + std::to_string(params.size()) +
               ")))";
    }
    return def.has_owner ? ScopeCondition(ctx, scope, params) : std::string();
}

namespace {

const access::EntityRights& RightsOf(const RequestContext& ctx, const EntityDef& def) {
    static const access::EntityRights kNone;
    return ctx.permissions ? ctx.permissions->For(def.name) : kNone;
}

std::string OwnerOf(const Json& body) {
    auto it = body.find("owner_id");
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// True when `owner` is a user of the caller's team (false without a team or an owner).
Result<bool> InCallersTeam(Connection& c, const RequestContext& ctx, const std::string& owner) {
    if (ctx.team_id.empty() || owner.empty()) {
        return false;
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        c.Query(
            "SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2 AND team_id = $3",
            {ctx.tenant_id, owner, ctx.team_id}
        )
    );
    return !rows.empty();
}

// EntityDef::personal: the owner does everything its role allows; the owner's team only reads
// records shared with it; nobody else, administrators included, learns the record exists.
Status PersonalCheck(
    Connection& c,
    const RequestContext& ctx,
    const Json& body,
    access::Action action,
    access::Scope scope
) {
    if (scope == access::Scope::kNone) {
        return Error::Forbidden("Your role does not allow this");
    }
    const std::string owner = OwnerOf(body);
    if (owner == ctx.user_id) {
        return core::Ok();
    }
    auto visibility = body.find("visibility");
    const bool shared = visibility != body.end() && *visibility == "team";
    if (action == access::Action::kRead && shared) {
        VK_ASSIGN_OR_RETURN(bool teammate, InCallersTeam(c, ctx, owner));
        if (teammate) {
            return core::Ok();
        }
    }
    return Error::Forbidden("Only its owner can change this record");
}

}  // namespace

Status RecordService::CheckScope(
    Connection& c,
    const RequestContext& ctx,
    const EntityDef& def,
    const Json& body,
    access::Action action
) {
    if (def.admin_writes && action != access::Action::kRead &&
        !(ctx.permissions && ctx.permissions->manage_metadata)) {
        return Error::Forbidden("Only administrators can change " + def.name);
    }
    const access::Scope scope = RightsOf(ctx, def).For(action);
    if (def.personal) {
        return PersonalCheck(c, ctx, body, action, scope);
    }
    if (def.all_scope_writes && action != access::Action::kRead && scope != access::Scope::kAll) {
        return Error::Forbidden("Only roles that see all records can change " + def.name);
    }
    if (scope == access::Scope::kAll || (!def.has_owner && scope != access::Scope::kNone)) {
        return core::Ok();
    }
    if (scope == access::Scope::kNone) {
        return Error::Forbidden("Your role does not allow this on " + def.name);
    }
    const std::string owner = OwnerOf(body);
    if (owner == ctx.user_id) {
        return core::Ok();
    }
    if (scope == access::Scope::kTeam) {
        VK_ASSIGN_OR_RETURN(bool teammate, InCallersTeam(c, ctx, owner));
        if (teammate) {
            return core::Ok();
        }
    }
    return Error::Forbidden("This record belongs to someone outside your scope");
}

Result<Record> RecordService::LoadRow(
    Connection& c,
    const RequestContext& ctx,
    const EntityDef& def,
    std::string_view id,
    bool include_deleted
) {
    if (ctx.tenant_id <= 0 || !core::IsIdShaped(id)) {
        return Error::NotFound();
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        c.Query(
            "SELECT " + SelectColumns(def) + " FROM " + def.name +
                " WHERE tenant_id = $1 AND id = $2",
            {ctx.tenant_id, std::string(id)}
        )
    );
    if (rows.empty()) {
        return Error::NotFound();
    }
    Record record;
    record.deleted = !storage::IsNull(rows.rows[0][6]);
    if (record.deleted && !include_deleted) {
        return Error::NotFound();
    }
    record.body = RowToBody(def, rows.rows[0]);
    record.version = record.body["version"].get<int64_t>();
    // Out of read scope is reported as not found: existence is not revealed.
    if (!CheckScope(c, ctx, def, record.body, access::Action::kRead)) {
        return Error::NotFound();
    }
    return record;
}

Json RecordService::Present(const RequestContext& ctx, const EntityDef& def, Json body) const {
    EraseHiddenFields(def, RightsOf(ctx, def).hidden_fields, body);
    return body;
}

Result<Json> RecordService::MergeInput(
    Connection& tx,
    const RequestContext& ctx,
    const EntityDef& def,
    const Json* before,
    const Json& input
) {
    if (!input.is_object()) {
        return Error::Invalid("The request body must be a JSON object");
    }
    const access::EntityRights& rights = RightsOf(ctx, def);
    Json values = before ? *before : Json::object();
    if (!before) {
        for (const FieldDef& f : def.fields) {
            if (!f.custom) {
                values[f.name] = nullptr;
            }
        }
        values["custom"] = Json::object();
    }
    std::vector<core::FieldError> errors;
    auto apply = [&](const FieldDef& f, const Json& raw) {
        if (f.read_only) {
            errors.push_back({f.name, "is read-only"});
            return;
        }
        if (rights.hidden_fields.contains(f.name) || rights.read_only_fields.contains(f.name)) {
            errors.push_back({f.name, "is read-only for your role"});
            return;
        }
        auto valid = ValidateFieldValue(f, raw);
        if (!valid) {
            for (const auto& fe : valid.error().fields) {
                errors.push_back(fe);
            }
            return;
        }
        if (f.custom) {
            values["custom"][f.name] = std::move(valid).value();
        } else {
            values[f.name] = std::move(valid).value();
        }
    };
    for (const auto& [key, raw] : input.items()) {
        if (key == "custom") {
            if (!raw.is_object()) {
                errors.push_back({"custom", "must be an object"});
                continue;
            }
            for (const auto& [ckey, craw] : raw.items()) {
                const FieldDef* f = def.Field(ckey);
                if (!f || !f->custom) {
                    errors.push_back({"custom." + ckey, "is not a field of " + def.name});
                    continue;
                }
                apply(*f, craw);
            }
            continue;
        }
        const FieldDef* f = def.Field(key);
        if (!f) {
            errors.push_back(
                {key, IsSystemField(key) ? "is read-only" : "is not a field of " + def.name}
            );
            continue;
        }
        apply(*f, raw);
    }
    if (!errors.empty()) {
        return Error::Invalid("Validation failed", std::move(errors));
    }
    if (!before && def.has_owner && ValueOf(*def.Field("owner_id"), values).is_null()) {
        values["owner_id"] = ctx.user_id;
    }
    for (const WriteHook& hook : def.before_write) {
        WriteHookArgs args{tx, ctx, def, before, values};
        VK_RETURN_IF_ERROR(hook(args));
    }
    for (const FieldDef& f : def.fields) {
        const Json v = ValueOf(f, values);
        if (f.required && v.is_null()) {
            errors.push_back({f.name, "is required"});
            continue;
        }
        if (v.is_null()) {
            continue;
        }
        if (f.type == FieldType::kMoney) {
            auto stored = ToStorage(f, v, CurrencyOf(f, values));
            if (!stored) {
                for (const auto& fe : stored.error().fields) {
                    errors.push_back(fe);
                }
            } else if (!f.custom) {
                // Canonical form: exactly the currency's fraction digits.
                values[f.name] = FromStorage(f, *stored, CurrencyOf(f, values));
            }
        }
        const bool changed = !before || ValueOf(f, *before) != v;
        if (changed && (f.type == FieldType::kReference || f.type == FieldType::kUser)) {
            const std::string table = f.type == FieldType::kUser ? "users" : f.ref_entity;
            const std::string live =
                f.type == FieldType::kUser ? "active = 1" : "deleted_at IS NULL";
            VK_ASSIGN_OR_RETURN(
                storage::Rows found,
                tx.Query(
                    "SELECT 1 FROM " + table + " WHERE tenant_id = $1 AND id = $2 AND " + live,
                    {ctx.tenant_id, v.get<std::string>()}
                )
            );
            if (found.empty()) {
                errors.push_back({f.name, "refers to a record that does not exist"});
            }
        }
    }
    if (!errors.empty()) {
        return Error::Invalid("Validation failed", std::move(errors));
    }
    return values;
}

Status RecordService::StoreInsert(
    Connection& tx,
    const RequestContext& ctx,
    const EntityDef& def,
    const std::string& id,
    const Json& values,
    int64_t now
) {
    std::vector<storage::Value> params{
        ctx.tenant_id, id, int64_t{1}, now, now, ctx.user_id, ctx.user_id};
    std::string columns = "tenant_id, id, version, created_at, updated_at, created_by, updated_by";
    std::string placeholders = "$1, $2, $3, $4, $5, $6, $7";
    Json custom = Json::object();
    for (const FieldDef& f : def.fields) {
        const Json v = ValueOf(f, values);
        if (f.custom) {
            if (!v.is_null()) {
                custom[f.name] = ToCustomJson(f, v, CurrencyOf(f, values));
            }
            continue;
        }
        VK_ASSIGN_OR_RETURN(storage::Value stored, ToStorage(f, v, CurrencyOf(f, values)));
        params.push_back(std::move(stored));
        columns += ", " + f.name;
        placeholders += ", $" + std::to_string(params.size());
    }
    params.emplace_back(custom.dump());
    columns += ", custom";
    placeholders += ", $" + std::to_string(params.size());
    auto inserted = tx.Execute(
        "INSERT INTO " + def.name + " (" + columns + ") VALUES (" + placeholders + ")", params
    );
    return inserted ? core::Ok() : Status(std::move(inserted).error());
}

Status RecordService::StoreUpdate(
    Connection& tx,
    const RequestContext& ctx,
    const EntityDef& def,
    const std::string& id,
    const Json& before,
    const Json& values,
    int64_t version,
    int64_t now
) {
    // Only the columns that change are set: SQLite (and PostgreSQL's HOT updates) then leave
    // every index on the other columns alone, and a deal moved to another stage rewrites its
    // stage indexes instead of all of them. A value is stored from itself and its currency, so
    // the same two give the same column (a money amount follows a change of its currency).
    std::vector<storage::Value> params{ctx.tenant_id, id, version, now, ctx.user_id};
    std::string sets = "version = $3 + 1, updated_at = $4, updated_by = $5";
    Json custom = Json::object();
    bool custom_changed = false;
    for (const FieldDef& f : def.fields) {
        const Json v = ValueOf(f, values);
        const std::string currency = CurrencyOf(f, values);
        const bool same = v == ValueOf(f, before) && currency == CurrencyOf(f, before);
        if (f.custom) {
            if (!v.is_null()) {
                custom[f.name] = ToCustomJson(f, v, currency);
            }
            custom_changed = custom_changed || !same;
            continue;
        }
        if (same) {
            continue;
        }
        VK_ASSIGN_OR_RETURN(storage::Value stored, ToStorage(f, v, currency));
        params.push_back(std::move(stored));
        sets += ", " + f.name + " = $" + std::to_string(params.size());
    }
    if (custom_changed) {
        params.emplace_back(custom.dump());
        sets += ", custom = $" + std::to_string(params.size());
    }
    VK_ASSIGN_OR_RETURN(
        int64_t changed,
        tx.Execute(
            "UPDATE " + def.name + " SET " + sets +
                " WHERE tenant_id = $1 AND id = $2 AND version = $3",
            params
        )
    );
    if (changed != 1) {
        return Error::Precondition("The record was changed by someone else; reload and retry");
    }
    return core::Ok();
}

Status RecordService::WriteEvent(
    Connection& tx,
    const RequestContext& ctx,
    const EntityDef& def,
    const std::string& id,
    int64_t version,
    std::string_view action,
    const Json& changes,
    int64_t now
) {
    auto written = tx.Execute(
        "INSERT INTO events (tenant_id, entity, record_id, version, action, actor_id, at, changes) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        {ctx.tenant_id,
         def.name,
         id,
         version,
         std::string(action),
         ctx.user_id.empty() ? storage::Value(nullptr) : storage::Value(ctx.user_id),
         now,
         changes.dump()}
    );
    return written ? core::Ok() : Status(std::move(written).error());
}

namespace {

// Per-field {from, to} for every field whose API value differs.
Json Diff(const EntityDef& def, const Json* before, const Json& after) {
    Json changes = Json::object();
    for (const FieldDef& f : def.fields) {
        const Json from = before ? ValueOf(f, *before) : Json(nullptr);
        const Json to = ValueOf(f, after);
        if (from != to) {
            changes[f.name] = {{"from", from}, {"to", to}};
        }
    }
    return changes;
}

Status RunAfterWrite(
    Connection& tx,
    const RequestContext& ctx,
    const EntityDef& def,
    std::string_view action,
    const Json* before,
    const Json& after
) {
    for (const AfterWriteHook& hook : def.after_write) {
        VK_RETURN_IF_ERROR(hook(AfterWriteArgs{tx, ctx, def, action, before, after}));
    }
    return core::Ok();
}

}  // namespace

Result<Record> RecordService::Create(
    Connection& tx, const RequestContext& ctx, std::string_view entity, const Json& input
) {
    VK_ASSIGN_OR_RETURN(auto def, Meta(tx, ctx, entity));
    if (RightsOf(ctx, *def).create == access::Scope::kNone) {
        return Error::Forbidden("Your role does not allow creating " + def->name);
    }
    VK_ASSIGN_OR_RETURN(Json values, MergeInput(tx, ctx, *def, nullptr, input));
    VK_RETURN_IF_ERROR(CheckScope(tx, ctx, *def, values, access::Action::kCreate));
    const std::string id = core::NewId();
    const int64_t now = clock_.NowMicros();
    VK_RETURN_IF_ERROR(StoreInsert(tx, ctx, *def, id, values, now));
    VK_RETURN_IF_ERROR(WriteEvent(tx, ctx, *def, id, 1, "create", Diff(*def, nullptr, values), now)
    );
    VK_RETURN_IF_ERROR(IndexForSearch(tx, ctx, *def, id, values, /*replace=*/false));
    VK_ASSIGN_OR_RETURN(Record record, LoadRow(tx, ctx, *def, id, false));
    VK_RETURN_IF_ERROR(RunAfterWrite(tx, ctx, *def, "create", nullptr, record.body));
    record.body = Present(ctx, *def, std::move(record.body));
    return record;
}

Result<Json> RecordService::Draft(
    Connection& c, const RequestContext& ctx, std::string_view entity, const Json& input
) {
    VK_ASSIGN_OR_RETURN(auto def, Meta(c, ctx, entity));
    if (RightsOf(ctx, *def).create == access::Scope::kNone) {
        return Error::Forbidden("Your role does not allow creating " + def->name);
    }
    VK_ASSIGN_OR_RETURN(Json values, MergeInput(c, ctx, *def, nullptr, input));
    VK_RETURN_IF_ERROR(CheckScope(c, ctx, *def, values, access::Action::kCreate));
    return values;
}

Result<Record> RecordService::Update(
    Connection& tx,
    const RequestContext& ctx,
    std::string_view entity,
    std::string_view id,
    const Json& patch,
    std::optional<int64_t> if_match
) {
    VK_ASSIGN_OR_RETURN(auto def, Meta(tx, ctx, entity));
    VK_ASSIGN_OR_RETURN(Record current, LoadRow(tx, ctx, *def, id, false));
    VK_RETURN_IF_ERROR(CheckScope(tx, ctx, *def, current.body, access::Action::kEdit));
    if (if_match && *if_match != current.version) {
        return Error::Precondition(
            "The record is at version " + std::to_string(current.version) + ", not " +
            std::to_string(*if_match)
        );
    }
    VK_ASSIGN_OR_RETURN(Json values, MergeInput(tx, ctx, *def, &current.body, patch));
    const Json changes = Diff(*def, &current.body, values);
    if (changes.empty()) {
        current.body = Present(ctx, *def, std::move(current.body));
        return current;
    }
    if (changes.contains("owner_id")) {
        // Handing a record to someone must keep it within what the caller may edit.
        VK_RETURN_IF_ERROR(CheckScope(tx, ctx, *def, values, access::Action::kEdit));
    }
    const int64_t now = clock_.NowMicros();
    const std::string record_id(id);
    VK_RETURN_IF_ERROR(
        StoreUpdate(tx, ctx, *def, record_id, current.body, values, current.version, now)
    );
    VK_RETURN_IF_ERROR(
        WriteEvent(tx, ctx, *def, record_id, current.version + 1, "update", changes, now)
    );
    if (internal::SearchDocumentDiffers(*def, current.body, values)) {
        VK_RETURN_IF_ERROR(IndexForSearch(tx, ctx, *def, record_id, values));
    }
    VK_ASSIGN_OR_RETURN(Record record, LoadRow(tx, ctx, *def, id, false));
    VK_RETURN_IF_ERROR(RunAfterWrite(tx, ctx, *def, "update", &current.body, record.body));
    record.body = Present(ctx, *def, std::move(record.body));
    return record;
}

Status RecordService::Delete(
    Connection& tx,
    const RequestContext& ctx,
    std::string_view entity,
    std::string_view id,
    std::optional<int64_t> if_match
) {
    VK_ASSIGN_OR_RETURN(auto def, Meta(tx, ctx, entity));
    VK_ASSIGN_OR_RETURN(Record current, LoadRow(tx, ctx, *def, id, false));
    VK_RETURN_IF_ERROR(CheckScope(tx, ctx, *def, current.body, access::Action::kDelete));
    if (if_match && *if_match != current.version) {
        return Error::Precondition("The record was changed by someone else; reload and retry");
    }
    const int64_t now = clock_.NowMicros();
    const std::string record_id(id);
    VK_ASSIGN_OR_RETURN(
        int64_t changed,
        tx.Execute(
            "UPDATE " + def->name +
                " SET deleted_at = $4, version = $3 + 1, updated_at = $4, updated_by = $5 "
                "WHERE tenant_id = $1 AND id = $2 AND version = $3",
            {ctx.tenant_id, record_id, current.version, now, ctx.user_id}
        )
    );
    if (changed != 1) {
        return Error::Precondition("The record was changed by someone else; reload and retry");
    }
    VK_RETURN_IF_ERROR(
        WriteEvent(tx, ctx, *def, record_id, current.version + 1, "delete", Json::object(), now)
    );
    VK_RETURN_IF_ERROR(UnindexForSearch(tx, ctx, *def, record_id));
    return RunAfterWrite(tx, ctx, *def, "delete", &current.body, current.body);
}

Result<Record> RecordService::Restore(
    Connection& tx, const RequestContext& ctx, std::string_view entity, std::string_view id
) {
    VK_ASSIGN_OR_RETURN(auto def, Meta(tx, ctx, entity));
    VK_ASSIGN_OR_RETURN(Record current, LoadRow(tx, ctx, *def, id, true));
    VK_RETURN_IF_ERROR(CheckScope(tx, ctx, *def, current.body, access::Action::kDelete));
    if (!current.deleted) {
        return Error::Conflict("The record is not in the recycle bin");
    }
    const int64_t now = clock_.NowMicros();
    const std::string record_id(id);
    VK_RETURN_IF_ERROR(
        tx.Execute(
              "UPDATE " + def->name +
                  " SET deleted_at = NULL, version = $3 + 1, updated_at = $4, updated_by = $5 "
                  "WHERE tenant_id = $1 AND id = $2 AND version = $3",
              {ctx.tenant_id, record_id, current.version, now, ctx.user_id}
        )
                .has_value()
            ? core::Ok()
            : Status(Error::Internal("restore update failed"))
    );
    VK_RETURN_IF_ERROR(
        WriteEvent(tx, ctx, *def, record_id, current.version + 1, "restore", Json::object(), now)
    );
    VK_RETURN_IF_ERROR(IndexForSearch(tx, ctx, *def, record_id, current.body));
    VK_ASSIGN_OR_RETURN(Record record, LoadRow(tx, ctx, *def, id, false));
    VK_RETURN_IF_ERROR(RunAfterWrite(tx, ctx, *def, "restore", nullptr, record.body));
    record.body = Present(ctx, *def, std::move(record.body));
    return record;
}

Result<Record> RecordService::Get(
    Connection& c,
    const RequestContext& ctx,
    std::string_view entity,
    std::string_view id,
    bool include_deleted
) {
    VK_ASSIGN_OR_RETURN(auto def, Meta(c, ctx, entity));
    if (RightsOf(ctx, *def).read == access::Scope::kNone) {
        return Error::Forbidden("Your role does not allow reading " + def->name);
    }
    VK_ASSIGN_OR_RETURN(Record record, LoadRow(c, ctx, *def, id, include_deleted));
    record.body = Present(ctx, *def, std::move(record.body));
    return record;
}

}  // namespace voronka::records
