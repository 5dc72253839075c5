// Thin handlers for data quality: decode, call the quality services in one transaction, shape.
#include "quality/quality_routes.hpp"

#include <charconv>
#include <functional>
#include <memory>

#include "quality/duplicate_finder.hpp"
#include "quality/duplicate_pairs.hpp"
#include "quality/merge_service.hpp"
#include "quality/quality_hooks.hpp"
#include "quality/record_keys.hpp"
#include "records/record_routes.hpp"

namespace voronka::quality {

using core::Error;
using core::Json;
using core::Result;
using http::Policy;
using http::Request;
using http::Response;
using records::RequestContext;
using storage::Connection;

using records::ParseBody;

namespace {

Result<int> ParseLimit(const Request& req, int fallback, int max) {
    auto raw = req.QueryValue("limit");
    if (!raw) {
        return fallback;
    }
    int limit = 0;
    auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), limit);
    if (ec != std::errc() || ptr != raw->data() + raw->size() || limit < 1 || limit > max) {
        return Error::InvalidField("limit", "must be an integer from 1 to " + std::to_string(max));
    }
    return limit;
}

// {"data": likely duplicates} of the record `record_of` reads (a stored one or a draft).
Result<Response> DuplicatesResponse(
    storage::Database& db,
    const records::EntityRegistry& registry,
    const RequestContext& ctx,
    const std::string& entity,
    int limit,
    const std::function<Result<Json>(Connection&)>& record_of
) {
    VK_ASSIGN_OR_RETURN(
        Json found,
        storage::ReadReturning<Json>(
            db,
            [&](Connection& c) -> Result<Json> {
                VK_ASSIGN_OR_RETURN(Json record, record_of(c));
                return DuplicatesJson(c, ctx, registry, entity, record, static_cast<size_t>(limit));
            }
        )
    );
    return Response::JsonBody(200, Json{{"data", std::move(found)}});
}

}  // namespace

