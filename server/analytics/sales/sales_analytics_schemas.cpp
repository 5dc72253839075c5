// JSON Schemas of the sales analytics answers, published in OpenAPI so the web app's types are
// generated from them (see sales_analytics.hpp for what each figure means).
#include "analytics/sales/sales_analytics_routes.hpp"

namespace voronka::analytics {

namespace {

// Reusable pieces: per-currency decimal sums, exact ratios as decimal strings, list URLs.
const char* const kSchemas = R"json({
  "AnalyticsFunnel": {"type": "object", "required": ["stages"], "properties": {
    "pipeline_id": {"type": "string"},
    "stages": {"type": "array", "items": {"type": "object",
      "required": ["stage_id", "name", "kind", "position", "reached", "current", "conversion_to_next", "drop_off", "drilldown"],
      "properties": {
        "stage_id": {"type": "string"}, "name": {"type": ["string", "null"]},
        "kind": {"enum": ["open", "won", "lost"]}, "position": {"type": "integer"},
        "reached": {"type": "integer"}, "current": {"type": "integer"},
        "conversion_to_next": {"type": ["string", "null"], "description": "Ratio 0..1 as an exact decimal"},
        "drop_off": {"type": ["integer", "null"]}, "drilldown": {"type": "string"}}}},
    "won": {"type": "integer"}, "lost": {"type": "integer"},
    "win_rate": {"type": ["string", "null"], "description": "Ratio 0..1 as an exact decimal"}}},
  "AnalyticsVelocity": {"type": "object", "required": ["stages"], "properties": {
    "pipeline_id": {"type": "string"},
    "stages": {"type": "array", "items": {"type": "object",
      "required": ["stage_id", "name", "kind", "position", "deals", "timed_deals", "avg_days", "median_days", "drilldown"],
      "properties": {
        "stage_id": {"type": "string"}, "name": {"type": ["string", "null"]}, "kind": {"type": "string"},
        "position": {"type": "integer"}, "deals": {"type": "integer"}, "timed_deals": {"type": "integer"},
        "avg_days": {"type": ["number", "null"]}, "median_days": {"type": ["number", "null"]},
        "drilldown": {"type": "string"}}}}}},
  "AnalyticsWinLoss": {"type": "object", "required": ["won", "lost", "win_rate", "reasons"], "properties": {
    "won": {"$ref": "#/components/schemas/AnalyticsOutcome"},
    "lost": {"$ref": "#/components/schemas/AnalyticsOutcome"},
    "win_rate": {"type": ["string", "null"]},
    "reasons": {"type": "array", "items": {"type": "object", "required": ["reason", "count", "sums", "drilldown"],
      "properties": {"reason": {"type": ["string", "null"]}, "count": {"type": "integer"},
        "sums": {"$ref": "#/components/schemas/MoneySums"}, "drilldown": {"type": "string"}}}}}},
  "AnalyticsOutcome": {"type": "object", "required": ["count", "sums", "drilldown"], "properties": {
    "count": {"type": "integer"}, "sums": {"$ref": "#/components/schemas/MoneySums"}, "drilldown": {"type": "string"}}},
  "MoneySums": {"type": "object", "description": "Exact decimal amount per ISO 4217 currency",
    "additionalProperties": {"type": "string"}},
  "AnalyticsForecast": {"type": "object", "required": ["period_kind", "periods"], "properties": {
    "period_kind": {"type": "string"},
    "periods": {"type": "array", "items": {"type": "object",
      "required": ["period", "from", "to", "weighted", "best_case", "run_rate", "actual", "open_deals", "drilldown"],
      "properties": {
        "period": {"type": "string"}, "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
        "weighted": {"$ref": "#/components/schemas/MoneySums"}, "best_case": {"$ref": "#/components/schemas/MoneySums"},
        "run_rate": {"$ref": "#/components/schemas/MoneySums"}, "actual": {"$ref": "#/components/schemas/MoneySums"},
        "open_deals": {"type": "integer"},
        "drilldown": {"type": "object", "required": ["open", "actual", "run_rate"], "properties": {
          "open": {"type": "string"}, "actual": {"type": "string"}, "run_rate": {"type": "string"}}}}}}}},
  "AnalyticsPlanFact": {"type": "object", "required": ["period", "rows"], "properties": {
    "period": {"type": "string"},
    "rows": {"type": "array", "items": {"type": "object", "required": ["plan_id", "name", "plan", "fact", "percent", "drilldown"],
      "properties": {
        "plan_id": {"type": "string"}, "owner_id": {"type": "string"}, "team_id": {"type": ["string", "null"]},
        "name": {"type": ["string", "null"]},
        "plan": {"$ref": "#/components/schemas/MoneySums"}, "fact": {"$ref": "#/components/schemas/MoneySums"},
        "percent": {"type": ["string", "null"], "description": "fact / plan x 100 as an exact decimal"},
        "drilldown": {"type": "string"}}}}}},
  "AnalyticsSources": {"type": "object", "required": ["group_by", "rows"], "properties": {
    "group_by": {"enum": ["source", "campaign"]},
    "rows": {"type": "array", "items": {"type": "object",
      "required": ["source", "campaign", "leads", "converted", "conversion", "deals_won", "revenue", "cost", "cost_per_lead", "cost_per_acquisition", "roi", "drilldown"],
      "properties": {
        "source": {"type": ["string", "null"]}, "campaign": {"type": ["string", "null"]},
        "leads": {"type": "integer"}, "converted": {"type": "integer"},
        "conversion": {"type": ["string", "null"]}, "deals_won": {"type": "integer"},
        "revenue": {"$ref": "#/components/schemas/MoneySums"}, "cost": {"$ref": "#/components/schemas/MoneySums"},
        "cost_per_lead": {"$ref": "#/components/schemas/MoneySums"},
        "cost_per_acquisition": {"$ref": "#/components/schemas/MoneySums"},
        "roi": {"type": ["object", "null"], "additionalProperties": {"type": ["string", "null"]}},
        "drilldown": {"type": "object", "required": ["leads", "deals"], "properties": {
          "leads": {"type": "string"}, "deals": {"type": ["string", "null"]}}}}}}}},
  "AnalyticsReport": {"type": "object", "required": ["entity", "columns", "rows", "truncated"], "properties": {
    "entity": {"type": "string"},
    "columns": {"type": "array", "items": {"type": "string"}},
    "rows": {"type": "array", "items": {"type": "object", "required": ["drilldown"],
      "properties": {"drilldown": {"type": "string"}},
      "additionalProperties": {"description": "A group value or an aggregate: integer, number, decimal sums per currency or null"}}},
    "truncated": {"type": "boolean"}}}
})json";

}  // namespace

void DescribeSalesAnalytics(http::Router& router) {
    const core::Json schemas = core::Json::parse(kSchemas);
    const std::pair<const char*, const char*> routes[] = {
        {"/api/v1/analytics/funnel", "AnalyticsFunnel"},
        {"/api/v1/analytics/velocity", "AnalyticsVelocity"},
        {"/api/v1/analytics/win-loss", "AnalyticsWinLoss"},
        {"/api/v1/analytics/forecast", "AnalyticsForecast"},
        {"/api/v1/analytics/plan-fact", "AnalyticsPlanFact"},
        {"/api/v1/analytics/sources", "AnalyticsSources"},
        {"/api/v1/analytics/report", "AnalyticsReport"},
    };
    for (const auto& [pattern, name] : routes) {
        router.Describe("GET", pattern, name, schemas.at(name));
    }
    // Pieces the answers refer to, published with a route-less entry of their own.
    router.DescribeComponent("AnalyticsOutcome", schemas.at("AnalyticsOutcome"));
    router.DescribeComponent("MoneySums", schemas.at("MoneySums"));
}

}  // namespace voronka::analytics
