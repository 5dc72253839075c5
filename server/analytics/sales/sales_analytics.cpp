// Sales analytics queries: each figure is an SQL aggregate over the caller's readable records or
// over the roll-ups that sum them per month.
#include "analytics/sales/sales_analytics.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "access/permissions.hpp"
#include "analytics/sales/analytics_sql.hpp"
#include "analytics/sales/period_rollups.hpp"
#include "analytics/sales/stage_rollups.hpp"
#include "analytics/sales/stage_time_cells.hpp"
#include "core/id.hpp"
#include "core/money.hpp"
#include "records/field_codec.hpp"

namespace voronka::analytics {

using core::Error;
using records::FilterTerm;
using storage::AsInt;
using storage::AsText;
using storage::IsNull;

namespace {

constexpr int64_t kMicrosPerDay = int64_t{86'400'000'000};
constexpr size_t kMaxReportGroups = 1000;

std::string P(size_t n) { return "$" + std::to_string(n); }

// The WHERE condition (tenant, live records, read scope, terms) of a list of `entity`.
Result<std::string> Where(
    records::RecordService& records,
    Connection& c,
    const RequestContext& ctx,
    std::string_view entity,
    const std::vector<FilterTerm>& terms,
    std::vector<storage::Value>& params
) {
    VK_ASSIGN_OR_RETURN(auto def, records.Meta(c, ctx, entity));
    return records::ListCondition(c, ctx, *def, terms, params);
}

bool Visible(const RequestContext& ctx, std::string_view entity, std::string_view field) {
    return ctx.permissions &&
           !ctx.permissions->For(entity).hidden_fields.contains(std::string(field));
}

Json Text(const storage::Value& v) { return IsNull(v) ? Json(nullptr) : Json(AsText(v)); }

void AddTo(MoneyMap& sums, const storage::Value& currency, const storage::Value& minor) {
    if (!IsNull(currency) && !IsNull(minor)) {
        sums[AsText(currency)] += AsInt(minor);
    }
}

std::vector<FilterTerm> Plus(std::vector<FilterTerm> terms, std::vector<FilterTerm> more) {
    for (auto& t : more) {
        terms.push_back(std::move(t));
    }
    return terms;
}

// eq on a value, or "is empty" for a missing one, so a drill-down also finds the null group.
FilterTerm Equals(std::string field, const storage::Value& v) {
    if (IsNull(v) || AsText(v).empty()) {
        return {std::move(field), "empty", "true"};
    }
    return {std::move(field), "eq", AsText(v)};
}

Json DaysJson(int64_t micros, int64_t n) {
    if (n == 0) {
        return nullptr;
    }
    const Json r = Ratio(micros, n * kMicrosPerDay, 2);
    return std::stod(r.get<std::string>());
}

// Counts and sums of deals in one group, from roll-up rows and from deals alike.
struct DealTotals {
    int64_t deals = 0;
    int64_t amounts = 0;  // deals with an amount: without any, a currency has no sum
    int64_t amount_minor = 0;
    int64_t weighted_minor = 0;
};

// Per (group value, currency); a missing group value or currency is nullopt / "".
using GroupedTotals = std::map<std::pair<std::optional<std::string>, std::string>, DealTotals>;

void AddRows(const storage::Rows& rows, GroupedTotals& out) {
    for (const auto& row : rows.rows) {
        std::optional<std::string> group;
        if (!IsNull(row[0]) && !AsText(row[0]).empty()) {
            group = AsText(row[0]);
        }
        DealTotals& t = out[{group, IsNull(row[1]) ? std::string() : AsText(row[1])}];
        t.deals += AsInt(row[2]);
        t.amounts += AsInt(row[3]);
        t.amount_minor += IsNull(row[4]) ? 0 : AsInt(row[4]);
        t.weighted_minor += IsNull(row[5]) ? 0 : AsInt(row[5]);
    }
}

// Adds a group's money to `sums` as the per-row queries did: only a currency with an amount.
void AddMoney(MoneyMap& sums, const std::string& currency, const DealTotals& t) {
    if (!currency.empty() && t.amounts > 0) {
        sums[currency] += t.amount_minor;
    }
}

// What a deal roll-up query needs: the basis (see migration 0013) and its deals' date column,
// the deals' list terms (validated and scoped by the record engine, used for the edge months),
// the roll-up rows' key conditions (Resolved::RollupConditions, parameters from $3 on after
// the tenant and the basis) and extra filter, and the column to group by besides currency.
struct DealRollupQuery {
    std::string basis;
    std::string date_field;
    std::vector<FilterTerm> terms;
    std::string keys;
    std::vector<storage::Value> key_params;  // tenant, basis, then the keys' parameters
    std::string rollup_filter;               // " AND status = 'lost'", or ""
    std::string group;                       // a column of both deals and deal_period_rollups
    // Read every matching deal (q.terms then carry the dates): for a filter that is not a
    // roll-up key, such as the forecast's created_at range.
    bool rows_only = false;
};

std::optional<int64_t> DayBound(const std::string& date, bool next_day) {
    if (date.empty()) {
        return std::nullopt;
    }
    return DayStartMicros(date, next_day);
}

}  // namespace

struct SalesAnalytics::Resolved {
    std::vector<std::string> team_members;

    // The common filters as list filter terms; `date_field` takes from/to (a datetime field).
    std::vector<FilterTerm> Terms(
        const AnalyticsFilters& f, std::string_view date_field, bool pipeline = true
    ) const {
        std::vector<FilterTerm> t;
        if (pipeline && !f.pipeline_id.empty()) {
            t.push_back({"pipeline_id", "eq", f.pipeline_id});
        }
        if (!f.owner_id.empty()) {
            t.push_back({"owner_id", "eq", f.owner_id});
        }
        if (!f.team_id.empty()) {
            std::string in;
            for (const auto& id : team_members) {
                in += (in.empty() ? "" : ",") + id;
            }
            t.push_back({"owner_id", "in", in});
        }
        if (!f.source.empty()) {
            t.push_back({"source", "eq", f.source});
        }
        if (!date_field.empty() && !f.from.empty()) {
            t.push_back(
                {std::string(date_field), "gte", core::FormatTimestamp(DayStartMicros(f.from))}
            );
        }
        if (!date_field.empty() && !f.to.empty()) {
            t.push_back(
                {std::string(date_field), "lt", core::FormatTimestamp(DayStartMicros(f.to, true))}
            );
        }
        return t;
    }

    // " AND ..." on the roll-up tables' key columns: the caller's read scope and the owner,
    // team, source and (with `pipeline`) pipeline filters. `params` starts with the tenant.
    std::string RollupConditions(
        const RequestContext& ctx,
        const AnalyticsFilters& f,
        std::string_view entity,
        bool pipeline,
        std::vector<storage::Value>& params
    ) const {
        const access::Scope scope =
            ctx.permissions ? ctx.permissions->For(entity).read : access::Scope::kNone;
        std::string sql;
        const std::string scope_sql = records::ScopeCondition(ctx, scope, params);
        if (!scope_sql.empty()) {
            sql += " AND " + scope_sql;
        }
        if (pipeline && !f.pipeline_id.empty()) {
            params.emplace_back(f.pipeline_id);
            sql += " AND pipeline_id = " + P(params.size());
        }
        if (!f.owner_id.empty()) {
            params.emplace_back(f.owner_id);
            sql += " AND owner_id = " + P(params.size());
        }
        if (!f.team_id.empty()) {
            // NULL first: a team without members matches nothing, not the rows without owner ('').
            sql += " AND owner_id IN (NULL";
            for (const auto& id : team_members) {
                params.emplace_back(id);
                sql += ", " + P(params.size());
            }
            sql += ")";
        }
        if (!f.source.empty()) {
            params.emplace_back(f.source);
            sql += " AND source = " + P(params.size());
        }
        return sql;
    }

