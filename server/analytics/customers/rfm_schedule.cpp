// Scheduled RFM rescoring: per-order refreshes score one customer against the stored scores of
// the others, so the others' quintiles drift until the whole tenant is rescored; the server
// does that on a timer.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "analytics/customers/customer_analytics.hpp"
#include "analytics/customers/customers_internal.hpp"

namespace voronka::analytics {

Status RescoreAllTenants(storage::Database& db, int64_t now) {
    VK_ASSIGN_OR_RETURN(
        storage::Rows tenants,
        storage::ReadReturning<storage::Rows>(
            db,
            [](Connection& c) {
                return c.Query("SELECT id FROM tenants WHERE status = 'active' ORDER BY id");
            }
        )
    );
    // One transaction per tenant, so one tenant's rescoring never holds back the others' writes
    // for longer than its own.
    for (const auto& row : tenants.rows) {
        const int64_t tenant_id = storage::AsInt(row[0]);
        VK_RETURN_IF_ERROR(db.Write([&](Connection& tx) {
            return customers_internal::RebuildCustomerMetrics(tx, tenant_id, now);
        }));
    }
    return core::Ok();
}

RfmSchedule::RfmSchedule(storage::Database& db, const core::Clock& clock, int hours)
    : task_(std::chrono::hours(std::max(hours, 0)), [&db, &clock] {
          const Status done = RescoreAllTenants(db, clock.NowMicros());
          if (!done) {
              spdlog::warn("scheduled RFM rescoring failed: {}", done.error().message);
          }
      }) {}

}  // namespace voronka::analytics
