// HTTP routes of the record engine: /api/v1/{entity}..., search, recycle bin, meta, batch.
#pragma once

#include <functional>
#include <optional>

#include "http/router.hpp"
#include "records/record_service.hpp"

namespace voronka::records {

// Tries to resolve the caller of a public route that can say more to an authenticated user
// (openapi.json lists the tenant's custom fields then). Returns an error when anonymous.
using OptionalAuth = std::function<core::Result<RequestContext>(const http::Request&)>;

void RegisterRecordRoutes(http::Router& router, RecordService& service, OptionalAuth optional_auth);

// Runs the entity's after_create hooks (see CreateResponseHook) on a read connection and lets
// them add keys to `body`, the created record as returned to the client. Every route that
// creates a record for a client calls this after its transaction committed. Best effort: a
// failing hook is logged and adds nothing.
void AddCreateExtras(
    RecordService& service, const RequestContext& ctx, std::string_view entity, Json& body
);

// Runs `create` in a write transaction once per Idempotency-Key (a repeat of the same request
// answers the first response and writes nothing; the key with another request is a 409), then
// adds the create extras; answers 201 with ETag and Location. Every create route goes here.
using CreateFn = std::function<core::Result<Record>(storage::Connection& tx)>;
core::Result<http::Response> CreateOnce(
    RecordService& service,
    const RequestContext& ctx,
    const http::Request& req,
    const std::string& entity,
    const CreateFn& create
);

// The request body as JSON; an empty body is {}. Errors name what is wrong with the JSON.
core::Result<Json> ParseBody(const http::Request& req);

// If-Match: "3", W/"3", 3 or * / absent (any version, nullopt). Anything else is a 412.
core::Result<std::optional<int64_t>> ParseIfMatch(const http::Request& req);

// Builds the OpenAPI 3.1 document from the route table and the entities' metadata.
Json BuildOpenApi(
    const http::Router& router, const std::vector<std::shared_ptr<const EntityDef>>& entities
);

}  // namespace voronka::records
