// Stage history roll-ups of deals: the write hook and the recount.
#include "analytics/sales/stage_rollups.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include "analytics/sales/analytics_sql.hpp"
#include "analytics/sales/period_rollups.hpp"
#include "analytics/sales/stage_time_cells.hpp"
#include "core/clock.hpp"
#include "storage/batch_insert.hpp"
#include "storage/dialect.hpp"

namespace voronka::analytics {

using core::Error;
using core::Json;
using core::Status;
using storage::AsInt;
using storage::AsText;
using storage::IsNull;

namespace {

// The month of the rows that add up every month, as in deal_period_rollups.
constexpr const char* kAllMonths = "*";

std::string Str(const Json& body, std::string_view key) {
    auto it = body.find(key);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Status Done(core::Result<int64_t> r) { return r ? core::Ok() : Status(std::move(r).error()); }

// month, pipeline_id, owner_id, source, stage_id, visited
using FunnelKey =
    std::tuple<std::string, std::string, std::string, std::string, std::string, std::string>;

// Adds `sign` times a deal that has been in `stages` to its two funnel rows (month and '*').
void AddFunnel(
    const Json& deal,
    std::vector<std::string> stages,
    int64_t sign,
    std::map<FunnelKey, int64_t>& out
) {
    const std::string stage = Str(deal, "stage_id");
    if (!stage.empty()) {
        stages.push_back(stage);
    }
    const std::optional<int64_t> created = core::ParseTimestamp(Str(deal, "created_at"));
    const std::string visited = VisitedKey(std::move(stages));
    for (const std::string& month :
         {created ? MonthOf(*created) : std::string(), std::string(kAllMonths)}) {
        out[FunnelKey{
            month,
            Str(deal, "pipeline_id"),
            Str(deal, "owner_id"),
            Str(deal, "source"),
            stage,
            visited}] += sign;
    }
}

// A stage's time as migration 0015 describes it.
struct StageTime {
    std::optional<int64_t> closed_micros;
    std::optional<int64_t> open_at;
};

// The deal's time per stage from its stage_id changes in the event log, in version order.
core::Result<std::map<std::string, StageTime>> TimesFromEvents(
    storage::Connection& tx, int64_t tenant_id, const std::string& deal_id, bool open
) {
    const std::string to = ChangedTo(tx.dialect(), "changes", "stage_id");
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        tx.Query(
            "SELECT at, " + to +
                " FROM events WHERE tenant_id = $1 AND entity = 'deals' AND record_id = $2 AND " +
                to + " IS NOT NULL ORDER BY version",
            {tenant_id, deal_id}
        )
    );
    std::map<std::string, StageTime> times;
    for (size_t i = 0; i < rows.size(); ++i) {
        StageTime& t = times[AsText(rows.rows[i][1])];
        const int64_t at = AsInt(rows.rows[i][0]);
        if (i + 1 < rows.size()) {
            t.closed_micros = t.closed_micros.value_or(0) + AsInt(rows.rows[i + 1][0]) - at;
        } else if (open) {
            t.open_at = at;
        }
    }
    return times;
}

bool KeyFieldsChanged(const Json& before, const Json& after) {
    for (const char* f :
         {"stage_id", "status", "pipeline_id", "owner_id", "source", "created_at"}) {
        const auto b = before.find(f);
        const auto a = after.find(f);
        const Json& bv = b != before.end() ? *b : Json(nullptr);
        const Json& av = a != after.end() ? *a : Json(nullptr);
        if (bv != av) {
            return true;
        }
    }
    return false;
}

Status WriteFunnelDelta(
    storage::Connection& tx, int64_t tenant_id, const std::map<FunnelKey, int64_t>& delta
) {
    // One statement, rows in key order, so two writes running at once on PostgreSQL wait for
    // each other instead of deadlocking.
    storage::BatchInsert upsert(
        tx,
        "INSERT INTO deal_funnel_rollups (tenant_id, month, pipeline_id, owner_id, source, "
        "stage_id, visited, deals) VALUES ",
        8,
        " ON CONFLICT (tenant_id, month, pipeline_id, owner_id, source, stage_id, visited) "
        "DO UPDATE SET deals = deal_funnel_rollups.deals + excluded.deals"
    );
    for (const auto& [key, deals] : delta) {
        if (deals == 0) {
            continue;
        }
        const auto& [month, pipeline, owner, source, stage, visited] = key;
        VK_RETURN_IF_ERROR(
            upsert.Add({tenant_id, month, pipeline, owner, source, stage, visited, deals})
        );
    }
    return upsert.Flush();
}

// A deal_stage_times row read as (stage_id, open_at, closed_micros, pipeline_id).
StageTimeRow StoredTime(const std::vector<storage::Value>& row) {
    auto opt = [](const storage::Value& v) {
        return IsNull(v) ? std::nullopt : std::optional<int64_t>(AsInt(v));
    };
    return {AsText(row[3]), AsText(row[0]), opt(row[2]), opt(row[1])};
}

// The common move of an open deal from one stage to another, with no other roll-up key
// changed: closes the span in the old stage and opens one in the new, instead of re-reading the
// deal's stage history. Returns false (writing nothing) when the stored times do not show the
// old stage's span open, so the caller recounts.
core::Result<bool> MoveOpenDeal(const records::AfterWriteArgs& a) {
    const Json& before = *a.before;
    const Json& deal = a.after;
    const std::string from = Str(before, "stage_id");
    const std::string to = Str(deal, "stage_id");
    for (const char* f : {"pipeline_id", "owner_id", "source", "created_at", "status"}) {
        if (before.value(f, Json()) != deal.value(f, Json())) {
            return false;
        }
    }
    const std::optional<int64_t> at = core::ParseTimestamp(Str(deal, "updated_at"));
    const std::optional<int64_t> created = core::ParseTimestamp(Str(deal, "created_at"));
    if (Str(deal, "status") != "open" || from.empty() || to.empty() || from == to || !at ||
        !created) {
        return false;
    }
    const int64_t tenant = a.ctx.tenant_id;
    const std::string id = Str(deal, "id");
    VK_ASSIGN_OR_RETURN(
        storage::Rows stored,
        a.tx.Query(
            "SELECT stage_id, open_at, closed_micros, pipeline_id FROM deal_stage_times WHERE "
            "tenant_id = $1 AND deal_id = $2",
            {tenant, id}
        )
    );
    std::vector<std::string> stages;
    std::optional<StageTimeRow> from_row;
    std::optional<StageTimeRow> to_row;
    for (const auto& row : stored.rows) {
        stages.push_back(AsText(row[0]));
        if (stages.back() == from && !IsNull(row[1])) {
            from_row = StoredTime(row);
        } else if (stages.back() == to) {
            to_row = StoredTime(row);
        }
    }
    if (!from_row) {
        return false;
    }
    // The from row's span closes at the move, the to row's opens: both change cells.
    StageTimeCellDeltas cells;
    AddStageTimeCell(*from_row, -1, cells);
    from_row->closed_micros = from_row->closed_micros.value_or(0) + *at - *from_row->open_at;
    from_row->open_at.reset();
    AddStageTimeCell(*from_row, 1, cells);
    if (to_row) {
        AddStageTimeCell(*to_row, -1, cells);
    } else {
        to_row = StageTimeRow{Str(deal, "pipeline_id"), to, std::nullopt, std::nullopt};
    }
    to_row->open_at = *at;
    AddStageTimeCell(*to_row, 1, cells);
    std::map<FunnelKey, int64_t> delta;
    AddFunnel(before, stages, -1, delta);
    stages.push_back(to);
    AddFunnel(deal, std::move(stages), 1, delta);
    VK_RETURN_IF_ERROR(Done(a.tx.Execute(
        "UPDATE deal_stage_times SET closed_micros = COALESCE(closed_micros, 0) + $4 - open_at, "
        "open_at = NULL WHERE tenant_id = $1 AND deal_id = $2 AND stage_id = $3",
        {tenant, id, from, *at}
    )));
    VK_RETURN_IF_ERROR(Done(a.tx.Execute(
        "INSERT INTO deal_stage_times (tenant_id, deal_id, stage_id, pipeline_id, owner_id, "
        "source, created_at, closed_micros, open_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8) "
        "ON CONFLICT (tenant_id, deal_id, stage_id) DO UPDATE SET open_at = excluded.open_at",
        {tenant,
         id,
         to,
         Str(deal, "pipeline_id"),
         Str(deal, "owner_id"),
         Str(deal, "source"),
         *created,
         *at}
    )));
    VK_RETURN_IF_ERROR(WriteStageTimeCells(a.tx, tenant, cells));
    VK_RETURN_IF_ERROR(WriteFunnelDelta(a.tx, tenant, delta));
    return true;
}

}  // namespace

std::vector<std::string> VisitedStages(const std::string& visited) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < visited.size()) {
        size_t end = visited.find(',', start);
        if (end == std::string::npos) {
            end = visited.size();
        }
        out.push_back(visited.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string VisitedKey(std::vector<std::string> stages) {
    std::sort(stages.begin(), stages.end());
    stages.erase(std::unique(stages.begin(), stages.end()), stages.end());
    std::string out;
    for (const auto& s : stages) {
        out += (out.empty() ? "" : ",") + s;
    }
    return out;
}

records::AfterWriteHook DealStageRollupHook() {
    return [](const records::AfterWriteArgs& a) -> Status {
        if (a.action == "update" && a.before && !KeyFieldsChanged(*a.before, a.after)) {
            return core::Ok();
        }
        if (a.action == "update" && a.before) {
            VK_ASSIGN_OR_RETURN(bool moved, MoveOpenDeal(a));
            if (moved) {
                return core::Ok();
            }
        }
        const int64_t tenant = a.ctx.tenant_id;
        const std::string id = Str(a.after, "id");
        std::map<FunnelKey, int64_t> delta;
        StageTimeCellDeltas cells;
        const Json* old = a.action == "delete" ? &a.after : a.before;
        if (old) {
            VK_ASSIGN_OR_RETURN(
                storage::Rows stored,
                a.tx.Query(
                    "SELECT stage_id, open_at, closed_micros, pipeline_id FROM deal_stage_times "
                    "WHERE tenant_id = $1 AND deal_id = $2",
                    {tenant, id}
                )
            );
            std::vector<std::string> stages;
            for (const auto& row : stored.rows) {
                stages.push_back(AsText(row[0]));
                AddStageTimeCell(StoredTime(row), -1, cells);
            }
            AddFunnel(*old, std::move(stages), -1, delta);
            VK_RETURN_IF_ERROR(Done(a.tx.Execute(
                "DELETE FROM deal_stage_times WHERE tenant_id = $1 AND deal_id = $2", {tenant, id}
            )));
        }
        if (a.action != "delete") {
            const Json& deal = a.after;
            VK_ASSIGN_OR_RETURN(
                auto times, TimesFromEvents(a.tx, tenant, id, Str(deal, "status") == "open")
            );
            const std::optional<int64_t> created = core::ParseTimestamp(Str(deal, "created_at"));
            if (!created) {
                return Error::Internal("A deal without created_at cannot be rolled up");
            }
            std::vector<std::string> stages;
            for (const auto& [stage, t] : times) {
                stages.push_back(stage);
                AddStageTimeCell(
                    {Str(deal, "pipeline_id"), stage, t.closed_micros, t.open_at}, 1, cells
                );
                auto opt = [](const std::optional<int64_t>& v) {
                    return v ? storage::Value(*v) : storage::Value(nullptr);
                };
                VK_RETURN_IF_ERROR(Done(a.tx.Execute(
                    "INSERT INTO deal_stage_times (tenant_id, deal_id, stage_id, pipeline_id, "
                    "owner_id, source, created_at, closed_micros, open_at) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    {tenant,
                     id,
                     stage,
                     Str(deal, "pipeline_id"),
                     Str(deal, "owner_id"),
                     Str(deal, "source"),
                     *created,
                     opt(t.closed_micros),
                     opt(t.open_at)}
                )));
            }
            AddFunnel(deal, std::move(stages), 1, delta);
        }
        VK_RETURN_IF_ERROR(WriteStageTimeCells(a.tx, tenant, cells));
        return WriteFunnelDelta(a.tx, tenant, delta);
    };
}

Status RebuildStageRollups(storage::Connection& tx, int64_t tenant_id) {
    for (const char* table : {"deal_stage_times", "deal_funnel_rollups"}) {
        VK_RETURN_IF_ERROR(Done(
            tx.Execute("DELETE FROM " + std::string(table) + " WHERE tenant_id = $1", {tenant_id})
        ));
    }
    const storage::Dialect d = tx.dialect();
    const std::string to = ChangedTo(d, "changes", "stage_id");
    VK_RETURN_IF_ERROR(Done(tx.Execute(
        "INSERT INTO deal_stage_times (tenant_id, deal_id, stage_id, pipeline_id, owner_id, "
        "source, created_at, closed_micros, open_at) "
        "SELECT d.tenant_id, d.id, sp.stage_id, COALESCE(d.pipeline_id, ''), "
        "COALESCE(d.owner_id, ''), COALESCE(d.source, ''), d.created_at, "
        "CAST(SUM(sp.next_at - sp.at) AS BIGINT), "
        "MAX(CASE WHEN sp.next_at IS NULL AND d.status = 'open' THEN sp.at END) "
        "FROM (SELECT record_id, at, " +
            to +
            " AS stage_id, LEAD(at) OVER (PARTITION BY record_id ORDER BY version) AS next_at "
            "FROM events WHERE tenant_id = $1 AND entity = 'deals' AND " +
            to +
            " IS NOT NULL) sp JOIN deals d ON d.tenant_id = $1 AND d.id = sp.record_id "
            "WHERE d.deleted_at IS NULL GROUP BY d.tenant_id, d.id, sp.stage_id",
        {tenant_id}
    )));
    VK_RETURN_IF_ERROR(RebuildStageTimeCells(tx, tenant_id));
    const std::string visited =
        d == storage::Dialect::kSqlite
            ? "(SELECT group_concat(v.s, ',') FROM (SELECT t.stage_id AS s FROM deal_stage_times t "
              "WHERE t.tenant_id = d.tenant_id AND t.deal_id = d.id UNION SELECT d.stage_id "
              "WHERE d.stage_id IS NOT NULL ORDER BY 1) v)"
            : "(SELECT string_agg(v.s, ',' ORDER BY v.s COLLATE \"C\") FROM (SELECT t.stage_id "
              "AS s FROM deal_stage_times t WHERE t.tenant_id = d.tenant_id AND t.deal_id = d.id "
              "UNION SELECT d.stage_id WHERE d.stage_id IS NOT NULL) v)";
    VK_RETURN_IF_ERROR(Done(tx.Execute(
        "INSERT INTO deal_funnel_rollups (tenant_id, month, pipeline_id, owner_id, source, "
        "stage_id, visited, deals) SELECT tenant_id, month, pipeline_id, owner_id, source, "
        "stage_id, visited, COUNT(*) FROM (SELECT d.tenant_id, " +
            storage::UtcMonth(d, "d.created_at") +
            " AS month, COALESCE(d.pipeline_id, '') AS pipeline_id, COALESCE(d.owner_id, '') AS "
            "owner_id, COALESCE(d.source, '') AS source, COALESCE(d.stage_id, '') AS stage_id, "
            "COALESCE(" +
            visited +
            ", '') AS visited FROM deals d WHERE d.tenant_id = $1 AND d.deleted_at IS NULL) x "
            "GROUP BY tenant_id, month, pipeline_id, owner_id, source, stage_id, visited",
        {tenant_id}
    )));
    return Done(tx.Execute(
        "INSERT INTO deal_funnel_rollups (tenant_id, month, pipeline_id, owner_id, source, "
        "stage_id, visited, deals) SELECT tenant_id, '*', pipeline_id, owner_id, source, stage_id, "
        "visited, CAST(SUM(deals) AS BIGINT) FROM deal_funnel_rollups WHERE tenant_id = $1 "
        "GROUP BY tenant_id, pipeline_id, owner_id, source, stage_id, visited",
        {tenant_id}
    ));
}

}  // namespace voronka::analytics
