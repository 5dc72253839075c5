// Thin handlers for the sales operational core: decode, call SalesService in one transaction,
// shape.
#include "sales/sales_routes.hpp"

#include <charconv>
#include <memory>

#include "core/id.hpp"
#include "core/json.hpp"
#include "records/record_routes.hpp"
#include "sales/sales_entities.hpp"
#include "sales/sales_service.hpp"

namespace voronka::sales {

using core::Error;
using http::Policy;
using http::Request;
using http::Response;

using records::ParseBody;
using records::ParseIfMatch;

namespace {

Result<int> ParseInt(const Request& req, std::string_view name, int fallback) {
    auto raw = req.QueryValue(name);
    if (!raw) {
        return fallback;
    }
    int value = 0;
    auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), value);
    if (ec != std::errc() || ptr != raw->data() + raw->size()) {
        return Error::InvalidField(std::string(name), "must be an integer");
    }
    return value;
}

Response WithETag(Response r, const Json& body) {
    if (body.is_object() && body.contains("version") && body["version"].is_number_integer()) {
        r.SetHeader("ETag", "\"" + std::to_string(body["version"].get<int64_t>()) + "\"");
    }
    return r;
}

// POST /api/v1/{leads|deals}: the engine's create (Idempotency-Key included), plus distribution.
Result<Response> CreateWithDistribution(
    SalesService& sales, const RequestContext& ctx, const Request& req, const std::string& entity
) {
    VK_RETURN_IF_ERROR(RequireWritable(ctx));
    VK_ASSIGN_OR_RETURN(Json body, ParseBody(req));
    return records::CreateOnce(sales.records(), ctx, req, entity, [&](Connection& tx) {
        return sales.CreateWithDistribution(tx, ctx, entity, body);
    });
}

}  // namespace