    DealRollupQuery DealQuery(
        const RequestContext& ctx,
        const AnalyticsFilters& f,
        std::string basis,
        std::string date_field,
        std::vector<FilterTerm> terms,
        std::string rollup_filter,
        std::string group
    ) const {
        DealRollupQuery q;
        q.key_params = {ctx.tenant_id, basis};
        q.keys = RollupConditions(ctx, f, "deals", true, q.key_params);
        q.basis = std::move(basis);
        q.date_field = std::move(date_field);
        q.terms = std::move(terms);
        q.rollup_filter = std::move(rollup_filter);
        q.group = std::move(group);
        return q;
    }
};

namespace {

// Totals per (group, currency) of the deals matching q.terms with q.date_field in [from, to):
// whole months from the roll-ups, the partial months at the edges from the deals themselves.
Result<GroupedTotals> DealTotalsByMonth(
    records::RecordService& records,
    Connection& c,
    const RequestContext& ctx,
    const DealRollupQuery& q,
    std::optional<int64_t> from,
    std::optional<int64_t> to
) {
    GroupedTotals out;
    const MonthSplit split = SplitByMonths(from, to);
    {
        // Validates the terms (a filter on a field the role hides fails here as on the list).
        std::vector<storage::Value> params;
        VK_ASSIGN_OR_RETURN(std::string checked, Where(records, c, ctx, "deals", q.terms, params));
    }
    std::vector<std::vector<FilterTerm>> row_queries;
    if (q.rows_only) {
        row_queries.push_back(q.terms);
    }
    for (const auto& [a, b] :
         q.rows_only ? std::vector<std::pair<int64_t, int64_t>>{} : split.edges) {
        row_queries.push_back(Plus(
            q.terms,
            {{q.date_field, "gte", core::FormatTimestamp(a)},
             {q.date_field, "lt", core::FormatTimestamp(b)}}
        ));
    }
    for (const auto& edge_terms : row_queries) {
        std::vector<storage::Value> params;
        VK_ASSIGN_OR_RETURN(std::string cond, Where(records, c, ctx, "deals", edge_terms, params));
        VK_ASSIGN_OR_RETURN(
            storage::Rows rows,
            c.Query(
                "SELECT " + q.group +
                    ", currency, CAST(COUNT(*) AS BIGINT), CAST(COUNT(amount) AS BIGINT), "
                    "CAST(SUM(amount) AS BIGINT), "
                    "CAST(SUM(amount * COALESCE(probability, 0)) AS BIGINT) FROM deals WHERE " +
                    cond + " GROUP BY " + q.group + ", currency",
                params
            )
        );
        AddRows(rows, out);
    }
    if (q.rows_only) {
        return out;
    }
    std::vector<storage::Value> params = q.key_params;
    const std::string where =
        "tenant_id = $1 AND basis = $2" + q.keys + split.MonthCondition(params) + q.rollup_filter;
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        c.Query(
            "SELECT " + q.group +
                ", currency, CAST(SUM(deals) AS BIGINT), CAST(SUM(amounts) AS BIGINT), "
                "CAST(SUM(amount_minor) AS BIGINT), CAST(SUM(weighted_minor) AS BIGINT) FROM "
                "deal_period_rollups WHERE " +
                where + " GROUP BY " + q.group + ", currency",
            params
        )
    );
    AddRows(rows, out);
    return out;
}

}  // namespace

SalesAnalytics::SalesAnalytics(records::RecordService& records, const core::Clock& clock)
    : records_(records), clock_(clock) {}

Result<SalesAnalytics::Resolved> SalesAnalytics::Resolve(
    Connection& c, const RequestContext& ctx, const AnalyticsFilters& f
) {
    std::vector<core::FieldError> errors;
    for (const auto& [name, value] :
         {std::pair<const char*, const std::string*>{"from", &f.from}, {"to", &f.to}}) {
        if (!value->empty() && !core::IsValidDate(*value)) {
            errors.push_back({name, "must be a date YYYY-MM-DD"});
        }
    }
    if (errors.empty() && !f.from.empty() && !f.to.empty() && f.to < f.from) {
        errors.push_back({"to", "must not be before from"});
    }
    auto exists = [&](const char* field, const std::string& id, const std::string& sql
                  ) -> core::Status {
        if (id.empty()) {
            return core::Ok();
        }
        if (!core::IsIdShaped(id)) {
            errors.push_back({field, "refers to nothing in your company"});
            return core::Ok();
        }
        VK_ASSIGN_OR_RETURN(storage::Rows rows, c.Query(sql, {ctx.tenant_id, id}));
        if (rows.empty()) {
            errors.push_back({field, "refers to nothing in your company"});
        }
        return core::Ok();
    };
    VK_RETURN_IF_ERROR(exists(
        "pipeline_id",
        f.pipeline_id,
        "SELECT 1 FROM pipelines WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL"
    ));
    VK_RETURN_IF_ERROR(
        exists("owner_id", f.owner_id, "SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2")
    );
    VK_RETURN_IF_ERROR(
        exists("team_id", f.team_id, "SELECT 1 FROM teams WHERE tenant_id = $1 AND id = $2")
    );
    if (!f.source.empty()) {
        bool known = false;
        for (const char* entity : {"deals", "leads"}) {
            const records::EntityDef* def = records_.registry().Find(entity);
            const records::FieldDef* field = def ? def->Field("source") : nullptr;
            if (field && std::find(field->options.begin(), field->options.end(), f.source) !=
                             field->options.end()) {
                known = true;
            }
        }
        if (!known) {
            errors.push_back({"source", "is not a known source"});
        }
    }
    if (!errors.empty()) {
        return Error::Invalid("Invalid analytics filter", std::move(errors));
    }
    Resolved r;
    if (!f.team_id.empty()) {
        VK_ASSIGN_OR_RETURN(
            storage::Rows members,
            c.Query(
                "SELECT id FROM users WHERE tenant_id = $1 AND team_id = $2 ORDER BY id",
                {ctx.tenant_id, f.team_id}
            )
        );
        if (members.size() > 100) {
            return Error::InvalidField("team_id", "teams of more than 100 users are not supported");
        }
        for (const auto& row : members.rows) {
            r.team_members.push_back(AsText(row[0]));
        }
    }
    return r;
}

Result<Json> SalesAnalytics::Funnel(
    Connection& c, const RequestContext& ctx, const AnalyticsFilters& f
) {
    if (f.pipeline_id.empty()) {
        return Error::InvalidField("pipeline_id", "is required");
    }
    VK_ASSIGN_OR_RETURN(Resolved r, Resolve(c, ctx, f));
    const std::vector<FilterTerm> terms = r.Terms(f, "created_at");
    {
        // Validates the terms (a filter on a field the role hides fails here as on the list).
        std::vector<storage::Value> params;
        VK_ASSIGN_OR_RETURN(std::string checked, Where(records_, c, ctx, "deals", terms, params));
    }
    // Every stage of the pipeline, deleted ones too: a deal that reached a deleted stage still
    // reached the stages before it.
    VK_ASSIGN_OR_RETURN(
        storage::Rows stage_rows,
        c.Query(
            "SELECT id, name, kind, position, CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END "
            "FROM stages WHERE tenant_id = $1 AND pipeline_id = $2 ORDER BY position, id",
            {ctx.tenant_id, f.pipeline_id}
        )
    );
    // Deals per (current stage, stages visited): whole months of created_at from the roll-ups,
    // the partial months at the edges from the deals and their stage times.
    std::map<std::pair<std::string, std::string>, int64_t> groups;
    const MonthSplit split = SplitByMonths(DayBound(f.from, false), DayBound(f.to, true));
    {
        std::vector<storage::Value> params{ctx.tenant_id};
        const std::string keys = r.RollupConditions(ctx, f, "deals", true, params);
        const std::string months = split.MonthCondition(params);
        VK_ASSIGN_OR_RETURN(
            storage::Rows rows,
            c.Query(
                "SELECT stage_id, visited, CAST(SUM(deals) AS BIGINT) FROM deal_funnel_rollups "
                "WHERE tenant_id = $1" +
                    keys + months + " GROUP BY stage_id, visited",
                params
            )
        );
        for (const auto& row : rows.rows) {
            groups[{AsText(row[0]), AsText(row[1])}] += AsInt(row[2]);
        }
    }
    for (const auto& [a, b] : split.edges) {
        std::vector<storage::Value> params;
        VK_ASSIGN_OR_RETURN(
            std::string cond,
            Where(
                records_,
                c,
                ctx,
                "deals",
                Plus(
                    r.Terms(f, ""),
                    {{"created_at", "gte", core::FormatTimestamp(a)},
                     {"created_at", "lt", core::FormatTimestamp(b)}}
                ),
                params
            )
        );
        VK_ASSIGN_OR_RETURN(
            storage::Rows deals, c.Query("SELECT id, stage_id FROM deals WHERE " + cond, params)
        );
        VK_ASSIGN_OR_RETURN(
            storage::Rows times,
            c.Query(
                "SELECT deal_id, stage_id FROM deal_stage_times WHERE tenant_id = $1 AND "
                "deal_id IN (SELECT id FROM deals WHERE " +
                    cond + ")",
                params
            )
        );
        std::map<std::string, std::vector<std::string>> visited;
        for (const auto& row : times.rows) {
            visited[AsText(row[0])].push_back(AsText(row[1]));
        }
        for (const auto& row : deals.rows) {
            std::vector<std::string> stages = std::move(visited[AsText(row[0])]);
            const std::string current = IsNull(row[1]) ? std::string() : AsText(row[1]);
            if (!current.empty()) {
                stages.push_back(current);
            }
            groups[{current, VisitedKey(std::move(stages))}] += 1;
        }
    }

    struct StageInfo {
        std::string kind;
        int64_t position = 0;
    };

    std::map<std::string, StageInfo> info;
    for (const auto& row : stage_rows.rows) {
        info[AsText(row[0])] = {AsText(row[2]), AsInt(row[3])};
    }
    std::map<std::string, int64_t> reached;
    std::map<std::string, int64_t> current;
    for (const auto& [key, n] : groups) {
        current[key.first] += n;
        // The furthest stage (by position, lost stages aside) the deal has been in.
        std::optional<int64_t> furthest;
        for (const std::string& s : VisitedStages(key.second)) {
            auto it = info.find(s);
            if (it == info.end()) {
                continue;
            }
            if (it->second.kind == "lost") {
                reached[s] += n;
            } else if (!furthest || it->second.position > *furthest) {
                furthest = it->second.position;
            }
        }
        if (!furthest) {
            continue;
        }
        for (const auto& [s, stage] : info) {
            if (stage.kind != "lost" && stage.position <= *furthest) {
                reached[s] += n;
            }
        }
    }
    std::vector<const std::vector<storage::Value>*> listed;
    for (const auto& row : stage_rows.rows) {
        if (AsInt(row[4]) == 1) {
            listed.push_back(&row);
        }
    }
    int64_t won = 0;
    int64_t lost = 0;
    Json stages = Json::array();
    for (size_t i = 0; i < listed.size(); ++i) {
        const auto& row = *listed[i];
        const std::string id = AsText(row[0]);
        const std::string kind = AsText(row[2]);
        const int64_t reach = reached[id];
        const int64_t now_in = current[id];
        won += kind == "won" ? now_in : 0;
        lost += kind == "lost" ? now_in : 0;
        Json conversion = nullptr;
        Json drop_off = nullptr;
        if (kind != "lost") {
            for (size_t j = i + 1; j < listed.size(); ++j) {
                if (AsText((*listed[j])[2]) != "lost") {
                    const int64_t next = reached[AsText((*listed[j])[0])];
                    conversion = Ratio(next, reach);
                    drop_off = reach - next;
                    break;
                }
            }
        }
        stages.push_back({
            {"stage_id", id},
            {"name", Text(row[1])},
            {"kind", kind},
            {"position", AsInt(row[3])},
            {"reached", reach},
            {"current", now_in},
            {"conversion_to_next", conversion},
            {"drop_off", drop_off},
            {"drilldown", ListUrl("deals", Plus(terms, {{"stage_id", "eq", id}}))},
        });
    }
    return Json{
        {"pipeline_id", f.pipeline_id},
        {"stages", std::move(stages)},
        {"won", won},
        {"lost", lost},
        {"win_rate", Ratio(won, won + lost)},
    };
}

Result<Json> SalesAnalytics::Velocity(
    Connection& c, const RequestContext& ctx, const AnalyticsFilters& f
) {
    if (f.pipeline_id.empty()) {
        return Error::InvalidField("pipeline_id", "is required");
    }
    VK_ASSIGN_OR_RETURN(Resolved r, Resolve(c, ctx, f));
    const std::vector<FilterTerm> terms = r.Terms(f, "created_at");
    {
        std::vector<storage::Value> params;
        VK_ASSIGN_OR_RETURN(std::string checked, Where(records_, c, ctx, "deals", terms, params));
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows stage_rows,
        c.Query(
            "SELECT id, name, kind, position FROM stages WHERE tenant_id = $1 AND "
            "pipeline_id = $2 AND deleted_at IS NULL ORDER BY position, id",
            {ctx.tenant_id, f.pipeline_id}
        )
    );
    // The time in a stage of one deal: its finished spans there, and the open span until now
    // when the open deal is there (NULL when neither).
    std::vector<storage::Value> base{ctx.tenant_id};
    std::string keys = r.RollupConditions(ctx, f, "deals", true, base);
    if (const auto from = DayBound(f.from, false)) {
        base.emplace_back(*from);
        keys += " AND created_at >= " + P(base.size());
    }
    if (const auto to = DayBound(f.to, true)) {
        base.emplace_back(*to);
        keys += " AND created_at < " + P(base.size());
    }
    const int64_t now = clock_.NowMicros();
    base.emplace_back(now);
    const std::string micros =
        "CASE WHEN closed_micros IS NULL AND open_at IS NULL THEN NULL ELSE "
        "COALESCE(closed_micros, 0) + COALESCE(CAST(" +
        P(base.size()) + " AS BIGINT) - open_at, 0) END";
    // Every deal of the pipeline (no scope, owner, team, source or date narrows it): the
    // time-in-stage cells give the figures without reading every deal.
    std::vector<storage::Value> narrowing{ctx.tenant_id};
    const bool whole_pipeline = r.RollupConditions(ctx, f, "deals", false, narrowing).empty() &&
                                f.from.empty() && f.to.empty();
    // From every matching deal_stage_times row of the stage.
    auto from_rows = [&](const std::string& stage_id) -> Result<StageTimeSummary> {
        std::vector<storage::Value> params = base;
        params.emplace_back(stage_id);
        VK_ASSIGN_OR_RETURN(
            storage::Rows values,
            c.Query(
                "SELECT " + micros + " FROM deal_stage_times WHERE tenant_id = $1 AND stage_id = " +
                    P(params.size()) + keys,
                params
            )
        );
        std::vector<int64_t> timed;
        timed.reserve(values.size());
        StageTimeSummary out;
        out.deals = static_cast<int64_t>(values.size());
        for (const auto& v : values.rows) {
            if (!IsNull(v[0])) {
                timed.push_back(AsInt(v[0]));
                out.total_micros += timed.back();
            }
        }
        out.timed = static_cast<int64_t>(timed.size());
        // The middle value, or the two middle values of an even count.
        if (out.timed > 0) {
            const auto lo = static_cast<size_t>((out.timed + 1) / 2 - 1);
            const auto hi = static_cast<size_t>((out.timed + 2) / 2 - 1);
            std::nth_element(
                timed.begin(), timed.begin() + static_cast<std::ptrdiff_t>(hi), timed.end()
            );
            out.middle_micros = timed[hi];
            out.middle_n = 1;
            if (lo != hi) {
                out.middle_micros += *std::max_element(
                    timed.begin(), timed.begin() + static_cast<std::ptrdiff_t>(hi)
                );
                out.middle_n = 2;
            }
        }
        return out;
    };
    // From the stage's cells, reading only the rows of the cells around the median.
    auto from_cells = [&](const std::string& stage_id) -> Result<StageTimeSummary> {
        VK_ASSIGN_OR_RETURN(
            storage::Rows rows,
            c.Query(
                "SELECT kind, bucket, deals, offset_micros FROM deal_stage_time_cells WHERE "
                "tenant_id = $1 AND pipeline_id = $2 AND stage_id = $3 AND deals <> 0",
                {ctx.tenant_id, f.pipeline_id, stage_id}
            )
        );
        std::vector<StageTimeCell> cells;
        for (const auto& row : rows.rows) {
            const std::string kind = AsText(row[0]);
            cells.push_back(
                {static_cast<StageTimeKind>(kind.empty() ? 'u' : kind[0]),
                 AsInt(row[1]),
                 AsInt(row[2]),
                 AsInt(row[3])}
            );
        }
        return SummariseStageTimes(
            cells,
            now,
            [&](std::optional<MicrosRange> finished,
                std::optional<MicrosRange> open) -> Result<std::vector<int64_t>> {
                std::vector<int64_t> out;
                if (finished) {
                    VK_ASSIGN_OR_RETURN(
                        storage::Rows found,
                        c.Query(
                            "SELECT closed_micros FROM deal_stage_times WHERE tenant_id = $1 AND "
                            "stage_id = $2 AND pipeline_id = $3 AND open_at IS NULL AND "
                            "closed_micros >= $4 AND closed_micros <= $5",
                            {ctx.tenant_id, stage_id, f.pipeline_id, finished->lo, finished->hi}
                        )
                    );
                    for (const auto& v : found.rows) {
                        out.push_back(AsInt(v[0]));
                    }
                }
                if (open) {
                    VK_ASSIGN_OR_RETURN(
                        storage::Rows found,
                        c.Query(
                            "SELECT open_at - COALESCE(closed_micros, 0) FROM deal_stage_times "
                            "WHERE tenant_id = $1 AND stage_id = $2 AND pipeline_id = $3 AND "
                            "open_at IS NOT NULL AND open_at - COALESCE(closed_micros, 0) >= $4 "
                            "AND open_at - COALESCE(closed_micros, 0) <= $5",
                            {ctx.tenant_id, stage_id, f.pipeline_id, open->lo, open->hi}
                        )
                    );
                    for (const auto& v : found.rows) {
                        out.push_back(now - AsInt(v[0]));
                    }
                }
                return out;
            }
        );
    };
    Json stages = Json::array();
    for (const auto& row : stage_rows.rows) {
        const std::string stage_id = AsText(row[0]);
        Result<StageTimeSummary> summary =
            whole_pipeline ? from_cells(stage_id) : Result<StageTimeSummary>(from_rows(stage_id));
        if (whole_pipeline && !summary && summary.error().code == core::ErrorCode::kInternal) {
            // Cells out of step with the rows (a path that skipped the hooks): read the rows.
            summary = from_rows(stage_id);
        }
        VK_ASSIGN_OR_RETURN(StageTimeSummary t, std::move(summary));
        stages.push_back({
            {"stage_id", stage_id},
            {"name", Text(row[1])},
            {"kind", AsText(row[2])},
            {"position", AsInt(row[3])},
            {"deals", t.deals},
            {"timed_deals", t.timed},
            {"avg_days", DaysJson(t.total_micros, t.timed)},
            {"median_days", DaysJson(t.middle_micros, t.middle_n)},
            {"drilldown", ListUrl("deals", Plus(terms, {{"stage_id", "eq", stage_id}}))},
        });
    }
    return Json{{"pipeline_id", f.pipeline_id}, {"stages", std::move(stages)}};
}

Result<Json> SalesAnalytics::WinLoss(
    Connection& c, const RequestContext& ctx, const AnalyticsFilters& f
) {
    VK_ASSIGN_OR_RETURN(Resolved r, Resolve(c, ctx, f));
    const std::vector<FilterTerm> terms = r.Terms(f, "closed_at");
    const std::vector<FilterTerm> undated = r.Terms(f, "");
    const bool amounts = Visible(ctx, "deals", "amount");
    const std::optional<int64_t> from = DayBound(f.from, false);
    const std::optional<int64_t> to = DayBound(f.to, true);
    VK_ASSIGN_OR_RETURN(
        GroupedTotals totals,
        DealTotalsByMonth(
            records_,
            c,
            ctx,
            r.DealQuery(
                ctx,
                f,
                "closed",
                "closed_at",
                Plus(undated, {{"status", "in", "won,lost"}}),
                "",
                "status"
            ),
            from,
            to
        )
    );
    std::map<std::string, int64_t> counts;
    std::map<std::string, MoneyMap> sums;
    for (const auto& [key, t] : totals) {
        const std::string status = key.first.value_or("");
        counts[status] += t.deals;
        AddMoney(sums[status], key.second, t);
    }
    const std::vector<FilterTerm> lost_terms = Plus(terms, {{"status", "eq", "lost"}});
    VK_ASSIGN_OR_RETURN(
        GroupedTotals by_reason,
        DealTotalsByMonth(
            records_,
            c,
            ctx,
            r.DealQuery(
                ctx,
                f,
                "closed",
                "closed_at",
                Plus(undated, {{"status", "eq", "lost"}}),
                " AND status = 'lost'",
                "loss_reason"
            ),
            from,
            to
        )
    );

    struct Reason {
        storage::Value reason;
        int64_t count = 0;
        MoneyMap sums;
    };

    std::map<std::string, Reason> reasons;
    for (const auto& [key, t] : by_reason) {
        Reason& x = reasons[key.first ? "=" + *key.first : std::string()];
        x.reason = key.first ? storage::Value(*key.first) : storage::Value(nullptr);
        x.count += t.deals;
        AddMoney(x.sums, key.second, t);
    }
    std::vector<Reason> ordered;
    for (auto& [key, x] : reasons) {
        ordered.push_back(std::move(x));
    }
    std::stable_sort(ordered.begin(), ordered.end(), [](const Reason& a, const Reason& b) {
        return a.count > b.count;
    });
    Json reason_rows = Json::array();
    for (const Reason& x : ordered) {
        reason_rows.push_back({
            {"reason", Text(x.reason)},
            {"count", x.count},
            {"sums", amounts ? MoneyJson(x.sums) : Json::object()},
            {"drilldown", ListUrl("deals", Plus(lost_terms, {Equals("loss_reason", x.reason)}))},
        });
    }
    auto outcome = [&](const std::string& status) {
        return Json{
            {"count", counts[status]},
            {"sums", amounts ? MoneyJson(sums[status]) : Json::object()},
            {"drilldown", ListUrl("deals", Plus(terms, {{"status", "eq", status}}))},
        };
    };
    return Json{
        {"won", outcome("won")},
        {"lost", outcome("lost")},
        {"win_rate", Ratio(counts["won"], counts["won"] + counts["lost"])},
        {"reasons", std::move(reason_rows)},
    };
}

Result<Json> SalesAnalytics::Forecast(
    Connection& c, const RequestContext& ctx, const AnalyticsFilters& f, std::string_view period
) {
    if (period != "month" && period != "quarter") {
        return Error::InvalidField("period", "must be month or quarter");
    }
    const bool quarter = period == "quarter";
    VK_ASSIGN_OR_RETURN(Resolved r, Resolve(c, ctx, f));
    const std::vector<FilterTerm> terms = r.Terms(f, "created_at");
    const bool amounts = Visible(ctx, "deals", "amount");
    const int64_t now = clock_.NowMicros();

    // The forecast's from/to bound created_at, which is not a roll-up key: then every
    // matching deal is read.
    const bool rows_only = !f.from.empty() || !f.to.empty();
    const std::vector<FilterTerm> undated = r.Terms(f, "");

    // Won amounts per currency with won_at in [from, to).
    auto won_between = [&](int64_t from, int64_t to, std::vector<FilterTerm>& used
                       ) -> Result<MoneyMap> {
        used = Plus(
            terms,
            {{"status", "eq", "won"},
             {"won_at", "gte", core::FormatTimestamp(from)},
             {"won_at", "lt", core::FormatTimestamp(to)}}
        );
        DealRollupQuery q = r.DealQuery(
            ctx, f, "won", "won_at", Plus(undated, {{"status", "eq", "won"}}), "", "status"
        );
        if (rows_only) {
            q.rows_only = true;
            q.terms = used;
        }
        VK_ASSIGN_OR_RETURN(GroupedTotals totals, DealTotalsByMonth(records_, c, ctx, q, from, to));
        MoneyMap out;
        for (const auto& [key, t] : totals) {
            AddMoney(out, key.second, t);
        }
        return out;
    };

    const Period current = PeriodAt(now, quarter);
    std::vector<FilterTerm> history_terms;
    VK_ASSIGN_OR_RETURN(
        MoneyMap history,
        won_between(PeriodAt(now, quarter, -3).start_micros, current.start_micros, history_terms)
    );
    MoneyMap run_rate;
    for (const auto& [currency, minor] : history) {
        run_rate[currency] = DivideHalfEven(minor, 3);
    }
    Json periods = Json::array();
    for (int offset = 0; offset < 2; ++offset) {
        const Period p = PeriodAt(now, quarter, offset);
        const std::vector<FilterTerm> open_terms = Plus(
            terms,
            {{"status", "eq", "open"},
             {"expected_close_date", "gte", p.first_day},
             {"expected_close_date", "lte", p.last_day}}
        );
        // Open deals by the month of their expected close date: a period is whole months.
        DealRollupQuery q = r.DealQuery(
            ctx, f, "expected", "", Plus(undated, {{"status", "eq", "open"}}), "", "status"
        );
        if (rows_only) {
            q.rows_only = true;
            q.terms = open_terms;
        }
        VK_ASSIGN_OR_RETURN(
            GroupedTotals open, DealTotalsByMonth(records_, c, ctx, q, p.start_micros, p.end_micros)
        );
        std::vector<FilterTerm> actual_terms;
        VK_ASSIGN_OR_RETURN(
            MoneyMap actual, won_between(p.start_micros, p.end_micros, actual_terms)
        );
        MoneyMap weighted;
        MoneyMap best_case = actual;
        int64_t open_deals = 0;
        for (const auto& [key, t] : open) {
            open_deals += t.deals;
            if (key.second.empty() || t.amounts == 0) {
                continue;
            }
            weighted[key.second] += DivideHalfEven(t.weighted_minor, 100);
            best_case[key.second] += t.amount_minor;
        }
        auto money = [&](const MoneyMap& m) { return amounts ? MoneyJson(m) : Json::object(); };
        periods.push_back({
            {"period", p.label},
            {"from", p.first_day},
            {"to", p.last_day},
            {"weighted", money(weighted)},
            {"best_case", money(best_case)},
            {"run_rate", money(run_rate)},
            {"actual", money(actual)},
            {"open_deals", open_deals},
            {"drilldown",
             {{"open", ListUrl("deals", open_terms)},
              {"actual", ListUrl("deals", actual_terms)},
              {"run_rate", ListUrl("deals", history_terms)}}},
        });
    }
    return Json{{"period_kind", period}, {"periods", std::move(periods)}};
}

Result<Json> SalesAnalytics::PlanFact(
    Connection& c, const RequestContext& ctx, const AnalyticsFilters& f, std::string_view month
) {
    const std::optional<Period> period = ParseMonth(month);
    if (!period) {
        return Error::InvalidField("period", "must be a month YYYY-MM");
    }
    VK_ASSIGN_OR_RETURN(Resolved r, Resolve(c, ctx, f));
    // Owner and team choose the plans; the facts are every won deal of the plan's people.
    AnalyticsFilters deal_filters = f;
    deal_filters.owner_id.clear();
    deal_filters.team_id.clear();
    const std::vector<FilterTerm> deal_terms = Plus(
        r.Terms(deal_filters, "won_at"),
        {{"status", "eq", "won"},
         {"won_at", "gte", core::FormatTimestamp(period->start_micros)},
         {"won_at", "lt", core::FormatTimestamp(period->end_micros)}}
    );
    std::vector<FilterTerm> plan_terms{{"period", "eq", period->label}};
    if (!f.owner_id.empty()) {
        plan_terms.push_back({"owner_id", "eq", f.owner_id});
    }
    std::vector<storage::Value> params;
    VK_ASSIGN_OR_RETURN(
        std::string plan_cond, Where(records_, c, ctx, "sales_plans", plan_terms, params)
    );
    if (!f.team_id.empty()) {
        params.emplace_back(f.team_id);
        plan_cond += " AND (team_id = " + P(params.size()) +
                     " OR owner_id IN (SELECT id FROM users WHERE tenant_id = $1 AND team_id = " +
                     P(params.size()) + "))";
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows plans,
        c.Query(
            "WITH p AS (SELECT id, owner_id, team_id, amount, currency FROM sales_plans WHERE " +
                plan_cond +
                ") SELECT p.id, p.owner_id, p.team_id, p.amount, p.currency, u.name, u.email, "
                "t.name FROM p LEFT JOIN users u ON u.tenant_id = $1 AND u.id = p.owner_id "
                "LEFT JOIN teams t ON t.tenant_id = $1 AND t.id = p.team_id "
                "ORDER BY COALESCE(u.name, t.name), p.id",
            params
        )
    );
    // Won deals of the month (narrowed by from/to) per owner, then summed per plan: a user's
    // plan takes its owner's, a team's plan its members'.
    int64_t from = period->start_micros;
    int64_t to = period->end_micros;
    if (!f.from.empty()) {
        from = std::max(from, DayStartMicros(f.from));
    }
    if (!f.to.empty()) {
        to = std::min(to, DayStartMicros(f.to, true));
    }
    std::map<std::string, MoneyMap> won_by_owner;
    if (from < to) {
        VK_ASSIGN_OR_RETURN(
            GroupedTotals won,
            DealTotalsByMonth(
                records_,
                c,
                ctx,
                r.DealQuery(
                    ctx,
                    deal_filters,
                    "won",
                    "won_at",
                    Plus(r.Terms(deal_filters, ""), {{"status", "eq", "won"}}),
                    "",
                    "owner_id"
                ),
                from,
                to
            )
        );
        for (const auto& [key, t] : won) {
            if (key.first) {
                AddMoney(won_by_owner[*key.first], key.second, t);
            }
        }
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows team_users,
        c.Query(
            "SELECT team_id, id FROM users WHERE tenant_id = $1 AND team_id IS NOT NULL",
            {ctx.tenant_id}
        )
    );
    std::map<std::string, std::vector<std::string>> members_of;
    for (const auto& row : team_users.rows) {
        members_of[AsText(row[0])].push_back(AsText(row[1]));
    }
    std::map<std::string, MoneyMap> fact_by_plan;
    for (const auto& row : plans.rows) {
        MoneyMap& fact = fact_by_plan[AsText(row[0])];
        std::set<std::string> owners;
        if (!IsNull(row[1])) {
            owners.insert(AsText(row[1]));
        }
        if (!IsNull(row[2])) {
            const auto& members = members_of[AsText(row[2])];
            owners.insert(members.begin(), members.end());
        }
        for (const auto& owner : owners) {
            for (const auto& [currency, minor] : won_by_owner[owner]) {
                fact[currency] += minor;
            }
        }
    }
    const bool amounts = Visible(ctx, "deals", "amount");
    Json rows = Json::array();
    for (const auto& row : plans.rows) {
        const std::string id = AsText(row[0]);
        const std::string currency = AsText(row[4]);
        const int64_t plan_minor = AsInt(row[3]);
        const MoneyMap& fact = fact_by_plan[id];
        const auto in_plan_currency = fact.find(currency);
        const int64_t fact_minor = in_plan_currency == fact.end() ? 0 : in_plan_currency->second;
        Json out = {{"plan_id", id}};
        std::vector<FilterTerm> who;
        if (!IsNull(row[1])) {
            out["owner_id"] = AsText(row[1]);
            out["name"] = IsNull(row[5]) || AsText(row[5]).empty() ? Text(row[6]) : Text(row[5]);
            who.push_back({"owner_id", "eq", AsText(row[1])});
        } else {
            out["team_id"] = Text(row[2]);
            out["name"] = Text(row[7]);
            VK_ASSIGN_OR_RETURN(
                storage::Rows members,
                c.Query(
                    "SELECT id FROM users WHERE tenant_id = $1 AND team_id = $2 ORDER BY id "
                    "LIMIT 100",
                    {ctx.tenant_id, AsText(row[2])}
                )
            );
            std::string in;
            for (const auto& m : members.rows) {
                in += (in.empty() ? "" : ",") + AsText(m[0]);
            }
            who.push_back({"owner_id", "in", in});
        }
        out["plan"] = MoneyJson({{currency, plan_minor}});
        out["fact"] = amounts ? MoneyJson(fact) : Json::object();
        out["percent"] = amounts ? Ratio(fact_minor * 100, plan_minor, 2) : Json(nullptr);
        out["drilldown"] = ListUrl("deals", Plus(deal_terms, who));
        rows.push_back(std::move(out));
    }
    return Json{{"period", period->label}, {"rows", std::move(rows)}};
}

Result<Json> SalesAnalytics::Sources(
    Connection& c, const RequestContext& ctx, const AnalyticsFilters& f, std::string_view group_by
) {
    if (group_by != "source" && group_by != "campaign") {
        return Error::InvalidField("group_by", "must be source or campaign");
    }
    const bool by_campaign = group_by == "campaign";
    VK_ASSIGN_OR_RETURN(Resolved r, Resolve(c, ctx, f));
    const std::string keys = by_campaign ? "source, campaign" : "source";
    const size_t key_count = by_campaign ? 2 : 1;

    struct Row {
        storage::Value source;
        storage::Value campaign;
        int64_t leads = 0;
        int64_t converted = 0;
        int64_t deals_won = 0;
        MoneyMap revenue;
        MoneyMap cost;
    };

    std::map<std::string, Row> rows;
    auto row_of = [&](const std::vector<storage::Value>& values) -> Row& {
        const storage::Value campaign = by_campaign ? values[1] : storage::Value(nullptr);
        const std::string key = Json::array({Text(values[0]), Text(campaign)}).dump();
        Row& x = rows[key];
        x.source = values[0];
        x.campaign = campaign;
        return x;
    };
    // Rows of (keys..., leads, converted), from the records or from the roll-ups alike.
    auto add_leads = [&](const storage::Rows& leads) {
        for (const auto& row : leads.rows) {
            Row& x = row_of(row);
            x.leads += AsInt(row[key_count]);
            x.converted += AsInt(row[key_count + 1]);
        }
    };

    // Leads by creation month: whole months from lead_period_rollups, edge months from leads.
    const std::vector<FilterTerm> lead_terms = r.Terms(f, "created_at", false);
    const MonthSplit lead_months = SplitByMonths(DayBound(f.from, false), DayBound(f.to, true));
    std::vector<storage::Value> params;
    VK_ASSIGN_OR_RETURN(std::string cond, Where(records_, c, ctx, "leads", lead_terms, params));
    for (const auto& [a, b] : lead_months.edges) {
        params.clear();
        VK_ASSIGN_OR_RETURN(
            cond,
            Where(
                records_,
                c,
                ctx,
                "leads",
                Plus(
                    r.Terms(f, "", false),
                    {{"created_at", "gte", core::FormatTimestamp(a)},
                     {"created_at", "lt", core::FormatTimestamp(b)}}
                ),
                params
            )
        );
        VK_ASSIGN_OR_RETURN(
            storage::Rows leads,
            c.Query(
                "SELECT " + keys +
                    ", COUNT(*), SUM(CASE WHEN status = 'converted' THEN 1 ELSE 0 END) FROM "
                    "leads WHERE " +
                    cond + " GROUP BY " + keys,
                params
            )
        );
        add_leads(leads);
    }
    {
        params.assign({ctx.tenant_id});
        const std::string where = "tenant_id = $1" +
                                  r.RollupConditions(ctx, f, "leads", false, params) +
                                  lead_months.MonthCondition(params);
        const std::string rollup_keys =
            by_campaign ? "NULLIF(source, ''), NULLIF(campaign, '')" : "NULLIF(source, '')";
        VK_ASSIGN_OR_RETURN(
            storage::Rows leads,
            c.Query(
                "SELECT " + rollup_keys +
                    ", CAST(SUM(leads) AS BIGINT), CAST(SUM(converted) AS BIGINT) FROM "
                    "lead_period_rollups WHERE " +
                    where + " GROUP BY " + rollup_keys,
                params
            )
        );
        add_leads(leads);
    }

    const std::vector<FilterTerm> won_terms = Plus(r.Terms(f, "won_at"), {{"status", "eq", "won"}});
    params.clear();
    storage::Rows won;
    if (by_campaign) {
        VK_ASSIGN_OR_RETURN(
            std::string lead_cond, Where(records_, c, ctx, "leads", r.Terms(f, "", false), params)
        );
        VK_ASSIGN_OR_RETURN(
            std::string deal_cond, Where(records_, c, ctx, "deals", won_terms, params)
        );
        VK_ASSIGN_OR_RETURN(
            won,
            c.Query(
                "WITH l AS (SELECT source, campaign, converted_deal_id FROM leads WHERE " +
                    lead_cond + "), d AS (SELECT id, currency, amount FROM deals WHERE " +
                    deal_cond +
                    ") SELECT l.source, l.campaign, COUNT(*), d.currency, "
                    "CAST(SUM(d.amount) AS BIGINT) FROM l JOIN d ON d.id = l.converted_deal_id "
                    "GROUP BY l.source, l.campaign, d.currency",
                params
            )
        );
    } else {
        VK_ASSIGN_OR_RETURN(
            GroupedTotals by_source,
            DealTotalsByMonth(
                records_,
                c,
                ctx,
                r.DealQuery(
                    ctx,
                    f,
                    "won",
                    "won_at",
                    Plus(r.Terms(f, ""), {{"status", "eq", "won"}}),
                    "",
                    "source"
                ),
                DayBound(f.from, false),
                DayBound(f.to, true)
            )
        );
        for (const auto& [key, t] : by_source) {
            Row& x = row_of({key.first ? storage::Value(*key.first) : storage::Value(nullptr)});
            x.deals_won += t.deals;
            AddMoney(x.revenue, key.second, t);
        }
    }
    for (const auto& row : won.rows) {
        Row& x = row_of(row);
        x.deals_won += AsInt(row[key_count]);
        AddTo(x.revenue, row[key_count + 1], row[key_count + 2]);
    }

    // Costs of the months from..to (all months without them).
    std::vector<FilterTerm> cost_terms;
    if (!f.source.empty()) {
        cost_terms.push_back({"source", "eq", f.source});
    }
    if (!f.from.empty()) {
        cost_terms.push_back({"period", "gte", f.from.substr(0, 7)});
    }
    if (!f.to.empty()) {
        cost_terms.push_back({"period", "lte", f.to.substr(0, 7)});
    }
    params.clear();
    VK_ASSIGN_OR_RETURN(cond, Where(records_, c, ctx, "campaign_costs", cost_terms, params));
    VK_ASSIGN_OR_RETURN(
        storage::Rows costs,
        c.Query(
            "SELECT " + keys + ", COUNT(*), currency, CAST(SUM(amount) AS BIGINT) FROM " +
                "campaign_costs WHERE " + cond + " GROUP BY " + keys + ", currency",
            params
        )
    );
    for (const auto& row : costs.rows) {
        AddTo(row_of(row).cost, row[key_count + 1], row[key_count + 2]);
    }

    const bool revenue_visible = Visible(ctx, "deals", "amount");
    const bool cost_visible = Visible(ctx, "campaign_costs", "amount");
    Json out = Json::array();
    for (const auto& [key, x] : rows) {
        MoneyMap per_lead;
        MoneyMap per_acquisition;
        Json roi = nullptr;
        for (const auto& [currency, minor] : x.cost) {
            if (x.leads > 0) {
                per_lead[currency] = DivideHalfEven(minor, x.leads);
            }
            if (x.deals_won > 0) {
                per_acquisition[currency] = DivideHalfEven(minor, x.deals_won);
            }
            if (minor > 0 && revenue_visible) {
                const auto rev = x.revenue.find(currency);
                const int64_t revenue = rev == x.revenue.end() ? 0 : rev->second;
                if (roi.is_null()) {
                    roi = Json::object();
                }
                roi[currency] = Ratio(revenue - minor, minor);
            }
        }
        std::vector<FilterTerm> group{Equals("source", x.source)};
        if (by_campaign) {
            group.push_back(Equals("campaign", x.campaign));
        }
        Json drill = {
            {"leads", ListUrl("leads", Plus(lead_terms, group))},
            {"deals",
             by_campaign ? Json(nullptr)
                         : Json(ListUrl("deals", Plus(won_terms, {Equals("source", x.source)})))},
        };
        out.push_back({
            {"source", Text(x.source)},
            {"campaign", Text(x.campaign)},
            {"leads", x.leads},
            {"converted", x.converted},
            {"conversion", Ratio(x.converted, x.leads)},
            {"deals_won", x.deals_won},
            {"revenue", revenue_visible ? MoneyJson(x.revenue) : Json::object()},
            {"cost", cost_visible ? MoneyJson(x.cost) : Json::object()},
            {"cost_per_lead", cost_visible ? MoneyJson(per_lead) : Json::object()},
            {"cost_per_acquisition", cost_visible ? MoneyJson(per_acquisition) : Json::object()},
            {"roi", cost_visible ? roi : Json(nullptr)},
            {"drilldown", std::move(drill)},
        });
    }
    return Json{{"group_by", group_by}, {"rows", std::move(out)}};
}

Result<ReportQuery> ReportQueryFromDefinition(const Json& d) {
    if (!d.is_object() || !d.contains("entity") || !d["entity"].is_string()) {
        return Error::InvalidField("definition", "is not a report definition");
    }
    ReportQuery q;
    q.entity = d["entity"].get<std::string>();
    for (const char* key : {"group_by", "aggregate"}) {
        if (!d.contains(key)) {
            continue;
        }
        for (const Json& item : d[key]) {
            if (!item.is_string()) {
                return Error::InvalidField("definition", "is not a report definition");
            }
            (std::string(key) == "group_by" ? q.group_by : q.aggregates)
                .push_back(item.get<std::string>());
        }
    }
    if (d.contains("filters")) {
        for (const Json& f : d["filters"]) {
            if (!f.is_object() || !f.contains("field") || !f["field"].is_string() ||
                !f.contains("value") || !f["value"].is_string()) {
                return Error::InvalidField("definition", "is not a report definition");
            }
            q.filters.push_back(
                {f["field"].get<std::string>(),
                 f.contains("op") && f["op"].is_string() ? f["op"].get<std::string>() : "eq",
                 f["value"].get<std::string>()}
            );
        }
    }
    return q;
}

Result<Json> SalesAnalytics::SavedReport(
    Connection& c, const RequestContext& ctx, const std::string& id
) {
    auto own = records_.Get(c, ctx, "reports", id);
    if (own) {
        return own->body.value("definition", Json());
    }
    if (own.error().code != core::ErrorCode::kNotFound) {
        return std::move(own).error();
    }
    const bool may_read =
        ctx.permissions && ctx.permissions->For("reports").read != access::Scope::kNone;
    if (may_read && !ctx.team_id.empty() && core::IsIdShaped(id)) {
        VK_ASSIGN_OR_RETURN(
            storage::Rows rows,
            c.Query(
                "SELECT definition FROM reports WHERE tenant_id = $1 AND id = $2 AND "
                "deleted_at IS NULL AND shared_team_id = $3",
                {ctx.tenant_id, id, ctx.team_id}
            )
        );
        if (!rows.empty()) {
            Json definition = Json::parse(AsText(rows.rows[0][0]), nullptr, false);
            if (!definition.is_discarded()) {
                return definition;
            }
        }
    }
    return Error::NotFound("No report with this id that you may run");
}

namespace {

enum class AggOp { kCount, kSum, kAvg, kMin, kMax };

struct Aggregate {
    std::string name;  // "sum:amount"
    AggOp op = AggOp::kCount;
    records::FieldDef field;
    std::string sql;
    int currency_index = -1;  // index among the currency columns, money only
};

struct Accumulator {
    int64_t isum = 0;
    double dsum = 0;
    int64_t n = 0;
    std::optional<double> min;
    std::optional<double> max;
    MoneyMap money_sum;
    MoneyMap money_n;
    MoneyMap money_min;
    MoneyMap money_max;
};

bool Groupable(records::FieldType t) {
    using records::FieldType;
    switch (t) {
        case FieldType::kText:
        case FieldType::kEmail:
        case FieldType::kPhone:
        case FieldType::kUrl:
        case FieldType::kCurrency:
        case FieldType::kInteger:
        case FieldType::kBool:
        case FieldType::kDate:
        case FieldType::kEnum:
        case FieldType::kReference:
        case FieldType::kUser:
            return true;
        case FieldType::kMoney:
        case FieldType::kNumber:
        case FieldType::kDateTime:
        case FieldType::kMultiEnum:
        case FieldType::kJson:
            return false;
    }
    return false;
}

// A group value as the list filter language writes it.
FilterTerm GroupTerm(const std::string& name, const records::FieldDef& f, const storage::Value& v) {
    if (!IsNull(v) && f.type == records::FieldType::kBool) {
        return {name, "eq", AsInt(v) != 0 ? "true" : "false"};
    }
    return Equals(name, v);
}

Json Number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

}  // namespace

Result<Json> SalesAnalytics::Report(
    Connection& c, const RequestContext& ctx, const AnalyticsFilters& f, const ReportQuery& q
) {
    if (q.entity.empty()) {
        return Error::InvalidField("entity", "is required");
    }
    auto meta = records_.Meta(c, ctx, q.entity);
    if (!meta) {
        return Error::InvalidField("entity", "is not an entity");
    }
    const records::EntityDef& def = **meta;
    if (!ctx.permissions || ctx.permissions->For(def.name).read == access::Scope::kNone) {
        return Error::Forbidden("Your role does not allow reading " + def.name);
    }
    const auto& hidden = ctx.permissions->For(def.name).hidden_fields;
    if (q.group_by.size() > 2) {
        return Error::InvalidField("group_by", "at most 2 fields");
    }
    if (q.aggregates.empty() || q.aggregates.size() > 10) {
        return Error::InvalidField("aggregate", "give 1 to 10 aggregates");
    }
    const storage::Dialect d = c.dialect();
    std::vector<records::FieldColumn> groups;
    for (const std::string& name : q.group_by) {
        VK_ASSIGN_OR_RETURN(auto col, records::ResolveFieldColumn(d, def, name, "group_by"));
        if (!Groupable(col.field.type) || hidden.contains(col.field.name)) {
            return Error::InvalidField("group_by", "cannot group by '" + name + "'");
        }
        groups.push_back(std::move(col));
    }
    std::vector<Aggregate> aggregates;
    std::vector<std::string> currency_columns;
    for (const std::string& name : q.aggregates) {
        Aggregate a;
        a.name = name;
        if (name == "count") {
            aggregates.push_back(std::move(a));
            continue;
        }
        const size_t colon = name.find(':');
        static const std::map<std::string, AggOp, std::less<>> kOps{
            {"sum", AggOp::kSum}, {"avg", AggOp::kAvg}, {"min", AggOp::kMin}, {"max", AggOp::kMax}};
        const auto op = colon == std::string::npos ? kOps.end() : kOps.find(name.substr(0, colon));
        if (op == kOps.end()) {
            return Error::InvalidField(
                "aggregate", "'" + name + "' is not count, sum:f, avg:f, min:f or max:f"
            );
        }
        a.op = op->second;
        VK_ASSIGN_OR_RETURN(
            auto col, records::ResolveFieldColumn(d, def, name.substr(colon + 1), "aggregate")
        );
        const auto t = col.field.type;
        if ((t != records::FieldType::kInteger && t != records::FieldType::kNumber &&
             t != records::FieldType::kMoney) ||
            hidden.contains(col.field.name) ||
            (t == records::FieldType::kMoney &&
             (col.field.custom || col.field.currency_field.empty()))) {
            return Error::InvalidField("aggregate", "cannot aggregate '" + name + "'");
        }
        if (t == records::FieldType::kMoney) {
            auto it = std::find(
                currency_columns.begin(), currency_columns.end(), col.field.currency_field
            );
            a.currency_index = static_cast<int>(it - currency_columns.begin());
            if (it == currency_columns.end()) {
                currency_columns.push_back(col.field.currency_field);
            }
        }
        a.field = col.field;
        a.sql = col.sql;
        aggregates.push_back(std::move(a));
    }

    // Common filters on the fields this entity has; from/to on created_at.
    VK_ASSIGN_OR_RETURN(Resolved r, Resolve(c, ctx, f));
    std::vector<FilterTerm> terms;
    for (FilterTerm& t : r.Terms(f, "created_at")) {
        if (!def.Field(t.field) && t.field != "created_at") {
            const std::string param =
                t.field == "owner_id" && !f.team_id.empty() && t.op == "in" ? "team_id" : t.field;
            return Error::InvalidField(param, def.name + " cannot be filtered by it");
        }
        terms.push_back(std::move(t));
    }
    for (const FilterTerm& t : q.filters) {
        terms.push_back(t);
    }
    std::vector<storage::Value> params;
    VK_ASSIGN_OR_RETURN(std::string cond, records::ListCondition(c, ctx, def, terms, params));

    std::string select;
    std::string group_list;
    std::string order;
    for (size_t i = 0; i < groups.size(); ++i) {
        select += groups[i].sql + ", ";
        group_list += (group_list.empty() ? "" : ", ") + groups[i].sql;
        order += (order.empty() ? "" : ", ") + groups[i].sql + " ASC NULLS LAST";
    }
    for (const std::string& cur : currency_columns) {
        select += cur + ", ";
        group_list += (group_list.empty() ? "" : ", ") + cur;
        order += (order.empty() ? "" : ", ") + cur + " ASC NULLS LAST";
    }
    select += "COUNT(*)";
    for (const Aggregate& a : aggregates) {
        if (a.op == AggOp::kCount) {
            continue;
        }
        const bool integral = a.field.type != records::FieldType::kNumber;
        const std::string sum =
            integral ? "CAST(SUM(" + a.sql + ") AS BIGINT)" : "SUM(" + a.sql + ")";
        select += ", " + sum + ", COUNT(" + a.sql + "), MIN(" + a.sql + "), MAX(" + a.sql + ")";
    }
    std::string sql = "SELECT " + select + " FROM " + def.name + " WHERE " + cond;
    if (!group_list.empty()) {
        sql += " GROUP BY " + group_list + " ORDER BY " + order;
    }
    params.emplace_back(static_cast<int64_t>(kMaxReportGroups * 20 + 1));
    sql += " LIMIT " + P(params.size());
    VK_ASSIGN_OR_RETURN(storage::Rows rows, c.Query(sql, params));

    // Rows split by currency merge back into one row per group.
    struct Group {
        std::vector<storage::Value> keys;
        int64_t count = 0;
        std::vector<Accumulator> acc;
    };

    std::vector<Group> merged;
    std::map<std::string, size_t> index;
    const size_t ng = groups.size();
    const size_t nc = currency_columns.size();
    for (const auto& row : rows.rows) {
        Json key = Json::array();
        for (size_t i = 0; i < ng; ++i) {
            key.push_back(Text(row[i]));
        }
        auto [it, added] = index.try_emplace(key.dump(), merged.size());
        if (added) {
            Group g;
            g.keys.assign(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(ng));
            g.acc.resize(aggregates.size());
            merged.push_back(std::move(g));
        }
        Group& g = merged[it->second];
        g.count += AsInt(row[ng + nc]);
        size_t col = ng + nc + 1;
        for (size_t k = 0; k < aggregates.size(); ++k) {
            const Aggregate& a = aggregates[k];
            if (a.op == AggOp::kCount) {
                continue;
            }
            Accumulator& acc = g.acc[k];
            const storage::Value& sum = row[col];
            const int64_t n = AsInt(row[col + 1]);
            const storage::Value& min = row[col + 2];
            const storage::Value& max = row[col + 3];
            col += 4;
            if (n == 0) {
                continue;
            }
            if (a.field.type == records::FieldType::kMoney) {
                const storage::Value& cur = row[ng + static_cast<size_t>(a.currency_index)];
                if (IsNull(cur)) {
                    continue;
                }
                const std::string currency = AsText(cur);
                const bool first = !acc.money_n.contains(currency);
                acc.money_sum[currency] += AsInt(sum);
                acc.money_n[currency] += n;
                acc.money_min[currency] =
                    first ? AsInt(min) : std::min(acc.money_min[currency], AsInt(min));
                acc.money_max[currency] =
                    first ? AsInt(max) : std::max(acc.money_max[currency], AsInt(max));
                continue;
            }
            acc.isum += a.field.type == records::FieldType::kInteger ? AsInt(sum) : 0;
            acc.dsum += storage::AsDouble(sum);
            acc.n += n;
            const double lo = storage::AsDouble(min);
            const double hi = storage::AsDouble(max);
            acc.min = acc.min ? std::min(*acc.min, lo) : lo;
            acc.max = acc.max ? std::max(*acc.max, hi) : hi;
        }
    }
    const bool truncated = merged.size() > kMaxReportGroups;
    if (truncated) {
        merged.resize(kMaxReportGroups);
    }
    Json columns = Json::array();
    for (const std::string& g : q.group_by) {
        columns.push_back(g);
    }
    for (const Aggregate& a : aggregates) {
        columns.push_back(a.name);
    }
    Json out_rows = Json::array();
    for (const Group& g : merged) {
        Json row = Json::object();
        std::vector<FilterTerm> drill = terms;
        for (size_t i = 0; i < ng; ++i) {
            const records::FieldDef& field = groups[i].field;
            row[q.group_by[i]] =
                field.custom ? Text(g.keys[i]) : records::FromStorage(field, g.keys[i], "");
            drill.push_back(GroupTerm(q.group_by[i], field, g.keys[i]));
        }
        for (size_t k = 0; k < aggregates.size(); ++k) {
            const Aggregate& a = aggregates[k];
            const Accumulator& acc = g.acc[k];
            Json value;
            if (a.op == AggOp::kCount) {
                value = g.count;
            } else if (a.field.type == records::FieldType::kMoney) {
                MoneyMap m;
                for (const auto& [currency, n] : acc.money_n) {
                    switch (a.op) {
                        case AggOp::kSum:
                            m[currency] = acc.money_sum.at(currency);
                            break;
                        case AggOp::kAvg:
                            m[currency] = DivideHalfEven(acc.money_sum.at(currency), n);
                            break;
                        case AggOp::kMin:
                            m[currency] = acc.money_min.at(currency);
                            break;
                        case AggOp::kMax:
                            m[currency] = acc.money_max.at(currency);
                            break;
                        case AggOp::kCount:
                            break;
                    }
                }
                value = MoneyJson(m);
            } else if (acc.n == 0) {
                value = a.op == AggOp::kSum ? Json(0) : Json(nullptr);
            } else {
                const bool integral = a.field.type == records::FieldType::kInteger;
                switch (a.op) {
                    case AggOp::kSum:
                        value = integral ? Json(acc.isum) : Number(acc.dsum);
                        break;
                    case AggOp::kAvg:
                        value = integral
                                    ? Json(std::stod(Ratio(acc.isum, acc.n, 4).get<std::string>()))
                                    : Number(acc.dsum / static_cast<double>(acc.n));
                        break;
                    case AggOp::kMin:
                        value = integral ? Json(static_cast<int64_t>(*acc.min)) : Number(*acc.min);
                        break;
                    case AggOp::kMax:
                        value = integral ? Json(static_cast<int64_t>(*acc.max)) : Number(*acc.max);
                        break;
                    case AggOp::kCount:
                        break;
                }
            }
            row[a.name] = std::move(value);
        }
        row["drilldown"] = ListUrl(def.name, drill);
        out_rows.push_back(std::move(row));
    }
    return Json{
        {"entity", def.name},
        {"columns", std::move(columns)},
        {"rows", std::move(out_rows)},
        {"truncated", truncated},
    };
}

}  // namespace voronka::analytics