void RegisterQualityRoutes(
    http::Router& router,
    records::EntityRegistry& registry,
    records::RecordService& records,
    const core::Clock& clock
) {
    InstallDataQuality(registry);
    auto merges = std::make_shared<MergeService>(records, clock);
    storage::Database& db = records.db();
    const records::EntityRegistry& reg = registry;

    for (const QualityProfile& profile : QualityProfiles()) {
        if (!registry.Find(profile.entity)) {
            continue;
        }
        const std::string entity = profile.entity;
        router.Add(
            "GET",
            "/api/v1/" + entity + "/{id}/duplicates",
            Policy::kAuthenticated,
            [&records, &db, &reg, entity](
                const RequestContext& ctx, const Request& req
            ) -> Result<Response> {
                VK_ASSIGN_OR_RETURN(int limit, ParseLimit(req, 10, 50));
                return DuplicatesResponse(
                    db,
                    reg,
                    ctx,
                    entity,
                    limit,
                    [&](Connection& c) -> Result<Json> {
                        VK_ASSIGN_OR_RETURN(
                            records::Record record, records.Get(c, ctx, entity, req.PathParam("id"))
                        );
                        return record.body;
                    }
                );
            },
            "Likely duplicates of a record, with scores and reasons",
            "quality"
        );

        router.Add(
            "POST",
            "/api/v1/" + entity + "/duplicates/check",
            Policy::kAuthenticated,
            [&records, &db, &reg, entity](
                const RequestContext& ctx, const Request& req
            ) -> Result<Response> {
                // Part of a create: a token that may not create may not probe either.
                VK_RETURN_IF_ERROR(RequireWritable(ctx));
                VK_ASSIGN_OR_RETURN(int limit, ParseLimit(req, 5, 50));
                VK_ASSIGN_OR_RETURN(Json body, ParseBody(req));
                return DuplicatesResponse(db, reg, ctx, entity, limit, [&](Connection& c) {
                    return records.Draft(c, ctx, entity, body);
                });
            },
            "Likely duplicates of a record not saved yet (the body of a create); writes nothing",
            "quality"
        );

        router.Add(
            "POST",
            "/api/v1/" + entity + "/merge",
            Policy::kAuthenticated,
            [merges,
             &db,
             entity](const RequestContext& ctx, const Request& req) -> Result<Response> {
                VK_RETURN_IF_ERROR(RequireWritable(ctx));
                VK_ASSIGN_OR_RETURN(Json body, ParseBody(req));
                VK_ASSIGN_OR_RETURN(
                    Json merged,
                    storage::WriteReturning<Json>(
                        db, [&](Connection& tx) { return merges->Merge(tx, ctx, entity, body); }
                    )
                );
                return Response::JsonBody(200, merged);
            },
            "Merge a duplicate into the surviving record (undo with POST /api/v1/merges/{id}/undo)",
            "quality"
        );
    }

    router.Add(
        "POST",
        "/api/v1/merges/{id}/undo",
        Policy::kAuthenticated,
        [merges, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(Json undone, storage::WriteReturning<Json>(db, [&](Connection& tx) {
                                    return merges->Undo(tx, ctx, req.PathParam("id"));
                                }));
            return Response::JsonBody(200, undone);
        },
        "Undo a merge: restore the merged-away record, its references and the survivor's fields",
        "quality"
    );

    router.Add(
        "GET",
        "/api/v1/merges/{id}",
        Policy::kAuthenticated,
        [merges, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(Json merge, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return merges->Get(c, ctx, req.PathParam("id"));
                                }));
            return Response::JsonBody(200, merge);
        },
        "A merge: field changes and moved references",
        "quality"
    );

    router.Add(
        "POST",
        "/api/v1/duplicates/scan",
        Policy::kAdmin,
        [&db, &reg, &clock](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(Json body, ParseBody(req));
            if (!body.is_object() || !body.contains("entity") || !body["entity"].is_string() ||
                !FindProfile(body["entity"].get<std::string>()) ||
                !reg.Find(body["entity"].get<std::string>())) {
                return Error::InvalidField("entity", "must be one of contacts, companies, leads");
            }
            EntityScanOptions options;
            if (body.contains("threshold")) {
                if (!body["threshold"].is_number() || body["threshold"].get<double>() <= 0.0 ||
                    body["threshold"].get<double>() > 1.0) {
                    return Error::InvalidField("threshold", "must be a number in (0, 1]");
                }
                options.threshold = body["threshold"].get<double>();
            }
            VK_ASSIGN_OR_RETURN(
                EntityScan scan,
                ScanEntity(db, reg, ctx.tenant_id, body["entity"].get<std::string>(), options)
            );
            VK_RETURN_IF_ERROR(db.Write([&](Connection& tx) {
                return StorePairs(tx, ctx.tenant_id, scan, clock.NowMicros());
            }));
            return Response::JsonBody(
                200,
                Json{
                    {"entity", scan.entity},
                    {"records", scan.records},
                    {"pairs", scan.pairs.size()},
                    {"keys_refreshed", scan.keys_refreshed},
                    {"threshold", options.threshold},
                    {"seconds", scan.seconds}}
            );
        },
        "Scan all records of an entity for duplicates and store the pairs",
        "quality"
    );

    router.Add(
        "GET",
        "/api/v1/duplicates",
        Policy::kAuthenticated,
        [&db, &reg](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(int limit, ParseLimit(req, 50, 500));
            const std::string entity = req.QueryValue("entity").value_or("");
            const std::string cursor = req.QueryValue("cursor").value_or("");
            VK_ASSIGN_OR_RETURN(Json pairs, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return ListPairs(c, ctx, reg, entity, limit, cursor);
                                }));
            return Response::JsonBody(200, pairs);
        },
        "Likely duplicate pairs found by the last scan, best first",
        "quality"
    );

    router.Add(
        "GET",
        "/api/v1/quality/report",
        Policy::kAuthenticated,
        [&db, &reg, &clock](const RequestContext& ctx, const Request&) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(Json report, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return QualityReport(c, ctx, reg, clock.NowMicros());
                                }));
            return Response::JsonBody(200, report);
        },
        "Data quality: invalid phones and emails, missing key fields, likely duplicates",
        "quality"
    );
}

}  // namespace voronka::quality
