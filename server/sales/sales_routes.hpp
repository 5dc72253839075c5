// HTTP routes of the sales operational core: pipelines, board, lines, conversion, timeline, my day.
#pragma once

#include "core/clock.hpp"
#include "http/router.hpp"
#include "records/record_service.hpp"

namespace voronka::sales {

// Registers the operational core's entities in `registry` (see RegisterOperationalEntities) and
// its routes in `router`. Call after the record engine's routes: the literal routes registered
// here (/api/v1/pipelines, POST /api/v1/leads, ...) take precedence over /api/v1/{entity}.
// `registry`, `records` and `clock` must outlive the router.
void RegisterSalesCore(
    http::Router& router,
    records::EntityRegistry& registry,
    records::RecordService& records,
    const core::Clock& clock
);

}  // namespace voronka::sales
