// Thin handlers: parse the query, run one analytics read, answer JSON or an export.
#include "analytics/sales/sales_analytics_routes.hpp"

#include <memory>
#include <set>

#include "analytics/sales/analytics_sql.hpp"
#include "analytics/sales/export.hpp"
#include "analytics/sales/sales_analytics.hpp"
#include "analytics/sales/sales_analytics_entities.hpp"

namespace voronka::analytics {

using core::Error;
using http::Policy;
using http::Request;
using http::Response;

namespace {

struct Query {
    AnalyticsFilters filters;
    std::map<std::string, std::string> extra;
    std::vector<records::FilterTerm> terms;  // filter[field][op]=value (report builder)
    std::string format = "json";
};

// Splits "a,b" into names; empty items are dropped.
std::vector<std::string> SplitList(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        if (comma == std::string::npos) {
            comma = text.size();
        }
        if (comma > start) {
            out.push_back(text.substr(start, comma - start));
        }
        start = comma + 1;
    }
    return out;
}

Result<Query> ParseQuery(
    const Request& req, const std::set<std::string, std::less<>>& extra_keys, bool filters
) {
    Query q;
    std::vector<core::FieldError> errors;
    std::set<std::string> seen;
    for (const auto& [key, value] : req.query) {
        if (!seen.insert(key).second && !key.starts_with("filter[")) {
            errors.push_back({key, "is given more than once"});
            continue;
        }
        if (value.size() > 1000) {
            errors.push_back({key, "is too long"});
            continue;
        }
        std::string* common = key == "from"          ? &q.filters.from
                              : key == "to"          ? &q.filters.to
                              : key == "pipeline_id" ? &q.filters.pipeline_id
                              : key == "owner_id"    ? &q.filters.owner_id
                              : key == "team_id"     ? &q.filters.team_id
                              : key == "source"      ? &q.filters.source
                                                     : nullptr;
        if (common) {
            if (value.empty()) {
                errors.push_back({key, "must not be empty"});
            }
            *common = value;
        } else if (key == "format") {
            if (value != "json" && value != "csv" && value != "xlsx") {
                errors.push_back({key, "must be json, csv or xlsx"});
            }
            q.format = value;
        } else if (extra_keys.contains(key)) {
            q.extra[key] = value;
        } else if (filters && key.starts_with("filter[")) {
            const size_t close = key.find(']');
            records::FilterTerm term;
            if (close == std::string::npos || close == 7) {
                errors.push_back({key, "must look like filter[field] or filter[field][op]"});
                continue;
            }
            term.field = key.substr(7, close - 7);
            const std::string rest = key.substr(close + 1);
            if (!rest.empty()) {
                if (rest.size() < 3 || rest.front() != '[' || rest.back() != ']') {
                    errors.push_back({key, "must look like filter[field] or filter[field][op]"});
                    continue;
                }
                term.op = rest.substr(1, rest.size() - 2);
            }
            term.value = value;
            q.terms.push_back(std::move(term));
        } else {
            errors.push_back({key, "is not a parameter of this report"});
        }
    }
    if (!errors.empty()) {
        return Error::Invalid("Invalid analytics query", std::move(errors));
    }
    return q;
}

std::string Extra(const Query& q, const std::string& key, std::string fallback = {}) {
    auto it = q.extra.find(key);
    return it == q.extra.end() ? fallback : it->second;
}

// JSON, or the export rows as CSV/XLSX with an audit entry.
Result<Response> Answer(
    const AuditFn& audit,
    const RequestContext& ctx,
    const Request& req,
    std::string_view name,
    const Query& q,
    const Json& body,
    const Json& rows,
    const std::vector<std::string>& leading = {}
) {
    if (q.format == "json") {
        return Response::JsonBody(200, body);
    }
    const Table table = Flatten(rows, leading);
    Response r;
    const std::string file = "voronka-" + std::string(name) + "." + q.format;
    if (q.format == "csv") {
        r = Response::Text(200, ToCsv(table), "text/csv; charset=utf-8");
    } else {
        VK_ASSIGN_OR_RETURN(std::string bytes, ToXlsx(table, name));
        r = Response::Text(
            200,
            std::move(bytes),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
    }
    r.SetHeader("Content-Disposition", "attachment; filename=\"" + file + "\"");
    if (audit) {
        audit(
            ctx,
            "export",
            {{"report", name},
             {"format", q.format},
             {"rows", table.rows.size()},
             {"query", req.target}}
        );
    }
    return r;
}

}  // namespace

void RegisterSalesAnalytics(
    http::Router& router,
    records::EntityRegistry& registry,
    records::RecordService& records,
    const core::Clock& clock,
    AuditFn audit
) {
    RegisterSalesAnalyticsEntities(registry);
    auto service = std::make_shared<SalesAnalytics>(records, clock);
    auto& db = records.db();
    const std::string tag = "analytics";

    router.Add(
        "GET",
        "/api/v1/analytics/funnel",
        Policy::kAuthenticated,
        [service, &db, audit](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(Query q, ParseQuery(req, {}, false));
            VK_ASSIGN_OR_RETURN(Json body, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return service->Funnel(c, ctx, q.filters);
                                }));
            return Answer(
                audit,
                ctx,
                req,
                "funnel",
                q,
                body,
                body["stages"],
                {"stage_id",
                 "name",
                 "kind",
                 "position",
                 "reached",
                 "current",
                 "conversion_to_next",
                 "drop_off"}
            );
        },
        "Pipeline funnel: deals that reached each stage, conversion and drop-off",
        tag
    );

    router.Add(
        "GET",
        "/api/v1/analytics/velocity",
        Policy::kAuthenticated,
        [service, &db, audit](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(Query q, ParseQuery(req, {}, false));
            VK_ASSIGN_OR_RETURN(Json body, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return service->Velocity(c, ctx, q.filters);
                                }));
            return Answer(
                audit,
                ctx,
                req,
                "velocity",
                q,
                body,
                body["stages"],
                {"stage_id",
                 "name",
                 "kind",
                 "position",
                 "deals",
                 "timed_deals",
                 "avg_days",
                 "median_days"}
            );
        },
        "Days deals spend in each stage (average and median)",
        tag
    );

    router.Add(
        "GET",
        "/api/v1/analytics/win-loss",
        Policy::kAuthenticated,
        [service, &db, audit](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(Query q, ParseQuery(req, {}, false));
            VK_ASSIGN_OR_RETURN(Json body, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return service->WinLoss(c, ctx, q.filters);
                                }));
            Json rows = Json::array();
            for (const char* outcome : {"won", "lost"}) {
                Json row = {{"outcome", outcome}, {"reason", nullptr}};
                row.update(body[outcome]);
                rows.push_back(std::move(row));
            }
            for (const Json& reason : body["reasons"]) {
                Json row = {{"outcome", "lost"}};
                row.update(reason);
                rows.push_back(std::move(row));
            }
            return Answer(
                audit, ctx, req, "win-loss", q, body, rows, {"outcome", "reason", "count"}
            );
        },
        "Won and lost deals with sums and loss reasons",
        tag
    );

    router.Add(
        "GET",
        "/api/v1/analytics/forecast",
        Policy::kAuthenticated,
        [service, &db, audit](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(Query q, ParseQuery(req, {"period"}, false));
            const std::string period = Extra(q, "period", "month");
            VK_ASSIGN_OR_RETURN(Json body, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return service->Forecast(c, ctx, q.filters, period);
                                }));
            return Answer(
                audit,
                ctx,
                req,
                "forecast",
                q,
                body,
                body["periods"],
                {"period", "from", "to", "open_deals"}
            );
        },
        "Sales forecast for this and the next month or quarter",
        tag
    );

    router.Add(
        "GET",
        "/api/v1/analytics/plan-fact",
        Policy::kAuthenticated,
        [service, &db, &clock, audit](
            const RequestContext& ctx, const Request& req
        ) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(Query q, ParseQuery(req, {"period"}, false));
            const std::string month = Extra(q, "period", PeriodAt(clock.NowMicros(), false).label);
            VK_ASSIGN_OR_RETURN(Json body, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return service->PlanFact(c, ctx, q.filters, month);
                                }));
            return Answer(
                audit,
                ctx,
                req,
                "plan-fact",
                q,
                body,
                body["rows"],
                {"plan_id", "owner_id", "team_id", "name", "percent"}
            );
        },
        "Sales plans against won deals for a month",
        tag
    );

    router.Add(
        "GET",
        "/api/v1/analytics/sources",
        Policy::kAuthenticated,
        [service, &db, audit](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(Query q, ParseQuery(req, {"group_by"}, false));
            const std::string group_by = Extra(q, "group_by", "source");
            VK_ASSIGN_OR_RETURN(Json body, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return service->Sources(c, ctx, q.filters, group_by);
                                }));
            return Answer(
                audit,
                ctx,
                req,
                "sources",
                q,
                body,
                body["rows"],
                {"source", "campaign", "leads", "converted", "conversion", "deals_won"}
            );
        },
        "Leads, conversion, revenue, cost and ROI by source or campaign",
        tag
    );

    router.Add(
        "GET",
        "/api/v1/analytics/report",
        Policy::kAuthenticated,
        [service, &db, audit](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(
                Query q, ParseQuery(req, {"entity", "group_by", "aggregate", "report_id"}, true)
            );
            const std::string report_id = Extra(q, "report_id");
            if (!report_id.empty() && (q.extra.size() > 1 || !q.terms.empty())) {
                return Error::InvalidField(
                    "report_id",
                    "runs a saved report; give no entity, group_by, aggregate or filter with it"
                );
            }
            VK_ASSIGN_OR_RETURN(
                Json body,
                storage::ReadReturning<Json>(
                    db,
                    [&](Connection& c) -> Result<Json> {
                        ReportQuery report;
                        if (!report_id.empty()) {
                            VK_ASSIGN_OR_RETURN(
                                Json definition, service->SavedReport(c, ctx, report_id)
                            );
                            VK_ASSIGN_OR_RETURN(report, ReportQueryFromDefinition(definition));
                        } else {
                            report.entity = Extra(q, "entity");
                            report.group_by = SplitList(Extra(q, "group_by"));
                            report.aggregates = SplitList(Extra(q, "aggregate", "count"));
                            report.filters = q.terms;
                        }
                        return service->Report(c, ctx, q.filters, report);
                    }
                )
            );
            std::vector<std::string> leading;
            for (const Json& column : body["columns"]) {
                leading.push_back(column.get<std::string>());
            }
            return Answer(audit, ctx, req, "report", q, body, body["rows"], leading);
        },
        "Report builder: group any readable entity by up to two fields and aggregate",
        tag
    );
    DescribeSalesAnalytics(router);
}

}  // namespace voronka::analytics
