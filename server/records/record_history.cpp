// History, revert and recycle bin: all read from the event log written with every change.
#include "core/clock.hpp"
#include "core/id.hpp"
#include "records/record_row.hpp"
#include "records/record_service.hpp"

namespace voronka::records {

using core::Error;

namespace {

const access::EntityRights& RightsOf(const RequestContext& ctx, std::string_view entity) {
    static const access::EntityRights kNone;
    return ctx.permissions ? ctx.permissions->For(entity) : kNone;
}

// False for a personal record (a saved view) the caller may not know exists; true for every
// record of a non-personal entity.
Result<bool> PersonalRecordVisible(
    Connection& c,
    const EntityRegistry& registry,
    const RequestContext& ctx,
    const std::string& entity,
    const std::string& id
) {
    const EntityDef* def = registry.Find(entity);
    if (!def || !def->personal) {
        return true;
    }
    // A personal record (a saved view) exists only for its owner and, when shared, the owner's
    // team: not even an administrator's event log may show it to anyone else.
    std::vector<storage::Value> params{ctx.tenant_id, id};
    const std::string condition = ReadCondition(ctx, *def, RightsOf(ctx, entity).read, params);
    VK_ASSIGN_OR_RETURN(
        storage::Rows found,
        c.Query(
            "SELECT 1 FROM " + def->name + " WHERE tenant_id = $1 AND id = $2" +
                (condition.empty() ? "" : " AND " + condition),
            params
        )
    );
    return !found.empty();
}

}  // namespace

Result<Json> RecordService::History(
    Connection& c, const RequestContext& ctx, std::string_view entity, std::string_view id
) {
    VK_ASSIGN_OR_RETURN(Record record, Get(c, ctx, entity, id, /*include_deleted=*/true));
    VK_ASSIGN_OR_RETURN(auto def, Meta(c, ctx, entity));
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        c.Query(
            "SELECT version, action, actor_id, at, changes FROM events "
            "WHERE tenant_id = $1 AND entity = $2 AND record_id = $3 ORDER BY version",
            {ctx.tenant_id, std::string(entity), std::string(id)}
        )
    );
    const auto& hidden = RightsOf(ctx, entity).hidden_fields;
    Json versions = Json::array();
    for (const auto& row : rows.rows) {
        Json changes = Json::parse(storage::AsText(row[4]), nullptr, false);
        if (!changes.is_object()) {
            changes = Json::object();
        }
        for (const FieldDef& f : def->fields) {
            if (IsHiddenBy(f, hidden)) {
                changes.erase(f.name);
            }
        }
        versions.push_back({
            {"version", storage::AsInt(row[0])},
            {"action", storage::AsText(row[1])},
            {"actor_id", storage::IsNull(row[2]) ? Json(nullptr) : Json(storage::AsText(row[2]))},
            {"at", core::FormatTimestamp(storage::AsInt(row[3]))},
            {"changes", std::move(changes)},
        });
    }
    return Json{{"data", std::move(versions)}, {"current_version", record.version}};
}

Result<Record> RecordService::Revert(
    Connection& tx,
    const RequestContext& ctx,
    std::string_view entity,
    std::string_view id,
    int64_t version
) {
    VK_ASSIGN_OR_RETURN(auto def, Meta(tx, ctx, entity));
    VK_ASSIGN_OR_RETURN(Record current, Get(tx, ctx, entity, id));
    if (version < 1 || version > current.version) {
        return Error::InvalidField(
            "version", "must be between 1 and " + std::to_string(current.version)
        );
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        tx.Query(
            "SELECT changes FROM events WHERE tenant_id = $1 AND entity = $2 AND record_id = $3 "
            "AND version <= $4 ORDER BY version",
            {ctx.tenant_id, def->name, std::string(id), version}
        )
    );
    // Replay: the state at `version` is the last "to" of each field up to that version.
    Json state = Json::object();
    for (const auto& row : rows.rows) {
        Json changes = Json::parse(storage::AsText(row[0]), nullptr, false);
        if (!changes.is_object()) {
            continue;
        }
        for (const auto& [field, change] : changes.items()) {
            state[field] = change.value("to", Json(nullptr));
        }
    }
    Json patch = Json::object();
    const auto& rights = RightsOf(ctx, def->name);
    for (const FieldDef& f : def->fields) {
        if (f.read_only || rights.hidden_fields.contains(f.name) ||
            rights.read_only_fields.contains(f.name)) {
            continue;
        }
        const Json target = state.contains(f.name) ? state[f.name] : Json(nullptr);
        if (internal::ValueOf(f, current.body) != target) {
            if (f.custom) {
                patch["custom"][f.name] = target;
            } else {
                patch[f.name] = target;
            }
        }
    }
    return Update(tx, ctx, entity, id, patch, current.version);
}

