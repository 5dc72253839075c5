// Board roll-ups of deals, maintained by an after-write hook and read by the kanban.
#include "sales/deal_rollups.hpp"

#include <algorithm>
#include <optional>
#include <tuple>

#include "core/money.hpp"
#include "sales/hook_util.hpp"

namespace voronka::sales {

using core::Error;
using core::Json;
using core::Status;
using internal::Str;

namespace {

// A deal's place in the roll-ups and what it adds there.
struct Entry {
    std::string pipeline_id;
    std::string stage_id;
    std::string owner_id;  // "" for none
    std::string currency;  // "" for none
    int64_t deals = 0;
    int64_t amounts = 0;
    int64_t amount_minor = 0;

    auto Key() const { return std::tie(pipeline_id, stage_id, owner_id, currency); }
};

core::Result<Entry> EntryOf(const Json& deal, int64_t sign) {
    Entry e{
        Str(deal, "pipeline_id"),
        Str(deal, "stage_id"),
        Str(deal, "owner_id"),
        Str(deal, "currency"),
        sign};
    const std::string amount = Str(deal, "amount");
    if (!amount.empty()) {
        auto minor = core::ParseAmount(amount, e.currency);
        if (!minor) {
            return Error::Internal("A deal's amount cannot be rolled up: " + minor.error().message);
        }
        e.amounts = sign;
        e.amount_minor = sign * *minor;
    }
    return e;
}

Status Apply(storage::Connection& tx, int64_t tenant_id, const Entry& e) {
    if (e.pipeline_id.empty() || e.stage_id.empty()) {
        return core::Ok();
    }
    auto done = tx.Execute(
        "INSERT INTO deal_rollups (tenant_id, pipeline_id, stage_id, owner_id, currency, deals, "
        "amounts, amount_minor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (tenant_id, pipeline_id, stage_id, owner_id, currency) DO UPDATE SET "
        "deals = deal_rollups.deals + excluded.deals, "
        "amounts = deal_rollups.amounts + excluded.amounts, "
        "amount_minor = deal_rollups.amount_minor + excluded.amount_minor",
        {tenant_id,
         e.pipeline_id,
         e.stage_id,
         e.owner_id,
         e.currency,
         e.deals,
         e.amounts,
         e.amount_minor}
    );
    return done ? core::Ok() : Status(std::move(done).error());
}

}  // namespace

records::AfterWriteHook DealRollupHook() {
    return [](const records::AfterWriteArgs& a) -> Status {
        std::optional<Entry> out;
        std::optional<Entry> in;
        if (a.action == "delete") {
            VK_ASSIGN_OR_RETURN(out, EntryOf(a.after, -1));
        } else {
            if (a.before) {
                VK_ASSIGN_OR_RETURN(out, EntryOf(*a.before, -1));
            }
            VK_ASSIGN_OR_RETURN(in, EntryOf(a.after, 1));
        }
        if (out && in && out->Key() == in->Key()) {
            // Same row: one change by the difference, none when the amount stayed.
            in->deals += out->deals;
            in->amounts += out->amounts;
            in->amount_minor += out->amount_minor;
            out.reset();
            if (in->deals == 0 && in->amounts == 0 && in->amount_minor == 0) {
                return core::Ok();
            }
        }
        // Rows change in key order, so two moves in opposite directions running at once on
        // PostgreSQL wait for each other instead of deadlocking.
        if (out && in && in->Key() < out->Key()) {
            std::swap(out, in);
        }
        for (const auto* e : {&out, &in}) {
            if (*e) {
                VK_RETURN_IF_ERROR(Apply(a.tx, a.ctx.tenant_id, **e));
            }
        }
        return core::Ok();
    };
}

Status RebuildDealRollups(storage::Connection& tx, int64_t tenant_id) {
    auto cleared = tx.Execute("DELETE FROM deal_rollups WHERE tenant_id = $1", {tenant_id});
    if (!cleared) {
        return std::move(cleared).error();
    }
    auto filled = tx.Execute(
        "INSERT INTO deal_rollups (tenant_id, pipeline_id, stage_id, owner_id, currency, deals, "
        "amounts, amount_minor) "
        "SELECT tenant_id, pipeline_id, stage_id, COALESCE(owner_id, ''), COALESCE(currency, ''), "
        "COUNT(*), COUNT(amount), COALESCE(CAST(SUM(amount) AS BIGINT), 0) FROM deals "
        "WHERE tenant_id = $1 AND deleted_at IS NULL AND pipeline_id IS NOT NULL "
        "AND stage_id IS NOT NULL "
        "GROUP BY tenant_id, pipeline_id, stage_id, COALESCE(owner_id, ''), COALESCE(currency, '')",
        {tenant_id}
    );
    return filled ? core::Ok() : Status(std::move(filled).error());
}

core::Result<std::map<std::string, StageTotals>> PipelineTotals(
    storage::Connection& c,
    const std::string& conditions,
    const std::vector<storage::Value>& params,
    bool per_row
) {
    const std::string sql =
        per_row ? "SELECT stage_id, currency, COUNT(*), COUNT(amount), "
                  "CAST(SUM(amount) AS BIGINT) FROM deals "
                  "WHERE tenant_id = $1 AND pipeline_id = $2 AND deleted_at IS NULL" +
                      conditions + " GROUP BY stage_id, currency"
                : "SELECT stage_id, currency, CAST(SUM(deals) AS BIGINT), "
                  "CAST(SUM(amounts) AS BIGINT), CAST(SUM(amount_minor) AS BIGINT) "
                  "FROM deal_rollups WHERE tenant_id = $1 AND pipeline_id = $2" +
                      conditions + " GROUP BY stage_id, currency";
    VK_ASSIGN_OR_RETURN(storage::Rows rows, c.Query(sql, params));
    std::map<std::string, StageTotals> totals;
    for (const auto& row : rows.rows) {
        StageTotals& t = totals[storage::AsText(row[0])];
        t.count += storage::AsInt(row[2]);
        const std::string currency = storage::IsNull(row[1]) ? "" : storage::AsText(row[1]);
        if (!currency.empty() && storage::AsInt(row[3]) > 0) {
            t.sums[currency] += storage::AsInt(row[4]);
        }
    }
    return totals;
}

}  // namespace voronka::sales
