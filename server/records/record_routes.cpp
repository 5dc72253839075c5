// Thin handlers: decode and validate the request, call the record engine, shape the response.
#include "records/record_routes.hpp"

#include <charconv>

#include <spdlog/spdlog.h>

#include "core/id.hpp"
#include "core/json.hpp"
#include "storage/tenant_scope.hpp"

namespace voronka::records {

using core::Error;
using http::Policy;
using http::Request;
using http::Response;

namespace {

constexpr size_t kMaxBatch = 100;

Response RecordResponse(int status, const Record& record) {
    Response r = Response::JsonBody(status, record.body);
    r.SetHeader("ETag", "\"" + std::to_string(record.version) + "\"");
    return r;
}

Result<int> ParseLimit(const Request& req, int fallback) {
    auto raw = req.QueryValue("limit");
    if (!raw) {
        return fallback;
    }
    int limit = 0;
    auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), limit);
    if (ec != std::errc() || ptr != raw->data() + raw->size()) {
        return Error::InvalidField("limit", "must be an integer");
    }
    return limit;
}

Result<ListQuery> ParseListQuery(const Request& req) {
    ListQuery q;
    std::vector<core::FieldError> errors;
    for (const auto& [key, value] : req.query) {
        if (key == "limit") {
            auto limit = ParseLimit(req, 50);
            if (!limit) {
                errors.push_back({"limit", "must be an integer"});
            } else {
                q.limit = *limit;
            }
        } else if (key == "cursor") {
            q.cursor = value;
        } else if (key == "sort") {
            q.sort = value;
        } else if (key == "fields") {
            // Field selection is applied by the handler.
        } else if (key.starts_with("filter[")) {
            const size_t close = key.find(']');
            FilterTerm term;
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
            q.filters.push_back(std::move(term));
        } else {
            errors.push_back({key, "is not a query parameter of this list"});
        }
    }
    if (!errors.empty()) {
        return Error::Invalid("Invalid list query", std::move(errors));
    }
    return q;
}

Json SelectFields(const Json& body, const std::optional<std::string>& fields) {
    if (!fields || fields->empty()) {
        return body;
    }
    Json out = Json::object();
    out["id"] = body["id"];
    size_t start = 0;
    while (start <= fields->size()) {
        size_t comma = fields->find(',', start);
        if (comma == std::string::npos) {
            comma = fields->size();
        }
        const std::string name = fields->substr(start, comma - start);
        if (body.contains(name)) {
            out[name] = body[name];
        }
        start = comma + 1;
    }
    return out;
}

}  // namespace

Result<Response> CreateOnce(
    RecordService& service,
    const RequestContext& ctx,
    const Request& req,
    const std::string& entity,
    const CreateFn& create
) {
    const std::string key = req.Header("idempotency-key");
    if (key.size() > 200) {
        return Error::InvalidField("Idempotency-Key", "is longer than 200 characters");
    }
    const std::string request_hash = core::Sha256Hex(req.method + " " + req.path + "\n" + req.body);
    int status = 201;
    Json created;
    bool replayed = false;
    VK_RETURN_IF_ERROR(service.db().Write([&](Connection& tx) -> Status {
        if (!key.empty()) {
            VK_ASSIGN_OR_RETURN(
                storage::Rows seen,
                tx.Query(
                    "SELECT request_hash, status, response FROM idempotency_keys "
                    "WHERE tenant_id = $1 AND user_id = $2 AND key = $3",
                    {ctx.tenant_id, ctx.user_id, key}
                )
            );
            if (!seen.empty()) {
                if (storage::AsText(seen.rows[0][0]) != request_hash) {
                    return Error::Conflict(
                        "This Idempotency-Key was used with a different request",
                        {{"Idempotency-Key", "was used with a different request"}}
                    );
                }
                created = Json::parse(storage::AsText(seen.rows[0][2]), nullptr, false);
                status = static_cast<int>(storage::AsInt(seen.rows[0][1]));
                replayed = true;
                return core::Ok();
            }
        }
        VK_ASSIGN_OR_RETURN(Record record, create(tx));
        created = std::move(record.body);
        if (!key.empty()) {
            auto stored = tx.Execute(
                "INSERT INTO idempotency_keys (tenant_id, user_id, key, request_hash, status, "
                "response, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                {ctx.tenant_id,
                 ctx.user_id,
                 key,
                 request_hash,
                 int64_t{201},
                 created.dump(),
                 service.clock().NowMicros()}
            );
            if (!stored) {
                return std::move(stored).error();
            }
        }
        return core::Ok();
    }));
    // A repeat gets the extras of now as well: the stored response was taken before them.
    if (created.is_object() && status == 201) {
        AddCreateExtras(service, ctx, entity, created);
    }
    Response out = Response::JsonBody(status, created);
    if (created.is_object() && created.contains("version") &&
        created["version"].is_number_integer()) {
        out.SetHeader("ETag", "\"" + std::to_string(created["version"].get<int64_t>()) + "\"");
    }
    if (replayed) {
        out.SetHeader("Idempotent-Replayed", "true");
    } else if (created.is_object() && created.contains("id") && created["id"].is_string()) {
        out.SetHeader("Location", "/api/v1/" + entity + "/" + created["id"].get<std::string>());
    }
    return out;
}

