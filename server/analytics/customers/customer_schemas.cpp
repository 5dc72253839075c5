// JSON Schemas of the customer analytics answers (RFM, cohorts, CLV, one contact's figures),
// published in OpenAPI so the web app's types are generated from them.
#include "analytics/customers/customer_analytics.hpp"

namespace voronka::analytics {

namespace {

const char* const kSchemas = R"json({
  "AnalyticsRfm": {"type": "object", "required": ["as_of", "currency", "segments"], "properties": {
    "as_of": {"type": "string", "format": "date-time"}, "currency": {"type": "string"},
    "segments": {"type": "array", "items": {"type": "object", "required": ["segment", "customers", "revenue", "drilldown"],
      "properties": {"segment": {"type": "string"}, "customers": {"type": "integer"},
        "revenue": {"$ref": "#/components/schemas/MoneySums"}, "drilldown": {"type": "string"}}}}}},
  "AnalyticsCohorts": {"type": "object", "required": ["cohorts"], "properties": {
    "cohorts": {"type": "array", "items": {"type": "object", "required": ["cohort", "customers", "active", "retention"],
      "properties": {"cohort": {"type": "string", "description": "YYYY-MM of the first purchase"},
        "customers": {"type": "integer"},
        "active": {"type": "array", "items": {"type": "integer"}},
        "retention": {"type": "array", "items": {"type": "number"}}}}}}},
  "AnalyticsClvCustomer": {"type": "object",
    "required": ["contact_id", "name", "clv", "p_alive", "expected_purchases", "expected_spend", "drilldown"],
    "properties": {"contact_id": {"type": "string"}, "name": {"type": "string"},
      "clv": {"type": "string"}, "p_alive": {"type": "number"}, "expected_purchases": {"type": "number"},
      "expected_spend": {"type": "string"}, "drilldown": {"type": "string"}}},
  "AnalyticsClv": {"type": "object", "required": ["fitted_at", "top"], "properties": {
    "fitted_at": {"type": ["string", "null"], "format": "date-time"},
    "model": {"enum": ["bgnbd", "pareto-nbd"]},
    "params": {"type": "object", "additionalProperties": {"type": "number"}},
    "gamma_gamma": {"type": "object", "additionalProperties": {"type": "number"}},
    "log_likelihood": {"type": "object", "additionalProperties": {"type": "number"}},
    "customers": {"type": "integer"}, "repeat_customers": {"type": "integer"},
    "currency": {"type": "string"}, "horizon_months": {"type": "integer"},
    "annual_discount_rate": {"type": "number"}, "calibration_end": {"type": "string", "format": "date"},
    "unit": {"type": "string"},
    "totals": {"type": "object", "required": ["customers", "clv", "expected_purchases"], "properties": {
      "customers": {"type": "integer"}, "clv": {"type": "string"}, "expected_purchases": {"type": "number"}}},
    "top": {"type": "array", "items": {"$ref": "#/components/schemas/AnalyticsClvCustomer"}}}},
  "ContactAnalytics": {"type": "object",
    "required": ["contact_id", "rfm", "clv", "next_best_offer", "regular_customer", "suggested_discount_percent"],
    "properties": {
      "contact_id": {"type": "string"},
      "rfm": {"type": "object", "required": ["r", "f", "m", "segment", "orders"], "properties": {
        "r": {"type": ["integer", "null"]}, "f": {"type": ["integer", "null"]}, "m": {"type": ["integer", "null"]},
        "segment": {"type": ["string", "null"]}, "orders": {"type": "integer"},
        "first_order_at": {"type": "string", "format": "date-time"},
        "last_order_at": {"type": "string", "format": "date-time"},
        "revenue": {"$ref": "#/components/schemas/MoneySums"}}},
      "clv": {"type": ["object", "null"], "required": ["model", "p_alive", "expected_purchases", "expected_spend", "clv", "currency", "fitted_at"],
        "properties": {"model": {"type": "string"}, "p_alive": {"type": "number"}, "expected_purchases": {"type": "number"},
          "expected_spend": {"type": "string"}, "clv": {"type": "string"}, "currency": {"type": "string"},
          "fitted_at": {"type": "string", "format": "date-time"}}},
      "next_best_offer": {"type": "array", "items": {"type": "object", "required": ["product_id", "sku", "name", "score"],
        "properties": {"product_id": {"type": "string"}, "sku": {"type": ["string", "null"]},
          "name": {"type": ["string", "null"]}, "score": {"type": "number"}}}},
      "regular_customer": {"type": "boolean"},
      "suggested_discount_percent": {"type": "integer"}}}
})json";

}  // namespace

void DescribeCustomerAnalytics(http::Router& router) {
    const core::Json schemas = core::Json::parse(kSchemas);
    router.Describe("GET", "/api/v1/analytics/rfm", "AnalyticsRfm", schemas.at("AnalyticsRfm"));
    router.Describe(
        "GET", "/api/v1/analytics/cohorts", "AnalyticsCohorts", schemas.at("AnalyticsCohorts")
    );
    router.Describe("GET", "/api/v1/analytics/clv", "AnalyticsClv", schemas.at("AnalyticsClv"));
    router.Describe(
        "GET", "/api/v1/contacts/{id}/analytics", "ContactAnalytics", schemas.at("ContactAnalytics")
    );
    router.DescribeComponent("AnalyticsClvCustomer", schemas.at("AnalyticsClvCustomer"));
}

}  // namespace voronka::analytics
