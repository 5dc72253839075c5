// Deals beyond CRUD: distribution on create, product lines as one edit, stage history.
#include <map>
#include <set>

#include "core/money.hpp"
#include "sales/distribution.hpp"
#include "sales/hook_util.hpp"
#include "sales/sales_service.hpp"
#include "sales/service_util.hpp"

namespace voronka::sales {

using core::Error;
using internal::PrefixFields;
using internal::Str;

namespace {

constexpr size_t kMaxLines = 200;

std::string RecordTitle(const std::string& entity, const Json& body) {
    if (entity == "deals") {
        return Str(body, "title");
    }
    std::string title;
    for (const char* key : {"first_name", "last_name", "company_name"}) {
        const std::string part = Str(body, key);
        if (!part.empty()) {
            title += (title.empty() ? "" : " ") + part;
        }
    }
    return title.empty() ? Str(body, "email") : title;
}

// Removes from a DealLines result what the caller's role may not see: a total whose line field
// is hidden, and, when the deal's own amount is hidden and follows its lines, every money value
// of the lines and the totals, since they add up to that amount.
void HideDerivedTotals(
    const records::RecordService& records, const RequestContext& ctx, const Json& deal, Json& result
) {
    Json& totals = result["totals"];
    for (const char* name : {"amount", "tax_amount", "total"}) {
        if (!internal::FieldVisible(records, ctx, "deal_lines", name)) {
            totals.erase(name);
        }
    }
    const auto follows = deal.find("amount_from_lines");
    // Absent from the body when the role hides the flag too: then assume it follows.
    const bool may_follow =
        follows == deal.end() || (follows->is_boolean() && follows->get<bool>());
    if (internal::FieldVisible(records, ctx, "deals", "amount") || !may_follow) {
        return;
    }
    totals.erase("amount");
    totals.erase("tax_amount");
    totals.erase("total");
    if (const records::EntityDef* def = records.registry().Find("deal_lines")) {
        for (Json& line : result["data"]) {
            for (const records::FieldDef& f : def->fields) {
                if (f.type == records::FieldType::kMoney) {
                    line.erase(f.name);
                }
            }
        }
    }
}

}  // namespace

Result<records::Record> SalesService::CreateWithDistribution(
    Connection& tx, const RequestContext& ctx, const std::string& entity, const Json& input
) {
    if (!input.is_object()) {
        return Error::Invalid("The request body must be a JSON object");
    }
    Json body = input;
    std::optional<Assignment> assignment;
    const bool explicit_owner = body.contains("owner_id") && !body["owner_id"].is_null();
    const bool may_assign =
        ctx.permissions && ctx.permissions->For(entity).create == access::Scope::kAll;
    if (!explicit_owner && may_assign && (entity == "leads" || entity == "deals")) {
        VK_ASSIGN_OR_RETURN(assignment, Distribute(tx, ctx, entity, body, clock_));
        if (assignment) {
            body["owner_id"] = assignment->user_id;
        }
    }
    VK_ASSIGN_OR_RETURN(records::Record created, records_.Create(tx, ctx, entity, body));
    if (assignment && assignment->first_task_minutes &&
        ctx.permissions->For("activities").create == access::Scope::kAll) {
        const int64_t due = clock_.NowMicros() + *assignment->first_task_minutes * 60'000'000;
        const Json task = {
            {"type", "task"},
            {"subject", "First contact: " + RecordTitle(entity, created.body)},
            {"related_entity", entity},
            {"related_id", created.body["id"]},
            {"owner_id", assignment->user_id},
            {"assignee_id", assignment->user_id},
            {"due_at", core::FormatTimestamp(due)},
            {"priority", "high"},
        };
        VK_RETURN_IF_ERROR(records_.Create(tx, ctx, "activities", task));
    }
    return created;
}

Result<Json> SalesService::DealLines(
    Connection& c, const RequestContext& ctx, const std::string& deal_id
) {
    VK_ASSIGN_OR_RETURN(records::Record deal, records_.Get(c, ctx, "deals", deal_id));
    VK_ASSIGN_OR_RETURN(Json result, AllDealLines(c, ctx, deal));
    HideDerivedTotals(records_, ctx, deal.body, result);
    return result;
}

Result<Json> SalesService::AllDealLines(
    Connection& c, const RequestContext& ctx, const records::Record& deal
) {
    const std::string deal_id = Str(deal.body, "id");
    VK_ASSIGN_OR_RETURN(
        std::vector<Json> lines,
        internal::ListAll(
            records_, c, ctx, "deal_lines", {{"deal_id", "eq", deal_id}}, "position", kMaxLines * 5
        )
    );
    // Lines share the deal's currency (a mismatch is refused on write).
    VK_ASSIGN_OR_RETURN(
        storage::Rows sums,
        c.Query(
            "SELECT currency, CAST(SUM(amount) AS BIGINT), CAST(SUM(tax_amount) AS BIGINT), "
            "CAST(SUM(total) AS BIGINT) FROM deal_lines WHERE tenant_id = $1 AND deal_id = $2 "
            "AND deleted_at IS NULL GROUP BY currency",
            {ctx.tenant_id, deal_id}
        )
    );
    std::string currency = sums.empty() ? Str(deal.body, "currency") : std::string();
    int64_t amount = 0;
    int64_t tax = 0;
    int64_t total = 0;
    for (const auto& row : sums.rows) {
        currency = storage::AsText(row[0]);
        amount = storage::AsInt(row[1]);
        tax = storage::AsInt(row[2]);
        total = storage::AsInt(row[3]);
    }
    Json data = Json::array();
    for (auto& line : lines) {
        data.push_back(std::move(line));
    }
    Json totals = {{"currency", currency.empty() ? Json(nullptr) : Json(currency)}};
    totals["amount"] = currency.empty() ? Json("0") : Json(core::FormatAmount(amount, currency));
    totals["tax_amount"] = currency.empty() ? Json("0") : Json(core::FormatAmount(tax, currency));
    totals["total"] = currency.empty() ? Json("0") : Json(core::FormatAmount(total, currency));
    return Json{
        {"deal_id", deal_id},
        {"deal_version", deal.version},
        {"data", std::move(data)},
        {"totals", std::move(totals)}};
}

Result<Json> SalesService::ReplaceDealLines(
    Connection& tx,
    const RequestContext& ctx,
    const std::string& deal_id,
    const Json& input,
    std::optional<int64_t> if_match
) {
    if (!input.is_object() || !input.contains("lines") || !input["lines"].is_array()) {
        return Error::InvalidField("lines", "must be a list of product lines");
    }
    const Json& entries = input["lines"];
    if (entries.size() > kMaxLines) {
        return Error::InvalidField("lines", "must hold at most 200 lines");
    }
    if (tx.dialect() == storage::Dialect::kPostgres) {
        // Concurrent edits of one deal's lines take turns, so If-Match below stays meaningful.
        VK_RETURN_IF_ERROR(tx.Query(
            "SELECT 1 FROM deals WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
            {ctx.tenant_id, deal_id}
        ));
    }
    VK_ASSIGN_OR_RETURN(records::Record deal, records_.Get(tx, ctx, "deals", deal_id));
    if (if_match && *if_match != deal.version) {
        return Error::Precondition(
            "The deal is at version " + std::to_string(deal.version) + ", not " +
            std::to_string(*if_match)
        );
    }
    VK_ASSIGN_OR_RETURN(
        std::vector<Json> existing_list,
        internal::ListAll(
            records_, tx, ctx, "deal_lines", {{"deal_id", "eq", deal_id}}, "position", kMaxLines * 5
        )
    );
    std::set<std::string> existing;
    for (const auto& l : existing_list) {
        existing.insert(Str(l, "id"));
    }
    std::set<std::string> kept;
    for (size_t i = 0; i < entries.size(); ++i) {
        const std::string prefix = "lines[" + std::to_string(i) + "].";
        if (!entries[i].is_object()) {
            return Error::InvalidField("lines[" + std::to_string(i) + "]", "must be an object");
        }
        Json line = entries[i];
        line.erase("id");
        if (!line.contains("position")) {
            line["position"] = static_cast<int64_t>(i);
        }
        if (!entries[i].contains("id")) {
            line["deal_id"] = deal_id;
            auto made = records_.Create(tx, ctx, "deal_lines", line);
            if (!made) {
                return PrefixFields(std::move(made).error(), prefix);
            }
            continue;
        }
        const std::string line_id = Str(entries[i], "id");
        if (!existing.contains(line_id) || !kept.insert(line_id).second) {
            return Error::InvalidField(
                prefix + "id", "is not a line of this deal (or listed twice)"
            );
        }
        auto updated = records_.Update(tx, ctx, "deal_lines", line_id, line, std::nullopt);
        if (!updated) {
            return PrefixFields(std::move(updated).error(), prefix);
        }
    }
    for (const auto& id : existing) {
        if (!kept.contains(id)) {
            VK_RETURN_IF_ERROR(records_.Delete(tx, ctx, "deal_lines", id, std::nullopt));
        }
    }
    VK_ASSIGN_OR_RETURN(Json result, AllDealLines(tx, ctx, deal));
    const bool set_amount = internal::IsTrue(input, "set_amount");
    if (set_amount || internal::IsTrue(deal.body, "amount_from_lines")) {
        Json patch = {{"amount_from_lines", true}};
        const Json& totals = result["totals"];
        if (totals["currency"].is_string()) {
            patch["currency"] = totals["currency"];
            patch["amount"] = totals["total"];
        } else {
            patch["amount"] = nullptr;
        }
        VK_ASSIGN_OR_RETURN(
            records::Record updated, records_.Update(tx, ctx, "deals", deal_id, patch, std::nullopt)
        );
        result["deal_version"] = updated.version;
        deal = std::move(updated);
    }
    HideDerivedTotals(records_, ctx, deal.body, result);
    return result;
}

Result<Json> SalesService::StageHistory(
    Connection& c, const RequestContext& ctx, const std::string& deal_id
) {
    VK_ASSIGN_OR_RETURN(records::Record deal, records_.Get(c, ctx, "deals", deal_id));
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        c.Query(
            "SELECT version, at, actor_id, changes FROM events "
            "WHERE tenant_id = $1 AND entity = 'deals' AND record_id = $2 ORDER BY version",
            {ctx.tenant_id, deal_id}
        )
    );