namespace {

struct BatchResult {
    int status = 0;
    Json body;
};

// One batch operation inside the batch's transaction. Paths: /api/v1/{entity}[/{id}[/restore]].
Result<BatchResult> RunOperation(
    RecordService& service, Connection& tx, const RequestContext& ctx, const Json& op
) {
    if (!op.is_object() || !op.contains("method") || !op["method"].is_string() ||
        !op.contains("path") || !op["path"].is_string()) {
        return Error::Invalid("Each operation needs a method and a path");
    }
    const std::string method = op["method"].get<std::string>();
    std::string path = op["path"].get<std::string>();
    const Json body = op.contains("body") ? op["body"] : Json::object();
    if (!path.starts_with("/api/v1/")) {
        return Error::InvalidField("path", "must start with /api/v1/");
    }
    std::vector<std::string> parts;
    for (size_t start = 8; start <= path.size();) {
        size_t slash = path.find('/', start);
        if (slash == std::string::npos) {
            slash = path.size();
        }
        parts.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    const auto if_match = op.contains("if_match") && op["if_match"].is_number_integer()
                              ? std::optional<int64_t>(op["if_match"].get<int64_t>())
                              : std::nullopt;
    if (parts.size() == 1 && method == "POST") {
        VK_ASSIGN_OR_RETURN(Record r, service.Create(tx, ctx, parts[0], body));
        return BatchResult{201, r.body};
    }
    if (parts.size() == 2 && method == "GET") {
        VK_ASSIGN_OR_RETURN(Record r, service.Get(tx, ctx, parts[0], parts[1]));
        return BatchResult{200, r.body};
    }
    if (parts.size() == 2 && method == "PATCH") {
        VK_ASSIGN_OR_RETURN(Record r, service.Update(tx, ctx, parts[0], parts[1], body, if_match));
        return BatchResult{200, r.body};
    }
    if (parts.size() == 2 && method == "DELETE") {
        VK_RETURN_IF_ERROR(service.Delete(tx, ctx, parts[0], parts[1], if_match));
        return BatchResult{204, nullptr};
    }
    if (parts.size() == 3 && method == "POST" && parts[2] == "restore") {
        VK_ASSIGN_OR_RETURN(Record r, service.Restore(tx, ctx, parts[0], parts[1]));
        return BatchResult{200, r.body};
    }
    return Error::InvalidField("path", "batch supports POST, GET, PATCH and DELETE on records");
}

Json ProblemJson(const Error& e) {
    Response r = http::ProblemResponse(e);
    return Json::parse(r.body, nullptr, false);
}

}  // namespace

Result<std::optional<int64_t>> ParseIfMatch(const Request& req) {
    std::string value = req.Header("if-match");
    if (value.empty() || value == "*") {
        return std::optional<int64_t>();
    }
    if (value.starts_with("W/")) {
        value = value.substr(2);
    }
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
    }
    int64_t version = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), version);
    if (ec != std::errc() || ptr != value.data() + value.size()) {
        return Error::Precondition("If-Match does not name a version of this record");
    }
    return std::optional<int64_t>(version);
}

Result<Json> ParseBody(const Request& req) {
    if (req.body.empty()) {
        return Json::object();
    }
    return core::ParseJson(req.body);
}