void RegisterSalesCore(
    http::Router& router,
    records::EntityRegistry& registry,
    records::RecordService& records,
    const core::Clock& clock
) {
    RegisterOperationalEntities(registry, clock);
    auto sales = std::make_shared<SalesService>(records, clock);
    storage::Database& db = records.db();

    router.Add(
        "POST",
        "/api/v1/pipelines",
        Policy::kAuthenticated,
        [sales, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(Json body, ParseBody(req));
            VK_ASSIGN_OR_RETURN(
                Json pipeline,
                storage::WriteReturning<Json>(
                    db, [&](Connection& tx) { return sales->CreatePipeline(tx, ctx, body); }
                )
            );
            Response r = WithETag(Response::JsonBody(201, pipeline), pipeline);
            r.SetHeader("Location", "/api/v1/pipelines/" + pipeline["id"].get<std::string>());
            return r;
        },
        "Create a pipeline with its stages",
        "sales"
    );

    router.Add(
        "GET",
        "/api/v1/pipelines",
        Policy::kAuthenticated,
        [sales, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            const bool archived = req.QueryValue("archived").value_or("") == "true";
            VK_ASSIGN_OR_RETURN(Json list, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return sales->ListPipelines(c, ctx, archived);
                                }));
            return Response::JsonBody(200, list);
        },
        "Pipelines with their stages",
        "sales"
    );

    router.Add(
        "GET",
        "/api/v1/pipelines/{id}",
        Policy::kAuthenticated,
        [sales, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(Json pipeline, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return sales->GetPipeline(c, ctx, req.PathParam("id"));
                                }));
            return WithETag(Response::JsonBody(200, pipeline), pipeline);
        },
        "A pipeline with its stages",
        "sales"
    );

    router.Add(
        "PATCH",
        "/api/v1/pipelines/{id}",
        Policy::kAuthenticated,
        [sales, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(auto if_match, ParseIfMatch(req));
            VK_ASSIGN_OR_RETURN(Json body, ParseBody(req));
            VK_ASSIGN_OR_RETURN(
                Json pipeline,
                storage::WriteReturning<Json>(
                    db,
                    [&](Connection& tx) {
                        return sales->UpdatePipeline(tx, ctx, req.PathParam("id"), body, if_match);
                    }
                )
            );
            return WithETag(Response::JsonBody(200, pipeline), pipeline);
        },
        "Rename, archive or reorder a pipeline and its stages",
        "sales"
    );

    for (const std::string entity : {"pipelines", "stages"}) {
        router.Add(
            "DELETE",
            "/api/v1/" + entity + "/{id}",
            Policy::kAuthenticated,
            [sales,
             &db,
             entity](const RequestContext& ctx, const Request& req) -> Result<Response> {
                VK_RETURN_IF_ERROR(RequireWritable(ctx));
                VK_ASSIGN_OR_RETURN(auto if_match, ParseIfMatch(req));
                VK_RETURN_IF_ERROR(db.Write([&](Connection& tx) {
                    return sales->DeleteStageOrPipeline(
                        tx, ctx, entity, req.PathParam("id"), if_match
                    );
                }));
                return Response::NoContent();
            },
            "Move to the recycle bin unless deals are still in it",
            "sales"
        );
    }

    router.Add(
        "GET",
        "/api/v1/pipelines/{id}/board",
        Policy::kAuthenticated,
        [sales, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            BoardQuery query;
            query.owner_id = req.QueryValue("owner_id").value_or("");
            query.team_id = req.QueryValue("team_id").value_or("");
            query.tag = req.QueryValue("tag").value_or("");
            VK_ASSIGN_OR_RETURN(query.limit, ParseInt(req, "limit", 20));
            VK_ASSIGN_OR_RETURN(Json board, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return sales->Board(c, ctx, req.PathParam("id"), query);
                                }));
            return Response::JsonBody(200, board);
        },
        "Kanban board: stages with counts, sums per currency and first cards",
        "sales"
    );

    for (const std::string entity : {"leads", "deals"}) {
        router.Add(
            "POST",
            "/api/v1/" + entity,
            Policy::kAuthenticated,
            [sales, entity](const RequestContext& ctx, const Request& req) -> Result<Response> {
                return CreateWithDistribution(*sales, ctx, req, entity);
            },
            "Create a record; without owner_id the distribution rules assign one",
            "sales"
        );
    }

    router.Add(
        "POST",
        "/api/v1/leads/{id}/convert",
        Policy::kAuthenticated,
        [sales, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(Json body, ParseBody(req));
            VK_ASSIGN_OR_RETURN(Json result, storage::WriteReturning<Json>(db, [&](Connection& tx) {
                                    return sales->ConvertLead(tx, ctx, req.PathParam("id"), body);
                                }));
            return Response::JsonBody(200, result);
        },
        "Convert a lead into a contact, a company and a deal",
        "sales"
    );

    router.Add(
        "GET",
        "/api/v1/deals/{id}/stage-history",
        Policy::kAuthenticated,
        [sales, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(Json history, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return sales->StageHistory(c, ctx, req.PathParam("id"));
                                }));
            return Response::JsonBody(200, history);
        },
        "Stage moves of a deal, from the event log",
        "sales"
    );

    router.Add(
        "GET",
        "/api/v1/deals/{id}/lines",
        Policy::kAuthenticated,
        [sales, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(Json lines, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return sales->DealLines(c, ctx, req.PathParam("id"));
                                }));
            return Response::JsonBody(200, lines);
        },
        "Product lines of a deal with exact totals",
        "sales"
    );

    router.Add(
        "PUT",
        "/api/v1/deals/{id}/lines",
        Policy::kAuthenticated,
        [sales, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(auto if_match, ParseIfMatch(req));
            VK_ASSIGN_OR_RETURN(Json body, ParseBody(req));
            VK_ASSIGN_OR_RETURN(Json lines, storage::WriteReturning<Json>(db, [&](Connection& tx) {
                                    return sales->ReplaceDealLines(
                                        tx, ctx, req.PathParam("id"), body, if_match
                                    );
                                }));
            Response r = Response::JsonBody(200, lines);
            r.SetHeader("ETag", "\"" + std::to_string(lines["deal_version"].get<int64_t>()) + "\"");
            return r;
        },
        "Replace a deal's product lines in one transaction (If-Match: the deal's version)",
        "sales"
    );

    router.Add(
        "GET",
        "/api/v1/{entity}/{id}/timeline",
        Policy::kAuthenticated,
        [sales, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            TimelineQuery query;
            query.cursor = req.QueryValue("cursor").value_or("");
            VK_ASSIGN_OR_RETURN(query.limit, ParseInt(req, "limit", 50));
            VK_ASSIGN_OR_RETURN(Json timeline, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return sales->Timeline(
                                        c, ctx, req.PathParam("entity"), req.PathParam("id"), query
                                    );
                                }));
            return Response::JsonBody(200, timeline);
        },
        "Activities and field history of a record, newest first",
        "sales"
    );

    router.Add(
        "GET",
        "/api/v1/my-day",
        Policy::kAuthenticated,
        [sales, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            MyDayQuery query;
            query.date = req.QueryValue("date").value_or("");
            query.time_zone = req.QueryValue("time_zone").value_or("");
            VK_ASSIGN_OR_RETURN(Json day, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return sales->MyDay(c, ctx, query);
                                }));
            return Response::JsonBody(200, day);
        },
        "The caller's overdue and today's tasks and today's meetings",
        "sales"
    );

    router.Add(
        "GET",
        "/api/v1/price-lists/{id}/prices",
        Policy::kAuthenticated,
        [sales, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(Json prices, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return sales->PriceListPrices(c, ctx, req.PathParam("id"));
                                }));
            return Response::JsonBody(200, prices);
        },
        "Products and prices of a price list",
        "sales"
    );
}

}  // namespace voronka::sales
