// Merge and undo: PlanMerge decides the values, the record engine writes every change.
#include "quality/merge_service.hpp"

#include <map>

#include "access/permissions.hpp"
#include "core/clock.hpp"
#include "core/id.hpp"
#include "quality/duplicate_pairs.hpp"
#include "quality/merge_plan.hpp"
#include "quality/record_keys.hpp"

namespace voronka::quality {

using core::Error;
using core::Json;
using records::FieldDef;
using records::Record;
using records::RequestContext;
using storage::Connection;

namespace {

constexpr const char* kCustomPrefix = "custom.";

std::string PlanKey(const FieldDef& f) { return f.custom ? kCustomPrefix + f.name : f.name; }

// The fields a merge may change for this caller: writable by clients and by the caller's role.
std::vector<const FieldDef*> MergeableFields(
    const records::EntityDef& def, const RequestContext& ctx
) {
    static const access::EntityRights kNone;
    const access::EntityRights& rights = ctx.permissions ? ctx.permissions->For(def.name) : kNone;
    std::vector<const FieldDef*> out;
    for (const FieldDef& f : def.fields) {
        if (f.read_only || rights.hidden_fields.contains(f.name) ||
            rights.read_only_fields.contains(f.name)) {
            continue;
        }
        out.push_back(&f);
    }
    return out;
}

Json Project(const std::vector<const FieldDef*>& fields, const Json& body) {
    Json out = Json::object();
    for (const FieldDef* f : fields) {
        const Json* source = &body;
        if (f->custom) {
            auto custom = body.find("custom");
            source = custom != body.end() && custom->is_object() ? &*custom : nullptr;
        }
        Json value = nullptr;
        if (source) {
            auto it = source->find(f->name);
            if (it != source->end()) {
                value = *it;
            }
        }
        out[PlanKey(*f)] = std::move(value);
    }
    return out;
}

// Turns {"plan key": value} into an update patch ({"field": v, "custom": {"name": v}}).
Json ToPatch(const std::vector<std::pair<std::string, Json>>& values) {
    Json patch = Json::object();
    for (const auto& [key, value] : values) {
        if (key.starts_with(kCustomPrefix)) {
            patch["custom"][key.substr(std::string_view(kCustomPrefix).size())] = value;
        } else {
            patch[key] = value;
        }
    }
    return patch;
}

Json ValueAt(const Json& body, const std::string& key) {
    if (key.starts_with(kCustomPrefix)) {
        auto custom = body.find("custom");
        if (custom == body.end() || !custom->is_object()) {
            return nullptr;
        }
        auto it = custom->find(key.substr(std::string_view(kCustomPrefix).size()));
        return it == custom->end() ? Json(nullptr) : *it;
    }
    auto it = body.find(key);
    return it == body.end() ? Json(nullptr) : *it;
}

core::Result<std::string> RequiredId(const Json& input, const char* name) {
    auto it = input.find(name);
    if (it == input.end() || !it->is_string() || it->get<std::string>().empty()) {
        return Error::InvalidField(name, "is required and must be a record id");
    }
    return it->get<std::string>();
}

// A record of the merge: readable by the caller (else kNotFound) and not in the recycle bin.
core::Result<Record> LoadLive(
    records::RecordService& records,
    Connection& tx,
    const RequestContext& ctx,
    std::string_view entity,
    const std::string& id,
    const char* role
) {
    VK_ASSIGN_OR_RETURN(Record record, records.Get(tx, ctx, entity, id, true));
    if (record.deleted) {
        return Error::Conflict(
            std::string("The ") + role + " record is in the recycle bin",
            {{std::string(role) + "_id", "is in the recycle bin"}}
        );
    }
    return record;
}

Json MergeRowJson(const storage::Rows& rows) {
    const auto& row = rows.rows[0];
    Json changes = Json::parse(storage::AsText(row[4]), nullptr, false);
    Json moved = Json::parse(storage::AsText(row[5]), nullptr, false);
    return Json{
        {"id", storage::AsText(row[0])},
        {"entity", storage::AsText(row[1])},
        {"survivor_id", storage::AsText(row[2])},
        {"other_id", storage::AsText(row[3])},
        {"changes", changes.is_array() ? changes : Json::array()},
        {"moved", moved.is_array() ? moved : Json::array()},
        {"created_by", storage::IsNull(row[6]) ? Json(nullptr) : Json(storage::AsText(row[6]))},
        {"created_at", core::FormatTimestamp(storage::AsInt(row[7]))},
        {"undone_by", storage::IsNull(row[8]) ? Json(nullptr) : Json(storage::AsText(row[8]))},
        {"undone_at",
         storage::IsNull(row[9]) ? Json(nullptr)
                                 : Json(core::FormatTimestamp(storage::AsInt(row[9])))}};
}

core::Result<storage::Rows> LoadMerge(
    Connection& c, const RequestContext& ctx, std::string_view merge_id
) {
    if (ctx.tenant_id <= 0 || !core::IsIdShaped(merge_id)) {
        return Error::NotFound("No such merge");
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        c.Query(
            "SELECT id, entity, survivor_id, other_id, changes, moved, created_by, created_at, "
            "undone_by, undone_at FROM merges WHERE tenant_id = $1 AND id = $2",
            {ctx.tenant_id, std::string(merge_id)}
        )
    );
    if (rows.empty()) {
        return Error::NotFound("No such merge");
    }
    return rows;
}

}  // namespace

MergeService::MergeService(records::RecordService& records, const core::Clock& clock)
    : records_(records), clock_(clock) {}

core::Result<Json> MergeService::Merge(
    Connection& tx, const RequestContext& ctx, std::string_view entity, const Json& input
) {
    if (!input.is_object()) {
        return Error::Invalid("The request body must be a JSON object");
    }
    if (!FindProfile(entity)) {
        return Error::NotFound("Records of '" + std::string(entity) + "' cannot be merged");
    }
    VK_ASSIGN_OR_RETURN(std::string survivor_id, RequiredId(input, "survivor_id"));
    VK_ASSIGN_OR_RETURN(std::string other_id, RequiredId(input, "other_id"));
    if (survivor_id == other_id) {
        return Error::InvalidField("other_id", "must differ from survivor_id");
    }
    VK_ASSIGN_OR_RETURN(auto def, records_.Meta(tx, ctx, entity));
    const std::vector<const FieldDef*> fields = MergeableFields(*def, ctx);

    std::map<std::string, FieldChoice> choices;
    std::vector<core::FieldError> errors;
    if (auto it = input.find("fields"); it != input.end() && !it->is_null()) {
        if (!it->is_object()) {
            return Error::InvalidField(
                "fields", "must be an object of field -> \"survivor\" | \"other\""
            );
        }
        for (const auto& [name, choice] : it->items()) {
            const FieldDef* field = nullptr;
            for (const FieldDef* f : fields) {
                if (f->name == name || PlanKey(*f) == name) {
                    field = (!field || !f->custom) ? f : field;  // a built-in name wins
                }
            }
            if (!field) {
                errors.push_back({"fields." + name, "is not a field this merge can change"});
                continue;
            }
            if (!choice.is_string() || (choice != "survivor" && choice != "other")) {
                errors.push_back({"fields." + name, "must be \"survivor\" or \"other\""});
                continue;
            }
            choices[PlanKey(*field)] =
                choice == "other" ? FieldChoice::kOther : FieldChoice::kSurvivor;
        }
    }
    if (!errors.empty()) {
        return Error::Invalid("Invalid merge", std::move(errors));
    }

    VK_ASSIGN_OR_RETURN(
        Record survivor, LoadLive(records_, tx, ctx, entity, survivor_id, "survivor")
    );
    VK_ASSIGN_OR_RETURN(Record other, LoadLive(records_, tx, ctx, entity, other_id, "other"));
    VK_ASSIGN_OR_RETURN(
        MergePlan plan,
        PlanMerge(Project(fields, survivor.body), Project(fields, other.body), choices)
    );

    // Always updates, even without changes: that checks the caller may edit the survivor.
    std::vector<std::pair<std::string, Json>> after_values;
    Json changes = Json::array();
    for (const FieldChange& change : plan.changes) {
        after_values.emplace_back(change.field, change.after);
        changes.push_back(
            {{"field", change.field}, {"before", change.before}, {"after", change.after}}
        );
    }
    VK_ASSIGN_OR_RETURN(
        Record merged,
        records_.Update(tx, ctx, entity, survivor_id, ToPatch(after_values), std::nullopt)
    );

    Json moved = Json::array();
    for (const records::EntityDef* referrer : records_.registry().All()) {
        std::vector<records::ReferenceMove> moves;
        for (const FieldDef& f : referrer->fields) {
            if (f.type == records::FieldType::kReference && f.ref_entity == entity && !f.custom) {
                moves.push_back({referrer->name, f.name, other_id, survivor_id, {}, std::nullopt});
            }
        }
        const FieldDef* related_entity = referrer->Field("related_entity");
        const FieldDef* related_id = referrer->Field("related_id");
        if (related_entity && related_id && !related_entity->custom && !related_id->custom) {
            moves.push_back(
                {referrer->name,
                 "related_id",
                 other_id,
                 survivor_id,
                 {{"related_entity", std::string(entity)}},
                 std::nullopt}
            );
        }
        for (const records::ReferenceMove& move : moves) {
            VK_ASSIGN_OR_RETURN(
                std::vector<std::string> ids, records_.MoveReferences(tx, ctx, move)
            );
            if (ids.empty()) {
                continue;
            }
            Json where = Json::object();
            for (const auto& [name, value] : move.where) {
                where[name] = value;
            }
            moved.push_back(
                {{"entity", move.entity}, {"field", move.field}, {"where", where}, {"ids", ids}}
            );
        }
    }
    VK_RETURN_IF_ERROR(records_.Delete(tx, ctx, entity, other_id, std::nullopt));
    VK_RETURN_IF_ERROR(ForgetPairs(tx, ctx.tenant_id, entity, other_id));

    const std::string merge_id = core::NewId();
    const int64_t now = clock_.NowMicros();
    auto stored = tx.Execute(
        "INSERT INTO merges (tenant_id, id, entity, survivor_id, other_id, changes, moved, "
        "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        {ctx.tenant_id,
         merge_id,
         std::string(entity),
         survivor_id,
         other_id,
         changes.dump(),
         moved.dump(),
         ctx.user_id.empty() ? storage::Value(nullptr) : storage::Value(ctx.user_id),
         now}
    );
    if (!stored) {
        return std::move(stored).error();
    }
    return Json{
        {"id", merge_id},
        {"entity", std::string(entity)},
        {"survivor_id", survivor_id},
        {"other_id", other_id},
        {"survivor", merged.body},
        {"changes", changes},
        {"moved", moved},
        {"created_at", core::FormatTimestamp(now)}};
}

