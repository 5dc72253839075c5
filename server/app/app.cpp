// Composition of domains: the only file that knows every domain's registration function.
#include "app/app.hpp"

#include "access/access_routes.hpp"
#include "access/operator_routes.hpp"
#include "access/role_routes.hpp"
#include "analytics/sales/sales_analytics_routes.hpp"
#include "analytics/customers/customer_analytics.hpp"
#include "http/health.hpp"
#include "quality/quality_routes.hpp"
#include "records/list_view_entity.hpp"
#include "records/record_routes.hpp"
#include "sales/sales_entities.hpp"
#include "sales/sales_routes.hpp"

namespace voronka::app {

App::App(storage::Database& database, const core::Clock& system_clock)
    : db(database), clock(system_clock), auth(database, system_clock) {}

std::unique_ptr<App> BuildApp(storage::Database& db, const core::Clock& clock) {
    auto app = std::make_unique<App>(db, clock);
    sales::RegisterSalesEntities(app->registry);
    app->registry.Register(records::ListViewEntity());
    app->records = std::make_unique<records::RecordService>(db, app->registry, clock);

    auto authenticator = access::MakeAuthenticator(app->auth);
    app->router.SetAuthenticator(authenticator);
    http::RegisterHealthRoutes(app->router, [&db] { return db.Ping(); });
    access::RegisterAccessRoutes(app->router, app->auth);
    access::RegisterRoleRoutes(
        app->router,
        app->auth,
        [records = app->records.get()](storage::Connection& c, const access::RequestContext& ctx) {
            return records->FieldCatalog(c, ctx);
        }
    );
    access::RegisterOperatorRoutes(app->router, app->auth, [records = app->records.get()](storage::Connection& tx, int64_t tenant_id) {
        return records->PurgeTenant(tx, tenant_id);
    });
    records::RegisterRecordRoutes(app->router, *app->records, [authenticator](const http::Request& req) {
        return authenticator(req, http::Policy::kAuthenticated);
    });
    sales::RegisterSalesCore(app->router, app->registry, *app->records, clock);
    quality::RegisterQualityRoutes(app->router, app->registry, *app->records, clock);
    analytics::RegisterSalesAnalytics(
        app->router,
        app->registry,
        *app->records,
        clock,
        [auth = &app->auth](
            const access::RequestContext& ctx, std::string_view action, const core::Json& detail
        ) { auth->Audit(ctx.tenant_id, ctx.user_id, action, detail, ctx.remote_address); }
    );
    analytics::RegisterCustomerAnalytics(app->router, app->registry, *app->records, clock);
    return app;
}

}  // namespace voronka::app
