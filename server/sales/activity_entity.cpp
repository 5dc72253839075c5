// Activities: calls, meetings, emails, notes and tasks, each attached to any record of the tenant.
#include "core/clock.hpp"
#include "core/id.hpp"
#include "records/record_service.hpp"
#include "sales/hook_util.hpp"
#include "sales/sales_entities.hpp"

namespace voronka::sales {

using core::Error;
using core::Json;
using internal::Changed;
using internal::Str;
using records::FieldType;
using records::WriteHookArgs;

namespace {

// The related record must exist in the tenant and be readable by the caller.
core::Status CheckRelated(WriteHookArgs& a, const records::EntityRegistry& registry) {
    Json& v = a.values;
    const std::string entity = Str(v, "related_entity");
    const std::string id = Str(v, "related_id");
    if (entity.empty() != id.empty()) {
        return Error::InvalidField(
            entity.empty() ? "related_entity" : "related_id",
            "is required together with " +
                std::string(entity.empty() ? "related_id" : "related_entity")
        );
    }
    if (entity.empty() ||
        (!Changed(a.before, v, "related_entity") && !Changed(a.before, v, "related_id"))) {
        return core::Ok();
    }
    const records::EntityDef* def = registry.Find(entity);
    if (!def || entity == "activities" || def->personal) {
        return Error::InvalidField(
            "related_entity", "is not an entity activities can be attached to"
        );
    }
    if (!core::IsIdShaped(id)) {
        return Error::InvalidField("related_id", "must be a record id");
    }
    const access::Scope scope =
        a.ctx.permissions ? a.ctx.permissions->For(entity).read : access::Scope::kNone;
    std::vector<storage::Value> params{a.ctx.tenant_id, id};
    std::string where = "tenant_id = $1 AND id = $2 AND deleted_at IS NULL";
    if (scope == access::Scope::kNone) {
        where += " AND 1 = 0";
    } else if (def->has_owner) {
        const std::string condition = records::ScopeCondition(a.ctx, scope, params);
        if (!condition.empty()) {
            where += " AND " + condition;
        }
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows, a.tx.Query("SELECT 1 FROM " + def->name + " WHERE " + where, params)
    );
    if (rows.empty()) {
        return Error::InvalidField("related_id", "refers to a record that does not exist");
    }
    return core::Ok();
}

core::Status CheckTypeFields(const Json& v) {
    const std::string type = Str(v, "type");
    for (const char* field : {"direction", "duration_seconds", "result", "recording_url"}) {
        if (type != "call" && !v[field].is_null()) {
            return Error::InvalidField(field, "applies to calls only");
        }
    }
    for (const char* field : {"starts_at", "ends_at", "place", "participants"}) {
        if (type != "meeting" && !v[field].is_null()) {
            return Error::InvalidField(field, "applies to meetings only");
        }
    }
    if (!v["duration_seconds"].is_null() && v["duration_seconds"].get<int64_t>() < 0) {
        return Error::InvalidField("duration_seconds", "must not be negative");
    }
    if (type == "meeting") {
        if (v["starts_at"].is_null()) {
            return Error::InvalidField("starts_at", "is required for a meeting");
        }
        if (!v["ends_at"].is_null() &&
            *core::ParseTimestamp(Str(v, "ends_at")) < *core::ParseTimestamp(Str(v, "starts_at"))) {
            return Error::InvalidField("ends_at", "must not be before starts_at");
        }
    }
    const Json& participants = v["participants"];
    if (!participants.is_null()) {
        if (!participants.is_array() || participants.size() > 100) {
            return Error::InvalidField("participants", "must be a list of up to 100 entries");
        }
        for (const Json& p : participants) {
            if (!p.is_string() && !p.is_object()) {
                return Error::InvalidField("participants", "entries must be strings or objects");
            }
        }
    }
    return core::Ok();
}

records::WriteHook ActivityHook(const core::Clock& clock, const records::EntityRegistry& registry) {
    return [&clock, &registry](WriteHookArgs& a) -> core::Status {
        Json& v = a.values;
        VK_RETURN_IF_ERROR(CheckRelated(a, registry));
        VK_RETURN_IF_ERROR(CheckTypeFields(v));
        if (v["priority"].is_null()) {
            v["priority"] = "normal";
        }
        if (v["done"].is_null()) {
            v["done"] = false;
        }
        if (v["assignee_id"].is_null()) {
            v["assignee_id"] = v["owner_id"];
        }
        if (!internal::IsTrue(v, "done")) {
            v["done_at"] = nullptr;
        } else if (!a.before || !internal::IsTrue(*a.before, "done")) {
            v["done_at"] = core::FormatTimestamp(clock.NowMicros());
        }
        return core::Ok();
    };
}

}  // namespace

records::EntityDef ActivityEntity(
    const core::Clock& clock, const records::EntityRegistry& registry
) {
    records::EntityDef e;
    e.name = "activities";
    e.label = "Activities";
    e.title_fields = {"subject"};
    e.fields = {
        {.name = "type",
         .type = FieldType::kEnum,
         .label = "Type",
         .required = true,
         .options = {"call", "meeting", "email", "note", "task"}},
        {.name = "subject",
         .type = FieldType::kText,
         .label = "Subject",
         .searchable = true,
         .max_length = 500},
        {.name = "body",
         .type = FieldType::kText,
         .label = "Text",
         .searchable = true,
         .max_length = 100000},
        {.name = "related_entity",
         .type = FieldType::kText,
         .label = "Related entity",
         .max_length = 63},
        {.name = "related_id",
         .type = FieldType::kText,
         .label = "Related record",
         .max_length = 64},
        {.name = "owner_id", .type = FieldType::kUser, .label = "Owner"},
        {.name = "assignee_id", .type = FieldType::kUser, .label = "Assignee"},
        {.name = "due_at", .type = FieldType::kDateTime, .label = "Due"},
        {.name = "reminder_at", .type = FieldType::kDateTime, .label = "Reminder"},
        {.name = "priority",
         .type = FieldType::kEnum,
         .label = "Priority",
         .options = {"low", "normal", "high"}},
        {.name = "done", .type = FieldType::kBool, .label = "Done"},
        {.name = "done_at", .type = FieldType::kDateTime, .label = "Done at", .read_only = true},
        {.name = "direction",
         .type = FieldType::kEnum,
         .label = "Direction",
         .options = {"in", "out"}},
        {.name = "duration_seconds", .type = FieldType::kInteger, .label = "Duration, s"},
        {.name = "result", .type = FieldType::kText, .label = "Result", .max_length = 1000},
        {.name = "recording_url",
         .type = FieldType::kUrl,
         .label = "Recording",
         .max_length = 2000},
        {.name = "starts_at", .type = FieldType::kDateTime, .label = "Starts"},
        {.name = "ends_at", .type = FieldType::kDateTime, .label = "Ends"},
        {.name = "place", .type = FieldType::kText, .label = "Place", .max_length = 500},
        {.name = "participants", .type = FieldType::kJson, .label = "Participants"},
    };
    e.before_write = {ActivityHook(clock, registry)};
    return e;
}

}  // namespace voronka::sales
