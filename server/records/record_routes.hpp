// HTTP routes of the record engine: /api/v1/{entity}..., search, recycle bin, meta, batch.
#pragma once

#include <functional>

#include "http/router.hpp"
#include "records/record_service.hpp"

namespace voronka::records {

// Tries to resolve the caller of a public route that can say more to an authenticated user
// (openapi.json lists the tenant's custom fields then). Returns an error when anonymous.
using OptionalAuth = std::function<core::Result<RequestContext>(const http::Request&)>;

void RegisterRecordRoutes(http::Router& router, RecordService& service, OptionalAuth optional_auth);

// Builds the OpenAPI 3.1 document from the route table and the entities' metadata.
Json BuildOpenApi(const http::Router& router, const std::vector<std::shared_ptr<const EntityDef>>& entities);

}  // namespace voronka::records