Result<Json> RecordService::RecycleBin(Connection& c, const RequestContext& ctx, int limit) {
    if (limit < 1 || limit > 500) {
        return Error::InvalidField("limit", "must be between 1 and 500");
    }
    Json items = Json::array();
    for (const EntityDef* builtin : registry_.All()) {
        VK_ASSIGN_OR_RETURN(auto def, Meta(c, ctx, builtin->name));
        const access::Scope scope = RightsOf(ctx, def->name).read;
        if (scope == access::Scope::kNone) {
            continue;
        }
        std::vector<storage::Value> params{ctx.tenant_id};
        std::string where = "tenant_id = $1 AND deleted_at IS NOT NULL";
        const std::string s = ReadCondition(ctx, *def, scope, params);
        if (!s.empty()) {
            where += " AND " + s;
        }
        params.emplace_back(int64_t{limit});
        VK_ASSIGN_OR_RETURN(
            storage::Rows rows,
            c.Query(
                "SELECT " + internal::SelectColumns(*def) + " FROM " + def->name + " WHERE " +
                    where + " ORDER BY deleted_at DESC LIMIT $" + std::to_string(params.size()),
                params
            )
        );
        for (const auto& row : rows.rows) {
            Json body = Present(ctx, *def, internal::RowToBody(*def, row));
            std::string title;
            for (const auto& tf : def->title_fields) {
                if (body.contains(tf) && body[tf].is_string()) {
                    title += (title.empty() ? "" : " ") + body[tf].get<std::string>();
                }
            }
            items.push_back({
                {"entity", def->name},
                {"id", body["id"]},
                {"title", title},
                {"deleted_at", body["deleted_at"]},
                {"record", std::move(body)},
            });
        }
    }
    std::sort(items.begin(), items.end(), [](const Json& a, const Json& b) {
        return a["deleted_at"].get<std::string>() > b["deleted_at"].get<std::string>();
    });
    if (items.size() > static_cast<size_t>(limit)) {
        items.erase(items.begin() + limit, items.end());
    }
    return Json{{"data", std::move(items)}};
}

Result<Json> RecordService::EventsAfter(
    Connection& c, const RequestContext& ctx, int64_t after_seq, int limit
) {
    if (!ctx.permissions || !ctx.permissions->manage_metadata) {
        return Error::Forbidden("Only administrators can read the event log");
    }
    if (limit < 1 || limit > 1000) {
        return Error::InvalidField("limit", "must be between 1 and 1000");
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        c.Query(
            "SELECT seq, entity, record_id, version, action, actor_id, at, changes FROM events "
            "WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            {ctx.tenant_id, after_seq, int64_t{limit}}
        )
    );
    Json data = Json::array();
    int64_t last = after_seq;
    for (const auto& row : rows.rows) {
        last = storage::AsInt(row[0]);
        VK_ASSIGN_OR_RETURN(
            bool visible,
            PersonalRecordVisible(
                c, registry_, ctx, storage::AsText(row[1]), storage::AsText(row[2])
            )
        );
        if (!visible) {
            continue;  // the cursor still moves past it, so followers never stall on it
        }
        Json changes = Json::parse(storage::AsText(row[7]), nullptr, false);
        if (changes.is_object()) {
            const std::string entity = storage::AsText(row[1]);
            const auto& hidden = RightsOf(ctx, entity).hidden_fields;
            for (const auto& h : hidden) {
                changes.erase(h);
            }
            // Derived fields are built in, so the registry's definition lists them.
            if (const EntityDef* def = hidden.empty() ? nullptr : registry_.Find(entity)) {
                for (const FieldDef& f : def->fields) {
                    if (IsHiddenBy(f, hidden)) {
                        changes.erase(f.name);
                    }
                }
            }
        }
        data.push_back({
            {"seq", last},
            {"entity", storage::AsText(row[1])},
            {"record_id", storage::AsText(row[2])},
            {"version", storage::AsInt(row[3])},
            {"action", storage::AsText(row[4])},
            {"actor_id", storage::IsNull(row[5]) ? Json(nullptr) : Json(storage::AsText(row[5]))},
            {"at", core::FormatTimestamp(storage::AsInt(row[6]))},
            {"changes", std::move(changes)},
        });
    }
    return Json{{"data", std::move(data)}, {"next_after", last}};
}

}  // namespace voronka::records
