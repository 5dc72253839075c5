// /healthz, /readyz and /metrics: the operational endpoints every deployment probes.
#include "http/health.hpp"

#include <utility>

#include "http/metrics.hpp"

namespace voronka::http {

void RegisterHealthRoutes(Router& router, std::function<core::Status()> ready_check) {
    router.Add(
        "GET",
        "/healthz",
        Policy::kPublic,
        [](const access::RequestContext&, const Request&) -> core::Result<Response> {
            return Response::JsonBody(200, {{"status", "ok"}});
        },
        "Liveness probe",
        "operations"
    );
    router.Add(
        "GET",
        "/readyz",
        Policy::kPublic,
        [check = std::move(ready_check
         )](const access::RequestContext&, const Request&) -> core::Result<Response> {
            if (check) {
                core::Status status = check();
                if (!status) {
                    core::Error error = std::move(status).error();
                    // Whatever the check's code, not ready means 503 so balancers route elsewhere.
                    error.code = core::ErrorCode::kUnavailable;
                    return error;
                }
            }
            return Response::JsonBody(200, {{"status", "ok"}});
        },
        "Readiness probe",
        "operations"
    );
    router.Add(
        "GET",
        "/metrics",
        Policy::kPublic,
        [](const access::RequestContext&, const Request&) -> core::Result<Response> {
            return Response::Text(200, RenderMetrics(), "text/plain; version=0.0.4; charset=utf-8");
        },
        "Prometheus metrics",
        "operations"
    );
    // Probes must answer while every read thread is busy with slow requests.
    router.MarkQuick("GET", "/healthz");
    router.MarkQuick("GET", "/readyz");
}

}  // namespace voronka::http
