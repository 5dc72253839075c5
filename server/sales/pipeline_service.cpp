// Pipelines with their stages as one resource, and the kanban board of a pipeline.
#include <map>
#include <set>

#include "core/money.hpp"
#include "core/text.hpp"
#include "sales/deal_rollups.hpp"
#include "sales/hook_util.hpp"
#include "sales/sales_service.hpp"
#include "sales/service_util.hpp"

namespace voronka::sales {

using core::Error;
using internal::PrefixFields;
using internal::Str;

namespace {

constexpr size_t kMaxStages = 50;

std::string Index(const std::string& name, size_t i) {
    return name + "[" + std::to_string(i) + "].";
}

}  // namespace

SalesService::SalesService(records::RecordService& records, const core::Clock& clock)
    : records_(records), clock_(clock) {}

Result<Json> SalesService::StagesOf(
    Connection& c, const RequestContext& ctx, const std::string& pipeline_id, bool include_archived
) {
    std::vector<records::FilterTerm> filters{{"pipeline_id", "eq", pipeline_id}};
    if (!include_archived) {
        filters.push_back({"archived", "eq", "false"});
    }
    VK_ASSIGN_OR_RETURN(
        std::vector<Json> stages,
        internal::ListAll(
            records_, c, ctx, "stages", std::move(filters), "position", kMaxStages * 4
        )
    );
    Json out = Json::array();
    for (auto& s : stages) {
        out.push_back(std::move(s));
    }
    return out;
}

Result<Json> SalesService::CreatePipeline(
    Connection& tx, const RequestContext& ctx, const Json& input
) {
    if (!input.is_object()) {
        return Error::Invalid("The request body must be a JSON object");
    }
    const Json stages = input.contains("stages") ? input["stages"] : Json::array();
    if (!stages.is_array() || stages.size() > kMaxStages) {
        return Error::InvalidField("stages", "must be a list of up to 50 stages");
    }
    Json pipeline = input;
    pipeline.erase("stages");
    VK_ASSIGN_OR_RETURN(records::Record created, records_.Create(tx, ctx, "pipelines", pipeline));
    const std::string id = created.body["id"].get<std::string>();
    for (size_t i = 0; i < stages.size(); ++i) {
        if (!stages[i].is_object()) {
            return Error::InvalidField("stages[" + std::to_string(i) + "]", "must be an object");
        }
        Json stage = stages[i];
        stage["pipeline_id"] = id;
        if (!stage.contains("position")) {
            stage["position"] = static_cast<int64_t>(i);
        }
        auto made = records_.Create(tx, ctx, "stages", stage);
        if (!made) {
            return PrefixFields(std::move(made).error(), Index("stages", i));
        }
    }
    return GetPipeline(tx, ctx, id);
}

Result<Json> SalesService::GetPipeline(
    Connection& c, const RequestContext& ctx, const std::string& id
) {
    VK_ASSIGN_OR_RETURN(records::Record pipeline, records_.Get(c, ctx, "pipelines", id));
    VK_ASSIGN_OR_RETURN(Json stages, StagesOf(c, ctx, id, true));
    pipeline.body["stages"] = std::move(stages);
    return pipeline.body;
}

Result<Json> SalesService::ListPipelines(
    Connection& c, const RequestContext& ctx, bool include_archived
) {
    std::vector<records::FilterTerm> filters;
    if (!include_archived) {
        filters.push_back({"archived", "eq", "false"});
    }
    VK_ASSIGN_OR_RETURN(
        std::vector<Json> pipelines,
        internal::ListAll(records_, c, ctx, "pipelines", filters, "sort_order,name", 1000)
    );
    VK_ASSIGN_OR_RETURN(
        std::vector<Json> stages,
        internal::ListAll(records_, c, ctx, "stages", filters, "position", 1000 * kMaxStages)
    );
    std::map<std::string, Json> by_pipeline;
    for (auto& s : stages) {
        Json& list = by_pipeline[Str(s, "pipeline_id")];
        if (list.is_null()) {
            list = Json::array();
        }
        list.push_back(std::move(s));
    }
    Json data = Json::array();
    for (auto& p : pipelines) {
        auto it = by_pipeline.find(Str(p, "id"));
        p["stages"] = it == by_pipeline.end() ? Json::array() : std::move(it->second);
        data.push_back(std::move(p));
    }
    return Json{{"data", std::move(data)}, {"next_cursor", nullptr}};
}

Result<Json> SalesService::UpdatePipeline(
    Connection& tx,
    const RequestContext& ctx,
    const std::string& id,
    const Json& input,
    std::optional<int64_t> if_match
) {
    if (!input.is_object()) {
        return Error::Invalid("The request body must be a JSON object");
    }
    VK_RETURN_IF_ERROR(internal::RequireMetadataRights(ctx, "pipelines"));
    VK_ASSIGN_OR_RETURN(records::Record current, records_.Get(tx, ctx, "pipelines", id));
    if (if_match && *if_match != current.version) {
        return Error::Precondition(
            "The pipeline is at version " + std::to_string(current.version) + ", not " +
            std::to_string(*if_match)
        );
    }
    Json patch = input;
    patch.erase("stages");
    if (!patch.empty()) {
        VK_RETURN_IF_ERROR(records_.Update(tx, ctx, "pipelines", id, patch, current.version));
    }
    if (!input.contains("stages")) {
        return GetPipeline(tx, ctx, id);
    }
    const Json& entries = input["stages"];
    if (!entries.is_array() || entries.size() > kMaxStages) {
        return Error::InvalidField("stages", "must be a list of up to 50 stages");
    }
    VK_ASSIGN_OR_RETURN(Json existing_list, StagesOf(tx, ctx, id, true));
    std::map<std::string, Json> existing;
    for (const auto& s : existing_list) {
        existing[Str(s, "id")] = s;
    }
    std::vector<std::string> order;
    std::set<std::string> listed;
    for (size_t i = 0; i < entries.size(); ++i) {
        const std::string prefix = Index("stages", i);
        const Json& entry = entries[i];
        if (!entry.is_object()) {
            return Error::InvalidField("stages[" + std::to_string(i) + "]", "must be an object");
        }
        Json stage_patch = entry;
        stage_patch.erase("id");
        stage_patch.erase("move_deals_to");
        const std::string stage_id = Str(entry, "id");
        if (!entry.contains("id")) {
            stage_patch["pipeline_id"] = id;
            auto made = records_.Create(tx, ctx, "stages", stage_patch);
            if (!made) {
                return PrefixFields(std::move(made).error(), prefix);
            }
            order.push_back(made->body["id"].get<std::string>());
            listed.insert(order.back());
            continue;
        }
        auto it = existing.find(stage_id);
        if (it == existing.end()) {
            return Error::InvalidField(prefix + "id", "is not a stage of this pipeline");
        }
        if (!listed.insert(stage_id).second) {
            return Error::InvalidField(prefix + "id", "is listed twice");
        }
        order.push_back(stage_id);
        const std::string target = Str(entry, "move_deals_to");
        if (!target.empty()) {
            auto t = existing.find(target);
            if (t == existing.end() || target == stage_id ||
                internal::IsTrue(t->second, "archived")) {
                return Error::InvalidField(
                    prefix + "move_deals_to", "must be another active stage of this pipeline"
                );
            }
            VK_ASSIGN_OR_RETURN(
                storage::Rows deals,
                tx.Query(
                    "SELECT id FROM deals WHERE tenant_id = $1 AND stage_id = $2 AND deleted_at IS "
                    "NULL "
                    "ORDER BY id",
                    {ctx.tenant_id, stage_id}
                )
            );
            for (const auto& row : deals.rows) {
                auto moved = records_.Update(
                    tx,
                    ctx,
                    "deals",
                    storage::AsText(row[0]),
                    Json{{"stage_id", target}},
                    std::nullopt
                );
                if (!moved) {
                    Error e = std::move(moved).error();
                    const std::string why = e.fields.empty()
                                                ? e.message
                                                : e.fields[0].field + " " + e.fields[0].message;
                    return Error::Conflict(
                        "A deal cannot move to the target stage: " + why,
                        {{prefix + "move_deals_to", "deal " + storage::AsText(row[0]) + ": " + why}}
                    );
                }
            }
        }
        if (!stage_patch.empty()) {
            auto updated = records_.Update(tx, ctx, "stages", stage_id, stage_patch, std::nullopt);
            if (!updated) {
                return PrefixFields(std::move(updated).error(), prefix);
            }
        }
    }
    for (const auto& s : existing_list) {
        if (!listed.contains(Str(s, "id"))) {
            order.push_back(Str(s, "id"));
        }
    }
    VK_ASSIGN_OR_RETURN(Json now_list, StagesOf(tx, ctx, id, true));
    std::map<std::string, int64_t> positions;
    for (const auto& s : now_list) {
        positions[Str(s, "id")] =
            s["position"].is_number_integer() ? s["position"].get<int64_t>() : -1;
    }
    for (size_t k = 0; k < order.size(); ++k) {
        if (positions[order[k]] != static_cast<int64_t>(k)) {
            VK_RETURN_IF_ERROR(records_.Update(
                tx,
                ctx,
                "stages",
                order[k],
                Json{{"position", static_cast<int64_t>(k)}},
                std::nullopt
            ));
        }
    }
    return GetPipeline(tx, ctx, id);
}

core::Status SalesService::DeleteStageOrPipeline(
    Connection& tx,
    const RequestContext& ctx,
    const std::string& entity,
    const std::string& id,
    std::optional<int64_t> if_match
) {
    VK_RETURN_IF_ERROR(internal::RequireMetadataRights(ctx, "pipelines"));
    VK_RETURN_IF_ERROR(records_.Get(tx, ctx, entity, id));
    const std::string column = entity == "stages" ? "stage_id" : "pipeline_id";
    VK_ASSIGN_OR_RETURN(
        storage::Rows deals,
        tx.Query(
            "SELECT COUNT(*) FROM deals WHERE tenant_id = $1 AND " + column +
                " = $2 AND deleted_at IS NULL",
            {ctx.tenant_id, id}
        )
    );
    const int64_t count = storage::AsInt(deals.rows[0][0]);
    if (count > 0) {
        return Error::Conflict(
            "It still has " + std::to_string(count) + (count == 1 ? " deal" : " deals") +
            "; move or delete them first"
        );
    }
    return records_.Delete(tx, ctx, entity, id, if_match);
}

Result<Json> SalesService::Board(
    Connection& c,
    const RequestContext& ctx,
    const std::string& pipeline_id,
    const BoardQuery& query
) {
    if (query.limit < 0 || query.limit > 100) {
        return Error::InvalidField("limit", "must be between 0 and 100");
    }
    VK_ASSIGN_OR_RETURN(records::Record pipeline, records_.Get(c, ctx, "pipelines", pipeline_id));
    const access::Scope scope =
        ctx.permissions ? ctx.permissions->For("deals").read : access::Scope::kNone;
    if (scope == access::Scope::kNone) {
        return Error::Forbidden("Your role does not allow reading deals");
    }
    if (!internal::FieldVisible(records_, ctx, "deals", "stage_id")) {
        // The board lays deals out by stage: it would show the field the role hides.
        return Error::Forbidden("Your role does not allow seeing the stage of deals");
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows stage_rows,
        c.Query(
            "SELECT id, name, kind, probability FROM stages WHERE tenant_id = $1 AND pipeline_id = "
            "$2 "
            "AND deleted_at IS NULL AND archived = 0 ORDER BY position, id",
            {ctx.tenant_id, pipeline_id}
        )
    );
    // Owner conditions (read scope, owner and team filters) are roll-up keys; a tag is not, so
    // with a tag the deals themselves are counted.
    std::vector<storage::Value> params{ctx.tenant_id, pipeline_id};
    std::string conditions;
    const std::string scope_sql = records::ScopeCondition(ctx, scope, params);
    if (!scope_sql.empty()) {
        conditions += " AND " + scope_sql;
    }
    if (!query.owner_id.empty()) {
        params.emplace_back(query.owner_id);
        conditions += " AND owner_id = $" + std::to_string(params.size());
    }
    if (!query.team_id.empty()) {
        params.emplace_back(query.team_id);
        conditions +=
            " AND owner_id IN (SELECT id FROM users WHERE tenant_id = $1 AND team_id = $" +
            std::to_string(params.size()) + ")";
    }
    const bool per_row = !query.tag.empty();
    if (per_row) {
        if (!internal::FieldVisible(records_, ctx, "deals", "tags")) {
            return Error::InvalidField("tag", "filters on a field hidden from your role");
        }
        params.emplace_back(Json(core::NormalizeNfc(core::Trim(query.tag))).dump());
        conditions += c.dialect() == storage::Dialect::kSqlite
                          ? " AND instr(tags, $" + std::to_string(params.size()) + ") > 0"
                          : " AND strpos(tags, $" + std::to_string(params.size()) + ") > 0";
    }
    VK_ASSIGN_OR_RETURN(auto totals, PipelineTotals(c, conditions, params, per_row));
    const bool amounts_visible = internal::FieldVisible(records_, ctx, "deals", "amount");
    const std::string where =
        "tenant_id = $1 AND pipeline_id = $2 AND deleted_at IS NULL" + conditions;
    Json stages = Json::array();
    const size_t stage_param = params.size() + 1;
    params.emplace_back(nullptr);
    params.emplace_back(int64_t{query.limit});
    const std::string cards_sql =
        "SELECT id, version, title, amount, currency, probability, owner_id, contact_id, "
        "company_id, "
        "expected_close_date, tags, status, stage_changed_at, updated_at FROM deals WHERE " +
        where + " AND stage_id = $" + std::to_string(stage_param) +
        " ORDER BY updated_at DESC, id DESC LIMIT $" + std::to_string(stage_param + 1);
    for (const auto& s : stage_rows.rows) {
        const std::string stage_id = storage::AsText(s[0]);
        Json cards = Json::array();
        const auto total = totals.find(stage_id);
        const StageTotals none;
        const StageTotals& t = total == totals.end() ? none : total->second;
        if (query.limit > 0 && t.count > 0) {
            params[stage_param - 1] = stage_id;
            VK_ASSIGN_OR_RETURN(storage::Rows rows, c.Query(cards_sql, params));
            for (const auto& r : rows.rows) {
                auto text = [&](size_t i) {
                    return storage::IsNull(r[i]) ? Json(nullptr) : Json(storage::AsText(r[i]));
                };
                const std::string currency = storage::AsText(r[4]);
                Json tags = storage::IsNull(r[10])
                                ? Json(nullptr)
                                : Json::parse(storage::AsText(r[10]), nullptr, false);
                Json card = {
                    {"id", storage::AsText(r[0])},
                    {"version", storage::AsInt(r[1])},
                    {"title", text(2)},
                    {"amount",
                     storage::IsNull(r[3]) || currency.empty()
                         ? Json(nullptr)
                         : Json(core::FormatAmount(storage::AsInt(r[3]), currency))},
                    {"currency", text(4)},
                    {"probability",
                     storage::IsNull(r[5]) ? Json(nullptr) : Json(storage::AsInt(r[5]))},
                    {"owner_id", text(6)},
                    {"contact_id", text(7)},
                    {"company_id", text(8)},
                    {"expected_close_date", text(9)},
                    {"tags", tags.is_discarded() ? Json(nullptr) : tags},
                    {"status", text(11)},
                    {"stage_changed_at",
                     storage::IsNull(r[12]) ? Json(nullptr)
                                            : Json(core::FormatTimestamp(storage::AsInt(r[12])))},
                    {"updated_at", core::FormatTimestamp(storage::AsInt(r[13]))},
                };
                internal::HideFields(records_, ctx, "deals", card);
                cards.push_back(std::move(card));
            }
        }
        Json sums = Json::object();
        if (amounts_visible) {
            for (const auto& [currency, minor] : t.sums) {
                sums[currency] = core::FormatAmount(minor, currency);
            }
        }
        stages.push_back({
            {"id", stage_id},
            {"name", storage::AsText(s[1])},
            {"kind", storage::AsText(s[2])},
            {"probability", storage::AsInt(s[3])},
            {"count", t.count},
            {"sums", std::move(sums)},
            {"cards", std::move(cards)},
        });
    }
    return Json{
        {"pipeline", {{"id", pipeline_id}, {"name", pipeline.body["name"]}}},
        {"stages", std::move(stages)},
    };
}

}  // namespace voronka::sales
