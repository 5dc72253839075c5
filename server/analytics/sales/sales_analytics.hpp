// Sales and marketing analytics over the caller's readable deals and leads: funnel, velocity,
// win/loss, forecast, plan vs fact, sources/ROI and the report builder.
//
// Every figure is computed in SQL with the tenant and the caller's read scope in the WHERE
// clause, so a `user` sees figures over its own and its team's records only: over the records
// (the record engine's ListCondition) for the funnel, velocity and reports, and for win/loss,
// forecast, plan vs fact and sources over the monthly roll-ups (period_rollups.hpp), whose
// owner key takes the same scope, plus the records of the partial months at a range's edges.
// Money is summed per currency in minor units; divisions (averages, run
// rate, weighted pipeline) round half to even on integers. Ratios are decimal strings ("0.2500").
// Each row carries "drilldown": the list URL (same filters) that shows the records behind it.
#pragma once

#include <string>
#include <vector>

#include "core/clock.hpp"
#include "records/record_service.hpp"

namespace voronka::analytics {

using core::Json;
using core::Result;
using records::RequestContext;
using storage::Connection;

// Filters every endpoint takes. from/to ("YYYY-MM-DD", inclusive, UTC) bound the deals' (and
// leads') created_at, except win-loss (closed_at), plan-fact and sources revenue (won_at) and
// sources costs (the months from..to). owner_id/team_id narrow to deals owned by that user or
// by members of that team; source to deals (and leads) of that source.
struct AnalyticsFilters {
    std::string from;
    std::string to;
    std::string pipeline_id;
    std::string owner_id;
    std::string team_id;
    std::string source;
};

// GET /api/v1/analytics/report: group records of `entity` by up to two fields and aggregate
// count, sum:f, avg:f, min:f, max:f (f an integer, number or money field).
struct ReportQuery {
    std::string entity;
    std::vector<std::string> group_by;
    std::vector<std::string> aggregates;
    std::vector<records::FilterTerm> filters;
};

// A saved report's definition JSON -> query (shape checked by the reports entity hook).
Result<ReportQuery> ReportQueryFromDefinition(const Json& definition);

class SalesAnalytics {
public:
    SalesAnalytics(records::RecordService& records, const core::Clock& clock);

    // {"pipeline_id", "stages": [{"stage_id", "name", "kind", "position", "reached", "current",
    //  "conversion_to_next", "drop_off", "drilldown"}], "won", "lost", "win_rate"}.
    // reached: deals that were ever in this stage or a later one (stage moves in the event log
    // plus the current stage; a lost deal reached the furthest non-lost stage it was in); for a
    // lost stage, the deals that were in it. conversion_to_next = reached(next non-lost stage) /
    // reached; drop_off = reached - reached(next). Requires pipeline_id.
    Result<Json> Funnel(Connection& c, const RequestContext& ctx, const AnalyticsFilters& f);

    // {"pipeline_id", "stages": [{"stage_id", "name", "kind", "position", "deals", "avg_days",
    //  "median_days", "drilldown"}]}: time from entering a stage to leaving it, summed per deal;
    // an open deal's current stage counts until now. Won/lost stages count deals, not days.
    Result<Json> Velocity(Connection& c, const RequestContext& ctx, const AnalyticsFilters& f);

    // {"won": {"count", "sums", "drilldown"}, "lost": {...}, "win_rate", "reasons": [{"reason",
    //  "count", "sums", "drilldown"}]} over deals closed in from..to.
    Result<Json> WinLoss(Connection& c, const RequestContext& ctx, const AnalyticsFilters& f);

    // period "month" | "quarter" -> {"period_kind", "periods": [current, next]}, each {"period",
    // "from", "to", "weighted", "best_case", "run_rate", "actual", "open_deals", "drilldown":
    // {"open", "actual"}}. weighted = round_half_even(sum(amount * probability) / 100) over open
    // deals expected to close in the period; best_case = actual + the open deals' full amounts;
    // run_rate = round_half_even(won in the 3 periods before the current one / 3); actual = won
    // in the period so far.
    Result<Json> Forecast(
        Connection& c, const RequestContext& ctx, const AnalyticsFilters& f, std::string_view period
    );

    // month "YYYY-MM" -> {"period", "rows": [{"plan_id", "owner_id" | "team_id", "name", "plan",
    // "fact", "percent", "drilldown"}]}: fact = won deals (won_at in the month) of the user or of
    // the team's members; percent = fact in the plan's currency / plan * 100, two decimals.
    Result<Json> PlanFact(
        Connection& c, const RequestContext& ctx, const AnalyticsFilters& f, std::string_view month
    );

    // group_by "source" | "campaign" -> {"group_by", "rows": [{"source", "campaign", "leads",
    //  "converted", "conversion", "deals_won", "revenue", "cost", "cost_per_lead",
    //  "cost_per_acquisition", "roi", "drilldown": {"leads", "deals"}}]}. By source, revenue is
    // won deals of that source; by campaign, won deals converted from the campaign's leads. ROI
    // per currency = (revenue - cost) / cost; null where there is no cost.
    Result<Json> Sources(
        Connection& c,
        const RequestContext& ctx,
        const AnalyticsFilters& f,
        std::string_view group_by
    );

    // {"entity", "columns": [group fields..., aggregates...], "rows": [{field: value, ...,
    //  "count": n, "sum:amount": {"RUB": "..."} | number, ..., "drilldown"}], "truncated"}.
    // Money aggregates are per currency. The common filters apply to deals and leads as above.
    Result<Json> Report(
        Connection& c, const RequestContext& ctx, const AnalyticsFilters& f, const ReportQuery& q
    );

    // The definition of a saved report the caller may run: its own (owner scope) or one shared
    // with the caller's team. kNotFound otherwise.
    Result<Json> SavedReport(Connection& c, const RequestContext& ctx, const std::string& id);

private:
    struct Resolved;

    Result<Resolved> Resolve(Connection& c, const RequestContext& ctx, const AnalyticsFilters& f);

    records::RecordService& records_;
    const core::Clock& clock_;
};

}  // namespace voronka::analytics
