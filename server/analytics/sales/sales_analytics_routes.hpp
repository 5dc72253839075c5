// HTTP routes of the sales and marketing analytics, the report builder and their exports.
#pragma once

#include <functional>
#include <string_view>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "http/router.hpp"
#include "records/record_service.hpp"

namespace voronka::analytics {

// Writes an entry to the tenant's audit log for the caller (action "export", detail).
using AuditFn = std::function<
    void(const access::RequestContext& ctx, std::string_view action, const core::Json& detail)>;

// Registers the sales_plans, campaign_costs and reports entities (call after the sales core has
// registered deals) and, for authenticated callers:
//   GET /api/v1/analytics/funnel?pipeline_id=     GET /api/v1/analytics/velocity?pipeline_id=
//   GET /api/v1/analytics/win-loss                GET /api/v1/analytics/forecast?period=
//   GET /api/v1/analytics/plan-fact?period=YYYY-MM
//   GET /api/v1/analytics/sources?group_by=source|campaign
//   GET /api/v1/analytics/report?entity=&group_by=&aggregate=&filter[f][op]=  (or report_id=)
// Each takes from, to, pipeline_id, owner_id, team_id, source (see AnalyticsFilters) and
// format=json|csv|xlsx; an export is an attachment and writes an "export" audit entry through
// `audit`. Unknown parameters are 400. The response shapes are documented in sales_analytics.hpp.
// `registry`, `records`, `clock` and `audit` must outlive the router. The answers' JSON Schemas
// are published in OpenAPI (DescribeSalesAnalytics).
void RegisterSalesAnalytics(
    http::Router& router,
    records::EntityRegistry& registry,
    records::RecordService& records,
    const core::Clock& clock,
    AuditFn audit
);

// Publishes the response schemas of the routes above in OpenAPI (RegisterSalesAnalytics calls it).
void DescribeSalesAnalytics(http::Router& router);

}  // namespace voronka::analytics
