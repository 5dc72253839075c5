// Liveness, readiness and metrics endpoints for load balancers and Prometheus.
#pragma once

#include <functional>

#include "core/result.hpp"
#include "http/router.hpp"

namespace voronka::http {

// Adds three Policy::kPublic routes:
//   GET /healthz  200 {"status":"ok"} while the process can answer at all;
//   GET /readyz   200 {"status":"ok"} when ready_check() succeeds (or is empty), otherwise a 503
//                 problem with the check's client-safe message (its internal text is only logged);
//   GET /metrics  RenderMetrics() as "text/plain; version=0.0.4".
// ready_check is called on every /readyz request from any server thread: keep it cheap and
// thread-safe. /metrics is public like the others: restrict it at the network edge if needed.
void RegisterHealthRoutes(Router& router, std::function<core::Status()> ready_check);

}  // namespace voronka::http