void AddCreateExtras(
    RecordService& service, const RequestContext& ctx, std::string_view entity, Json& body
) {
    const EntityDef* def = service.registry().Find(entity);
    if (!def || def->after_create.empty() || !body.is_object()) {
        return;
    }
    Status st = service.db().Read([&](Connection& c) -> Status {
        for (const CreateResponseHook& hook : def->after_create) {
            Json extras = body;
            auto added = hook(c, ctx, *def, extras);
            if (!added) {
                spdlog::warn(
                    "create response hook of {} failed: {}", def->name, added.error().message
                );
                continue;
            }
            body = std::move(extras);
        }
        return core::Ok();
    });
    if (!st) {
        spdlog::warn(
            "create response hooks of {} could not read: {}", def->name, st.error().message
        );
    }
}

void RegisterRecordRoutes(
    http::Router& router, RecordService& service, OptionalAuth optional_auth
) {
    auto& db = service.db();

    router.Add(
        "GET",
        "/api/v1/search",
        Policy::kAuthenticated,
        [&service, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(int limit, ParseLimit(req, 20));
            const std::string q = req.QueryValue("q").value_or("");
            VK_ASSIGN_OR_RETURN(Json found, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return service.Search(c, ctx, q, limit);
                                }));
            return Response::JsonBody(200, found);
        },
        "Search all records",
        "search"
    );

    router.Add(
        "GET",
        "/api/v1/recycle-bin",
        Policy::kAuthenticated,
        [&service, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(int limit, ParseLimit(req, 50));
            VK_ASSIGN_OR_RETURN(Json items, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return service.RecycleBin(c, ctx, limit);
                                }));
            return Response::JsonBody(200, items);
        },
        "Deleted records",
        "records"
    );

    router.Add(
        "GET",
        "/api/v1/events",
        Policy::kAdmin,
        [&service, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(int limit, ParseLimit(req, 100));
            int64_t after = 0;
            if (auto raw = req.QueryValue("after")) {
                auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), after);
                if (ec != std::errc() || ptr != raw->data() + raw->size()) {
                    return Error::InvalidField("after", "must be an event sequence number");
                }
            }
            VK_ASSIGN_OR_RETURN(Json events, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return service.EventsAfter(c, ctx, after, limit);
                                }));
            return Response::JsonBody(200, events);
        },
        "Follow the event log by cursor",
        "events"
    );

    router.Add(
        "GET",
        "/api/v1/meta",
        Policy::kAuthenticated,
        [&service, &db](const RequestContext& ctx, const Request&) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(
                Json all,
                storage::ReadReturning<Json>(
                    db,
                    [&](Connection& c) -> Result<Json> {
                        Json list = Json::array();
                        for (const EntityDef* e : service.registry().All()) {
                            VK_ASSIGN_OR_RETURN(auto def, service.Meta(c, ctx, e->name));
                            list.push_back(RecordService::Describe(*RecordService::ViewFor(ctx, def)
                            ));
                        }
                        return Json{{"data", list}};
                    }
                )
            );
            return Response::JsonBody(200, all);
        },
        "Describe all entities",
        "meta"
    );

    router.Add(
        "GET",
        "/api/v1/meta/{entity}",
        Policy::kAuthenticated,
        [&service, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(
                Json described,
                storage::ReadReturning<Json>(
                    db,
                    [&](Connection& c) -> Result<Json> {
                        VK_ASSIGN_OR_RETURN(
                            auto def, service.Meta(c, ctx, req.PathParam("entity"))
                        );
                        return RecordService::Describe(*RecordService::ViewFor(ctx, def));
                    }
                )
            );
            return Response::JsonBody(200, described);
        },
        "Describe an entity",
        "meta"
    );

    router.Add(
        "POST",
        "/api/v1/meta/{entity}/fields",
        Policy::kAdmin,
        [&service, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(Json body, ParseBody(req));
            VK_ASSIGN_OR_RETURN(Json field, storage::WriteReturning<Json>(db, [&](Connection& tx) {
                                    return service.AddCustomField(
                                        tx, ctx, req.PathParam("entity"), body
                                    );
                                }));
            return Response::JsonBody(201, field);
        },
        "Add a custom field",
        "meta"
    );

    router.Add(
        "POST",
        "/api/v1/batch",
        Policy::kAuthenticated,
        [&service, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(Json body, ParseBody(req));
            if (!body.is_object() || !body.contains("operations") ||
                !body["operations"].is_array()) {
                return Error::InvalidField(
                    "operations", "must be an array of {method, path, body}"
                );
            }
            const Json& ops = body["operations"];
            if (ops.empty() || ops.size() > kMaxBatch) {
                return Error::InvalidField("operations", "must hold 1 to 100 operations");
            }
            std::vector<BatchResult> results;
            std::optional<size_t> failed;
            std::optional<Error> failure;
            Status st = db.Write([&](Connection& tx) -> Status {
                results.clear();
                for (size_t i = 0; i < ops.size(); ++i) {
                    auto r = RunOperation(service, tx, ctx, ops[i]);
                    if (!r) {
                        failed = i;
                        failure = r.error();
                        return std::move(r).error();
                    }
                    results.push_back(std::move(r).value());
                }
                return core::Ok();
            });
            Json out = Json::array();
            if (st) {
                for (auto& r : results) {
                    out.push_back({{"status", r.status}, {"body", r.body}});
                }
                return Response::JsonBody(200, Json{{"committed", true}, {"results", out}});
            }
            if (!failed) {
                return std::move(st).error();
            }
            for (size_t i = 0; i < ops.size(); ++i) {
                if (i < *failed) {
                    out.push_back(
                        {{"status", results[i].status}, {"body", nullptr}, {"rolled_back", true}}
                    );
                } else if (i == *failed) {
                    out.push_back(
                        {{"status", http::StatusFor(failure->code)},
                         {"body", ProblemJson(*failure)}}
                    );
                } else {
                    out.push_back({{"status", 424}, {"body", nullptr}});
                }
            }
            Response r = http::ProblemResponse(*failure);
            Json problem = Json::parse(r.body, nullptr, false);
            problem["committed"] = false;
            problem["failed_operation"] = *failed;
            problem["results"] = out;
            r.body = problem.dump();
            return r;
        },
        "Run up to 100 operations in one transaction",
        "records"
    );

    router.Add(
        "GET",
        "/api/v1/openapi.json",
        Policy::kPublic,
        [&service, &db, &router, optional_auth](
            const RequestContext&, const Request& req
        ) -> Result<Response> {
            std::vector<std::shared_ptr<const EntityDef>> entities;
            auto ctx = optional_auth ? optional_auth(req)
                                     : Result<RequestContext>(Error::Unauthenticated());
            // A public route runs without a tenant; a signed-in caller's custom fields need theirs.
            const storage::TenantScope tenant_scope(ctx ? ctx->tenant_id : 0);
            for (const EntityDef* e : service.registry().All()) {
                std::shared_ptr<const EntityDef> def;
                if (ctx) {
                    auto meta = storage::ReadReturning<std::shared_ptr<const EntityDef>>(
                        db, [&](Connection& c) { return service.Meta(c, *ctx, e->name); }
                    );
                    if (meta) {
                        def = RecordService::ViewFor(*ctx, *meta);
                    }
                }
                entities.push_back(def ? def : std::make_shared<EntityDef>(*e));
            }
            return Response::JsonBody(200, BuildOpenApi(router, entities));
        },
        "This OpenAPI document",
        "meta"
    );

    router.Add(
        "GET",
        "/api/v1/{entity}",
        Policy::kAuthenticated,
        [&service, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(ListQuery query, ParseListQuery(req));
            VK_ASSIGN_OR_RETURN(
                ListPage page,
                storage::ReadReturning<ListPage>(
                    db,
                    [&](Connection& c) {
                        return service.List(c, ctx, req.PathParam("entity"), query);
                    }
                )
            );
            Json data = Json::array();
            const auto fields = req.QueryValue("fields");
            for (auto& item : page.data) {
                data.push_back(SelectFields(item, fields));
            }
            return Response::JsonBody(
                200,
                Json{
                    {"data", std::move(data)},
                    {"next_cursor", page.next_cursor ? Json(*page.next_cursor) : Json(nullptr)}}
            );
        },
        "List records with filters, sorting and cursor pages",
        "records"
    );

    router.Add(
        "POST",
        "/api/v1/{entity}",
        Policy::kAuthenticated,
        [&service](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(Json body, ParseBody(req));
            const std::string entity = req.PathParam("entity");
            return CreateOnce(service, ctx, req, entity, [&](Connection& tx) {
                return service.Create(tx, ctx, entity, body);
            });
        },
        "Create a record",
        "records"
    );

    router.Add(
        "GET",
        "/api/v1/{entity}/{id}",
        Policy::kAuthenticated,
        [&service, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(
                Record record,
                storage::ReadReturning<Record>(
                    db,
                    [&](Connection& c) {
                        return service.Get(c, ctx, req.PathParam("entity"), req.PathParam("id"));
                    }
                )
            );
            Response r = RecordResponse(200, record);
            if (req.Header("if-none-match") == "\"" + std::to_string(record.version) + "\"") {
                r.status = 304;
                r.body.clear();
            }
            return r;
        },
        "Read a record",
        "records"
    );
    router.MarkQuick("GET", "/api/v1/{entity}/{id}");  // one row by primary key

    router.Add(
        "PATCH",
        "/api/v1/{entity}/{id}",
        Policy::kAuthenticated,
        [&service, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(auto if_match, ParseIfMatch(req));
            VK_ASSIGN_OR_RETURN(Json body, ParseBody(req));
            VK_ASSIGN_OR_RETURN(
                Record record,
                storage::WriteReturning<Record>(
                    db,
                    [&](Connection& tx) {
                        return service.Update(
                            tx, ctx, req.PathParam("entity"), req.PathParam("id"), body, if_match
                        );
                    }
                )
            );
            return RecordResponse(200, record);
        },
        "Update a record (If-Match for optimistic locking)",
        "records"
    );

    router.Add(
        "DELETE",
        "/api/v1/{entity}/{id}",
        Policy::kAuthenticated,
        [&service, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(auto if_match, ParseIfMatch(req));
            VK_RETURN_IF_ERROR(db.Write([&](Connection& tx) {
                return service.Delete(
                    tx, ctx, req.PathParam("entity"), req.PathParam("id"), if_match
                );
            }));
            return Response::NoContent();
        },
        "Move a record to the recycle bin",
        "records"
    );

    router.Add(
        "GET",
        "/api/v1/{entity}/{id}/history",
        Policy::kAuthenticated,
        [&service, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_ASSIGN_OR_RETURN(Json history, storage::ReadReturning<Json>(db, [&](Connection& c) {
                                    return service.History(
                                        c, ctx, req.PathParam("entity"), req.PathParam("id")
                                    );
                                }));
            return Response::JsonBody(200, history);
        },
        "Every version of a record",
        "records"
    );

    router.Add(
        "POST",
        "/api/v1/{entity}/{id}/revert",
        Policy::kAuthenticated,
        [&service, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(Json body, ParseBody(req));
            if (!body.is_object() || !body.contains("version") ||
                !body["version"].is_number_integer()) {
                return Error::InvalidField("version", "must be an integer version number");
            }
            VK_ASSIGN_OR_RETURN(
                Record record,
                storage::WriteReturning<Record>(
                    db,
                    [&](Connection& tx) {
                        return service.Revert(
                            tx,
                            ctx,
                            req.PathParam("entity"),
                            req.PathParam("id"),
                            body["version"].get<int64_t>()
                        );
                    }
                )
            );
            return RecordResponse(200, record);
        },
        "Restore the field values of an earlier version as a new change",
        "records"
    );

    router.Add(
        "POST",
        "/api/v1/{entity}/{id}/restore",
        Policy::kAuthenticated,
        [&service, &db](const RequestContext& ctx, const Request& req) -> Result<Response> {
            VK_RETURN_IF_ERROR(RequireWritable(ctx));
            VK_ASSIGN_OR_RETURN(
                Record record,
                storage::WriteReturning<Record>(
                    db,
                    [&](Connection& tx) {
                        return service.Restore(
                            tx, ctx, req.PathParam("entity"), req.PathParam("id")
                        );
                    }
                )
            );
            return RecordResponse(200, record);
        },
        "Bring a record back from the recycle bin",
        "records"
    );
}

}  // namespace voronka::records
