// The assembled application: entity registry, domain services and the route table.
// Domains add their entities and routes here, in one place, for serve, openapi and tests.
#pragma once

#include <memory>

#include "access/auth_service.hpp"
#include "core/clock.hpp"
#include "http/router.hpp"
#include "records/record_service.hpp"
#include "storage/database.hpp"

namespace voronka::app {

struct App {
    App(storage::Database& db, const core::Clock& clock);

    storage::Database& db;
    const core::Clock& clock;
    records::EntityRegistry registry;
    access::AuthService auth;
    std::unique_ptr<records::RecordService> records;
    http::Router router;
};

// Registers every entity and route. The returned App is ready to serve.
std::unique_ptr<App> BuildApp(storage::Database& db, const core::Clock& clock);

}  // namespace voronka::app
