// Thin handlers for customer analytics: decode, call CustomerAnalytics in one transaction, shape.
#include <charconv>
#include <memory>

#include "analytics/customers/customer_analytics.hpp"
#include "core/json.hpp"

namespace voronka::analytics {

using core::Error;
using http::Policy;
using http::Request;
using http::Response;

namespace {

Result<int> ParseLimit(const Request& req) {
    auto raw = req.QueryValue("limit");
    if (!raw) {
        return 10;
    }
    int limit = 0;
    auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), limit);
    if (ec != std::errc() || ptr != raw->data() + raw->size() || limit < 1 || limit > 100) {
        return Error::InvalidField("limit", "must be an integer from 1 to 100");
    }
    return limit;
}

}  // namespace

void RegisterCustomerAnalytics(
    http::Router& router,
    records::EntityRegistry& registry,
    records::RecordService& records,
    const core::Clock& clock
) {
    InstallOrders(registry, records, clock);
    auto analytics = std::make_shared<CustomerAnalytics>(records, clock);
    storage::Database& db = records.db();

    router.Add(
        "POST",
        "/api/v1/orders/import",
        Policy::kAuthenticated,
        [analytics, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            const std::string type = req.Header("content-type");
            if (!type.starts_with("text/csv")) {
                return Error::InvalidField("Content-Type", "must be text/csv");
            }
            VK_ASSIGN_OR_RETURN(Json result, storage::WriteReturning<Json>(db, [&](Connection& tx) {
                                    return analytics->ImportOrdersCsv(tx, ctx, req.body);
                                }));
            return Response::JsonBody(200, result);
        },
        "Import orders from CSV, all rows or none; rows already imported are skipped",
        "analytics"
    );

    router.Add(
        "POST",
        "/api/v1/analytics/rfm/recompute",
        Policy::kAuthenticated,
        [analytics, &db](const RequestContext& ctx, const Request&) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(
                Json result,
                storage::WriteReturning<Json>(
                    db,
                    [&](Connection& tx) -> Result<Json> {
                        VK_RETURN_IF_ERROR(analytics->RebuildRfm(tx, ctx));
                        return analytics->Rfm(tx, ctx);
                    }
                )
            );
            return Response::JsonBody(200, result);
        },
        "Rebuild every customer's metrics and RFM scores (roles that read all contacts)",
        "analytics"
    );

    router.Add(
        "GET",
        "/api/v1/analytics/rfm",
        Policy::kAuthenticated,
        [analytics, &db](const RequestContext& ctx, const Request&) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(Json result, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return analytics->Rfm(c, ctx);
                                }));
            return Response::JsonBody(200, result);
        },
        "Customers and revenue per RFM segment, with a contact list link per segment",
        "analytics"
    );

    router.Add(
        "GET",
        "/api/v1/analytics/cohorts",
        Policy::kAuthenticated,
        [analytics, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            const std::string from = req.QueryValue("from").value_or("");
            const std::string to = req.QueryValue("to").value_or("");
            VK_ASSIGN_OR_RETURN(Json result, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return analytics->Cohorts(c, ctx, from, to);
                                }));
            return Response::JsonBody(200, result);
        },
        "Retention by month since the first order, per first-order month",
        "analytics"
    );

    router.Add(
        "POST",
        "/api/v1/analytics/clv/refit",
        Policy::kAuthenticated,
        [analytics](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            Json body = Json::object();
            if (!req.body.empty()) {
                VK_ASSIGN_OR_RETURN(body, core::ParseJson(req.body));
            }
            VK_ASSIGN_OR_RETURN(Json result, analytics->RefitClv(ctx, body));
            return Response::JsonBody(200, result);
        },
        "Fit BG/NBD or Pareto/NBD with Gamma-Gamma and store every customer's CLV",
        "analytics"
    );

    router.Add(
        "GET",
        "/api/v1/analytics/clv",
        Policy::kAuthenticated,
        [analytics, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(int limit, ParseLimit(req));
            VK_ASSIGN_OR_RETURN(Json result, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return analytics->Clv(c, ctx, limit);
                                }));
            return Response::JsonBody(200, result);
        },
        "The stored CLV fit, totals and the most valuable customers",
        "analytics"
    );

    router.Add(
        "GET",
        "/api/v1/contacts/{id}/analytics",
        Policy::kAuthenticated,
        [analytics, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(Json result, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return analytics->ContactAnalytics(c, ctx, req.PathParam("id"));
                                }));
            return Response::JsonBody(200, result);
        },
        "A contact's RFM scores, CLV, next best offers and suggested discount",
        "analytics"
    );
    DescribeCustomerAnalytics(router);
}

}  // namespace voronka::analytics
