// Repointing references from one record to another, with an event per changed record (merges).
#include <algorithm>

#include "core/id.hpp"
#include "records/record_service.hpp"

namespace voronka::records {

using core::Error;

Result<std::vector<std::string>> RecordService::MoveReferences(
    Connection& tx, const RequestContext& ctx, const ReferenceMove& move
) {
    const EntityDef* def = registry_.Find(move.entity);
    if (!def) {
        return Error::InvalidField("entity", "is not a built-in entity");
    }
    auto built_in = [&](const std::string& name) {
        const FieldDef* f = def->Field(name);
        return f && !f->custom && IsIdentifier(name);
    };
    if (!built_in(move.field)) {
        return Error::InvalidField("field", "is not a built-in field of " + def->name);
    }
    if (ctx.tenant_id <= 0 || !core::IsIdShaped(move.from_id) || !core::IsIdShaped(move.to_id)) {
        return Error::Invalid("References can only move between records of the tenant");
    }
    std::vector<storage::Value> params{ctx.tenant_id, move.from_id};
    std::string where = "tenant_id = $1 AND " + move.field + " = $2";
    for (const auto& [name, value] : move.where) {
        if (!built_in(name)) {
            return Error::InvalidField("where", name + " is not a built-in field of " + def->name);
        }
        params.emplace_back(value);
        where += " AND " + name + " = $" + std::to_string(params.size());
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        tx.Query(
            "SELECT id, version FROM " + def->name + " WHERE " + where + " ORDER BY id", params
        )
    );
    std::vector<std::string> moved;
    const int64_t now = clock_.NowMicros();
    const Json changes = {{move.field, {{"from", move.from_id}, {"to", move.to_id}}}};
    for (const auto& row : rows.rows) {
        std::string id = storage::AsText(row[0]);
        if (move.only_ids &&
            std::find(move.only_ids->begin(), move.only_ids->end(), id) == move.only_ids->end()) {
            continue;
        }
        const int64_t version = storage::AsInt(row[1]);
        VK_ASSIGN_OR_RETURN(
            int64_t changed,
            tx.Execute(
                "UPDATE " + def->name + " SET " + move.field +
                    " = $4, version = $3 + 1, updated_at = $5, updated_by = $6 "
                    "WHERE tenant_id = $1 AND id = $2 AND version = $3",
                {ctx.tenant_id, id, version, move.to_id, now, ctx.user_id}
            )
        );
        if (changed != 1) {
            return Error::Precondition("A record was changed by someone else; retry");
        }
        VK_RETURN_IF_ERROR(WriteEvent(tx, ctx, *def, id, version + 1, "update", changes, now));
        moved.push_back(std::move(id));
    }
    if (!moved.empty()) {
        for (const ReferenceMoveHook& hook : def->after_reference_move) {
            VK_RETURN_IF_ERROR(hook(tx, ctx, move.field, move.from_id, move.to_id));
        }
    }
    return moved;
}

}  // namespace voronka::records