core::Result<Json> MergeService::Undo(
    Connection& tx, const RequestContext& ctx, std::string_view merge_id
) {
    VK_ASSIGN_OR_RETURN(storage::Rows rows, LoadMerge(tx, ctx, merge_id));
    const Json merge = MergeRowJson(rows);
    if (!merge["undone_at"].is_null()) {
        return Error::Conflict("This merge was already undone");
    }
    const std::string entity = merge["entity"].get<std::string>();
    const std::string survivor_id = merge["survivor_id"].get<std::string>();
    const std::string other_id = merge["other_id"].get<std::string>();

    VK_ASSIGN_OR_RETURN(
        Record survivor, LoadLive(records_, tx, ctx, entity, survivor_id, "survivor")
    );
    auto other = records_.Get(tx, ctx, entity, other_id, true);
    if (!other) {
        if (other.error().code == core::ErrorCode::kNotFound) {
            return Error::Conflict("The merged-away record no longer exists");
        }
        return std::move(other).error();
    }
    if (other->deleted) {
        auto restored_other = records_.Restore(tx, ctx, entity, other_id);
        if (!restored_other) {
            return std::move(restored_other).error();
        }
    }

    int64_t moved_back = 0;
    for (const Json& item : merge["moved"]) {
        records::ReferenceMove move;
        move.entity = item.value("entity", "");
        move.field = item.value("field", "");
        move.from_id = survivor_id;
        move.to_id = other_id;
        if (item.contains("where") && item["where"].is_object()) {
            for (const auto& [name, value] : item["where"].items()) {
                move.where.emplace_back(name, value.is_string() ? value.get<std::string>() : "");
            }
        }
        move.only_ids = item.contains("ids") ? item["ids"].get<std::vector<std::string>>()
                                             : std::vector<std::string>();
        VK_ASSIGN_OR_RETURN(std::vector<std::string> ids, records_.MoveReferences(tx, ctx, move));
        moved_back += static_cast<int64_t>(ids.size());
    }

    std::vector<std::pair<std::string, Json>> revert;
    Json reverted = Json::array();
    Json kept = Json::array();
    for (const Json& change : merge["changes"]) {
        const std::string field = change.value("field", "");
        if (ValueAt(survivor.body, field) == change["after"]) {
            revert.emplace_back(field, change["before"]);
            reverted.push_back(field);
        } else {
            kept.push_back(field);
        }
    }
    VK_ASSIGN_OR_RETURN(
        Record restored,
        records_.Update(tx, ctx, entity, survivor_id, ToPatch(revert), std::nullopt)
    );
    VK_ASSIGN_OR_RETURN(Record other_now, records_.Get(tx, ctx, entity, other_id));
    const int64_t now = clock_.NowMicros();
    VK_ASSIGN_OR_RETURN(
        int64_t changed,
        tx.Execute(
            "UPDATE merges SET undone_at = $3, undone_by = $4 WHERE tenant_id = $1 AND id = $2 AND "
            "undone_at IS NULL",
            {ctx.tenant_id,
             std::string(merge_id),
             now,
             ctx.user_id.empty() ? storage::Value(nullptr) : storage::Value(ctx.user_id)}
        )
    );
    if (changed != 1) {
        return Error::Conflict("This merge was already undone");
    }
    return Json{
        {"id", std::string(merge_id)},
        {"survivor", restored.body},
        {"other", other_now.body},
        {"reverted", reverted},
        {"kept", kept},
        {"moved_back", moved_back}};
}

core::Result<Json> MergeService::Get(
    Connection& c, const RequestContext& ctx, std::string_view merge_id
) {
    VK_ASSIGN_OR_RETURN(storage::Rows rows, LoadMerge(c, ctx, merge_id));
    Json merge = MergeRowJson(rows);
    // Seeing a merge needs read access to the surviving record.
    VK_RETURN_IF_ERROR(
        records_.Get(
                    c,
                    ctx,
                    merge["entity"].get<std::string>(),
                    merge["survivor_id"].get<std::string>(),
                    true
        )
                .has_value()
            ? core::Ok()
            : core::Status(Error::NotFound("No such merge"))
    );
    return merge;
}

}  // namespace voronka::quality