    struct Move {
        int64_t version;
        int64_t at;
        Json actor;
        Json from;
        Json to;
        Json status;
    };

    std::vector<Move> moves;
    std::set<std::string> stage_ids;
    for (const auto& row : rows.rows) {
        Json changes = Json::parse(storage::AsText(row[3]), nullptr, false);
        // A role that may not see the stage (or status) sees no moves (or no outcome).
        internal::HideFields(records_, ctx, "deals", changes);
        if (!changes.is_object() || !changes.contains("stage_id")) {
            continue;
        }
        const Json& change = changes["stage_id"];
        Move m{
            storage::AsInt(row[0]),
            storage::AsInt(row[1]),
            storage::IsNull(row[2]) ? Json(nullptr) : Json(storage::AsText(row[2])),
            change.value("from", Json(nullptr)),
            change.value("to", Json(nullptr)),
            changes.contains("status") ? changes["status"].value("to", Json(nullptr))
                                       : Json(nullptr),
        };
        for (const Json* s : {&m.from, &m.to}) {
            if (s->is_string()) {
                stage_ids.insert(s->get<std::string>());
            }
        }
        moves.push_back(std::move(m));
    }
    std::map<std::string, std::string> names;
    if (!stage_ids.empty()) {
        std::vector<storage::Value> params{ctx.tenant_id};
        std::string in;
        for (const auto& id : stage_ids) {
            params.emplace_back(id);
            in += (in.empty() ? "$" : ", $") + std::to_string(params.size());
        }
        VK_ASSIGN_OR_RETURN(
            storage::Rows stage_rows,
            c.Query(
                "SELECT id, name FROM stages WHERE tenant_id = $1 AND id IN (" + in + ")", params
            )
        );
        for (const auto& r : stage_rows.rows) {
            names[storage::AsText(r[0])] = storage::AsText(r[1]);
        }
    }
    auto name_of = [&](const Json& id) {
        return id.is_string() && names.contains(id.get<std::string>())
                   ? Json(names[id.get<std::string>()])
                   : Json(nullptr);
    };
    Json data = Json::array();
    for (const auto& m : moves) {
        data.push_back({
            {"version", m.version},
            {"at", core::FormatTimestamp(m.at)},
            {"actor_id", m.actor},
            {"from_stage_id", m.from},
            {"from_stage_name", name_of(m.from)},
            {"to_stage_id", m.to},
            {"to_stage_name", name_of(m.to)},
            {"status", m.status},
        });
    }
    return Json{{"deal_id", deal_id}, {"data", std::move(data)}};
}

}  // namespace voronka::sales
