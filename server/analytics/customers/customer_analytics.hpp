// Purchases (orders) and the per-customer analytics built on them: RFM metrics kept current with
// every order write, cohort retention, CLV fits, next best offer and the CSV import of orders.
//
// Every figure is limited to the contacts the caller may read (the contacts read scope of the
// caller's role, applied in SQL as the record engine applies it); money is integer minor units
// inside and decimal strings with the currency's digits in JSON.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/periodic_task.hpp"
#include "http/router.hpp"
#include "records/record_service.hpp"

namespace voronka::analytics {

using core::Json;
using core::Result;
using core::Status;
using records::RequestContext;
using storage::Connection;

// Registers the `orders` entity, adds `rfm_segment` to contacts (and makes orders follow their
// contact's owner), makes a deal that moves to a won stage create its order in the same
// transaction, and adds the routes under /api/v1/analytics, /api/v1/orders/import and
// /api/v1/contacts/{id}/analytics. Call after the sales core is registered. `registry`,
// `records` and `clock` must outlive the router.
void RegisterCustomerAnalytics(
    http::Router& router,
    records::EntityRegistry& registry,
    records::RecordService& records,
    const core::Clock& clock
);

// Publishes the response schemas of those routes in OpenAPI (RegisterCustomerAnalytics calls it).
void DescribeCustomerAnalytics(http::Router& router);

// Registers the entity and the hooks only (for tests and tools that have no router).
void InstallOrders(
    records::EntityRegistry& registry, records::RecordService& records, const core::Clock& clock
);

// `voronka import orders --file F.csv`: ImportOrdersCsv on the file's contents in one write
// transaction (all rows or none, the same checks and errors as POST /api/v1/orders/import).
// kInvalid on "file" when it cannot be read.
Result<Json> ImportOrdersFile(
    records::RecordService& records,
    const core::Clock& clock,
    const RequestContext& ctx,
    const std::string& path
);

// Recounts the tenant's derived customer rows that bulk loads write around the order hooks:
// co-purchase counts (the next best offer), the months behind the cohorts, and the per-owner
// RFM and CLV sums. RFM metrics themselves are rebuilt by their own recompute.
Status RebuildCustomerRollups(Connection& tx, int64_t tenant_id);

// Rescores every active tenant's customers (RebuildCustomerMetrics), one write transaction each.
Status RescoreAllTenants(storage::Database& db, int64_t now_micros);

// `voronka serve --rfm-recompute-hours H`: RescoreAllTenants every H hours on a thread of its
// own, from H hours after start; nothing when H <= 0. Stops and joins on destruction.
class RfmSchedule {
public:
    RfmSchedule(storage::Database& db, const core::Clock& clock, int hours);

private:
    core::PeriodicTask task_;
};

// Creates `orders` (API form, each with its "ordered_at") in `tx` as the record engine would,
// the orders' before_write hooks included; their metrics are left to the caller. The demo
// passes its bulk writer.
using DemoOrderWriter = std::function<Status(Connection& tx, std::vector<Json> orders)>;

// Purchase history for the demo company (sales/demo_data.cpp) in the tenant of `ctx`, an
// administrator's: an order for every won deal that has none (the demo writes deals in bulk,
// past the hook that creates them) and repeat shop purchases of catalogue products by those
// customers before `now`, all through `write`; then the metrics rebuild. Adds the orders
// written to `created`.
Status AddDemoPurchases(
    records::RecordService& records,
    const RequestContext& ctx,
    int64_t now,
    int64_t& created,
    const DemoOrderWriter& write
);

// Orders count into metrics when their status is "completed" and neither they nor their contact
// are deleted. Scores are quintiles (analytics/rfm_score.hpp) over the tenant's customers:
// recency by the day of the last order, frequency by distinct order days, monetary by revenue
// in the tenant's default currency (orders in other currencies are kept per currency but not
// converted). An order write rescored only its contact against the others; a rebuild rescores all.
class CustomerAnalytics {
public:
    CustomerAnalytics(records::RecordService& records, const core::Clock& clock);

    // CSV (header row; columns external_id?, contact_id | contact_email | contact_phone,
    // ordered_at (YYYY-MM-DD or RFC 3339), amount, currency?, channel?, store?, status?,
    // product_sku?, quantity?, price?) -> {"imported", "skipped_existing"}. One row is one order
    // (with one line when product_sku or price is given). Rows whose external_id is already
    // stored are skipped. All or nothing: any bad row is kInvalid with field errors named
    // "rows[N].column" (N = line number in the file, the header being line 1), and nothing is
    // written. Unknown contacts are reported, never created. Rebuilds the metrics afterwards.
    Result<Json> ImportOrdersCsv(Connection& tx, const RequestContext& ctx, std::string_view csv);

    // Rebuilds customer_metrics and contacts.rfm_segment of the whole tenant.
    // kForbidden unless the caller reads all contacts (admin, manager).
    Status RebuildRfm(Connection& tx, const RequestContext& ctx);

    // {"as_of", "currency", "segments": [{"segment", "customers", "revenue": {"RUB": "10.00"},
    //  "drilldown": "/api/v1/contacts?filter[rfm_segment]=..."}]}, every segment listed.
    Result<Json> Rfm(Connection& c, const RequestContext& ctx);

    // Cohorts by first-order month within [from, to] ("YYYY-MM", both optional):
    // {"cohorts": [{"cohort", "customers", "active": [...], "retention": [1.0, ...]}]}.
    Result<Json> Cohorts(
        Connection& c, const RequestContext& ctx, std::string_view from, std::string_view to
    );

    // {"model"?: "bgnbd"|"pareto-nbd", "annual_discount_rate"?: 0.1, "horizon_months"?: 12}:
    // fits the purchase model and Gamma-Gamma on the tenant's completed orders in its default
    // currency (calibration ends today, weekly units), stores the fit and every customer's
    // p_alive, expected purchases, expected spend per order and discounted CLV, returns Clv().
    // kForbidden unless the caller reads all contacts; kInvalid on bad input or too little data.
    // Reads, fits and stores in separate steps (the fit can take seconds and holds no
    // transaction); the stored fit is replaced in one write.
    Result<Json> RefitClv(const RequestContext& ctx, const Json& input);

    // The stored fit: {"model", "params", "gamma_gamma", "log_likelihood", "fitted_at",
    // "currency", "horizon_months", "annual_discount_rate", "totals": {"customers", "clv",
    // "expected_purchases"}, "top": [{"contact_id", "name", "clv", "p_alive", "drilldown"}]},
    // totals and top within the caller's scope; {"fitted_at": null} before the first fit.
    Result<Json> Clv(Connection& c, const RequestContext& ctx, int limit);

    // {"rfm": {"r", "f", "m", "segment", "orders", "first_order_at", "last_order_at", "revenue"},
    //  "clv": {...} | null, "next_best_offer": [{"product_id", "sku", "name", "score"}],
    //  "regular_customer", "suggested_discount_percent"}. kNotFound when the caller may not
    // read the contact. Regular customer: at least 3 completed orders in the last 365 days.
    // Discount: 10 for champions and loyal, 15 for at_risk and cannot_lose (win back), 5 for
    // other regular customers, else 0.
    Result<Json> ContactAnalytics(
        Connection& c, const RequestContext& ctx, const std::string& contact_id
    );

private:
    records::RecordService& records_;
    const core::Clock& clock_;
};

}  // namespace voronka::analytics
