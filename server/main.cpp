// Composition root: parse the command line, build the objects, run the chosen subcommand.
#include <filesystem>
#include <iostream>
#include <optional>

#include <spdlog/spdlog.h>

#include "access/auth_service.hpp"
#include "access/operator_routes.hpp"
#include "access/rate_limiter.hpp"
#include "analytics/analytics_cli.hpp"
#include "analytics/customers/customer_analytics.hpp"
#include "analytics/sales/period_rollups.hpp"
#include "analytics/sales/stage_rollups.hpp"
#include "app/app.hpp"
#include "app/duplicates_cli.hpp"
#include "core/clock.hpp"
#include "core/id.hpp"
#include "http/server.hpp"
#include "records/record_routes.hpp"
#include "records/record_service.hpp"
#include "records/search_maintenance.hpp"
#include "sales/deal_rollups.hpp"
#include "sales/demo_data.hpp"
#include "sales/sales_entities.hpp"
#include "storage/database.hpp"
#include "storage/tenant_scope.hpp"
#include <CLI/CLI.hpp>

namespace {

using namespace voronka;

constexpr const char* kDefaultDb = "./var/voronka.db";

[[noreturn]] void Fail(const core::Error& e) {
    std::cerr << "error: " << e.message;
    for (const auto& f : e.fields) {
        std::cerr << "\n  " << f.field << ": " << f.message;
    }
    if (!e.internal.empty()) {
        std::cerr << "\n  (" << e.internal << ")";
    }
    std::cerr << "\n";
    throw CLI::RuntimeError(1);
}

template <class T>
T OrFail(core::Result<T> r) {
    if (!r) {
        Fail(r.error());
    }
    return std::move(r).value();
}

void OrFail(core::Status s) {
    if (!s) {
        Fail(s.error());
    }
}

std::unique_ptr<storage::Database> OpenMigrated(const std::string& url) {
    auto db = OrFail(storage::OpenDatabase(url));
    OrFail(db->Migrate());
    return db;
}

// The context CLI commands act with: the tenant's first admin.
access::RequestContext AdminContext(storage::Database& db, int64_t tenant_id) {
    const storage::TenantScope tenant_scope(tenant_id);
    auto rows = OrFail(storage::ReadReturning<storage::Rows>(db, [&](storage::Connection& c) {
        return c.Query(
            "SELECT u.id, t.meta_version FROM users u JOIN tenants t ON t.id = u.tenant_id "
            "WHERE u.tenant_id = $1 AND u.role = 'admin' AND u.active = 1 ORDER BY u.created_at "
            "LIMIT 1",
            {tenant_id}
        );
    }));
    if (rows.empty()) {
        Fail(core::Error::NotFound("The company has no active administrator"));
    }
    access::RequestContext ctx;
    ctx.tenant_id = tenant_id;
    ctx.user_id = storage::AsText(rows.rows[0][0]);
    ctx.role = "admin";
    ctx.meta_version = storage::AsInt(rows.rows[0][1]);
    ctx.permissions = access::BuiltinRole("admin");
    return ctx;
}

// Box mode: the tenant a command means when none is named is the only (first) one.
int64_t ResolveTenant(storage::Database& db, const std::string& name) {
    const storage::SystemScope find_tenant;  // by name, before a tenant is known
    auto rows = OrFail(storage::ReadReturning<storage::Rows>(db, [&](storage::Connection& c) {
        return name.empty()
                   ? c.Query("SELECT id FROM tenants ORDER BY id LIMIT 1")
                   : c.Query("SELECT id FROM tenants WHERE name = $1 ORDER BY id LIMIT 1", {name});
    }));
    if (rows.empty()) {
        Fail(core::Error::NotFound(
            name.empty() ? "No company exists yet; run `voronka serve` or `voronka tenant create`"
                         : "No company named '" + name + "'"
        ));
    }
    return storage::AsInt(rows.rows[0][0]);
}

// First start in box mode: one company with an admin whose password is printed once.
void EnsureBoxTenant(storage::Database& db, access::AuthService& auth) {
    const storage::SystemScope first_start;  // counts every tenant, may create the first
    auto rows = OrFail(storage::ReadReturning<storage::Rows>(db, [](storage::Connection& c) {
        return c.Query("SELECT COUNT(*) FROM tenants");
    }));
    if (storage::AsInt(rows.rows[0][0]) > 0) {
        return;
    }
    const std::string password = core::RandomToken(12);
    OrFail(storage::WriteReturning<std::pair<int64_t, std::string>>(
        db,
        [&](storage::Connection& tx) {
            return auth.CreateTenant(tx, "Demo company", "admin@example.com", password);
        }
    ));
    std::cout << "\nCreated the company with an administrator account (shown only once):\n"
              << "  email:    admin@example.com\n  password: " << password << "\n\n"
              << std::flush;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace voronka;
    spdlog::set_level(spdlog::level::info);
    CLI::App app{"Voronka CRM: server and administration commands"};
    app.require_subcommand(1);
    core::SystemClock clock;

    std::string db_url = kDefaultDb;
    auto add_db = [&](CLI::App* sub) {
        sub->add_option("--db", db_url, "SQLite file path or postgresql:// URL")
            ->capture_default_str();
    };

    // serve
    auto* serve = app.add_subcommand("serve", "Run the HTTP server");
    add_db(serve);
    std::string listen = "127.0.0.1:8080";
    std::string static_dir;
    bool multi_tenant = false;
    int threads = 4;
    int read_threads = 16;
    int write_threads = 64;
    size_t body_limit = 1 << 20;
    int64_t rate_limit = 600;
    serve->add_option("--listen", listen, "HOST:PORT to listen on")->capture_default_str();
    serve->add_option(
        "--static-dir", static_dir, "Built web app to serve at / (default: web/dist if present)"
    );
    serve
        ->add_option(
            "--threads", threads, "Threads serving connections and quick reads (a record by id)"
        )
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    serve
        ->add_option(
            "--read-threads",
            read_threads,
            "Threads for the other reads: lists, search, boards, reports (0: on the io threads)"
        )
        ->capture_default_str()
        ->check(CLI::Range(0, 1024));
    serve
        ->add_option(
            "--write-threads",
            write_threads,
            "Threads for requests that change data (each may wait on a durable group commit)"
        )
        ->capture_default_str()
        ->check(CLI::Range(0, 1024));
    serve->add_option("--body-limit", body_limit, "Largest request body in bytes (413 beyond)")
        ->capture_default_str();
    serve
        ->add_option(
            "--rate-limit",
            rate_limit,
            "Requests per minute per API token, session or anonymous address (0: no limit)"
        )
        ->capture_default_str()
        ->check(CLI::Range(int64_t{0}, int64_t{1000000}));
    serve->add_flag(
        "--multi-tenant",
        multi_tenant,
        "Cloud mode: many companies, created with `voronka tenant create`"
    );
    int rfm_hours = 24;
    serve
        ->add_option(
            "--rfm-recompute-hours",
            rfm_hours,
            "Rescore every company's RFM segments this often (0: never)"
        )
        ->capture_default_str()
        ->check(CLI::Range(0, 24 * 366));
    int search_merge_minutes = 10;
    serve
        ->add_option(
            "--search-merge-minutes",
            search_merge_minutes,
            "Merge the SQLite search index's segments this often (0: never)"
        )
        ->capture_default_str()
        ->check(CLI::Range(0, 60 * 24 * 366));
    serve->callback([&] {
        auto db = OpenMigrated(db_url);
        auto application = app::BuildApp(*db, clock);
        if (!multi_tenant) {
            EnsureBoxTenant(*db, application->auth);
        }
        // Declared before the server so it outlives every request the router dispatches.
        std::optional<access::RateLimiter> limiter;
        if (rate_limit > 0) {
            limiter.emplace(clock, rate_limit);
            access::InstallRateLimit(application->router, *limiter);
        }
        const http::Router& router = application->router;
        http::ServerOptions options;
        const auto colon = listen.rfind(':');
        if (colon == std::string::npos) {
            Fail(core::Error::InvalidField("--listen", "must be HOST:PORT"));
        }
        options.host = listen.substr(0, colon);
        try {
            options.port = static_cast<uint16_t>(std::stoi(listen.substr(colon + 1)));
        } catch (...) {
            Fail(core::Error::InvalidField("--listen", "must be HOST:PORT"));
        }
        options.threads = threads;
        options.read_threads = read_threads;
        options.write_threads = write_threads;
        options.body_limit_bytes = body_limit;
        if (static_dir.empty() && std::filesystem::exists("web/dist/index.html")) {
            static_dir = "web/dist";
        }
        options.static_dir = static_dir;
        analytics::RfmSchedule rfm_schedule(*db, clock, rfm_hours);
        records::SearchIndexMaintenance search_maintenance(
            *db, std::chrono::minutes(search_merge_minutes)
        );
        http::Server server(router, options);
        const uint16_t port = server.Start();
        spdlog::info(
            "Voronka is listening on http://{}:{}/ ({})",
            options.host,
            port,
            db->dialect() == storage::Dialect::kSqlite ? "SQLite" : "PostgreSQL"
        );
        server.Run();
    });

    // migrate
    auto* migrate = app.add_subcommand("migrate", "Create or upgrade the database schema");
    add_db(migrate);
    migrate->callback([&] {
        OpenMigrated(db_url);
        std::cout << "Schema is up to date\n";
    });

    // tenant create
    auto* tenant = app.add_subcommand("tenant", "Manage companies (cloud mode)");
    tenant->require_subcommand(1);
    auto* tenant_create =
        tenant->add_subcommand("create", "Create a company with its first administrator");
    add_db(tenant_create);
    std::string tenant_name, admin_email, admin_password;
    tenant_create->add_option("--name", tenant_name, "Company name")->required();
    tenant_create->add_option("--admin-email", admin_email, "Administrator email")->required();
    tenant_create
        ->add_option("--admin-password", admin_password, "Administrator password (8+ characters)")
        ->required();
    tenant_create->callback([&] {
        auto db = OpenMigrated(db_url);
        access::AuthService auth(*db, clock);
        const storage::SystemScope create_tenant;
        auto created = OrFail(storage::WriteReturning<std::pair<int64_t, std::string>>(
            *db,
            [&](storage::Connection& tx) {
                return auth.CreateTenant(tx, tenant_name, admin_email, admin_password);
            }
        ));
        std::cout
            << core::Json{{"tenant_id", created.first}, {"admin_user_id", created.second}}.dump()
            << "\n";
    });

    // operator token create
    auto* op = app.add_subcommand("operator", "Service operator credentials (cloud mode)");
    op->require_subcommand(1);
    auto* op_token = op->add_subcommand("token", "Create an operator API token and print it");
    add_db(op_token);
    std::string op_name = "operator";
    op_token->add_option("--name", op_name, "A name to recognise the token by");
    op_token->callback([&] {
        auto db = OpenMigrated(db_url);
        auto token = OrFail(storage::WriteReturning<std::string>(*db, [&](storage::Connection& tx) {
            return access::CreateOperatorToken(tx, clock, op_name);
        }));
        std::cout << token << "\n";
    });

    // user create
    auto* user = app.add_subcommand("user", "Manage users");
    user->require_subcommand(1);
    auto* user_create = user->add_subcommand("create", "Create a user");
    add_db(user_create);
    access::NewUser new_user;
    std::string user_tenant;
    user_create->add_option("--tenant", user_tenant, "Company name (box mode: the only company)");
    user_create->add_option("--email", new_user.email, "Email (unique across the server)")
        ->required();
    user_create->add_option("--password", new_user.password, "Password (8+ characters)")
        ->required();
    user_create->add_option("--role", new_user.role, "admin, manager or user")
        ->capture_default_str()
        ->check(CLI::IsMember({"admin", "manager", "user"}));
    user_create->add_option("--name", new_user.name, "Display name");
    user_create->add_option("--team-id", new_user.team_id, "Team id");
    user_create->callback([&] {
        auto db = OpenMigrated(db_url);
        access::AuthService auth(*db, clock);
        new_user.tenant_id = ResolveTenant(*db, user_tenant);
        const storage::TenantScope tenant_scope(new_user.tenant_id);
        auto id = OrFail(storage::WriteReturning<std::string>(*db, [&](storage::Connection& tx) {
            return auth.CreateUser(tx, new_user);
        }));
        std::cout << core::Json{{"user_id", id}, {"tenant_id", new_user.tenant_id}}.dump() << "\n";
    });

    // token create
    auto* token = app.add_subcommand("token", "Manage API tokens");
    token->require_subcommand(1);
    auto* token_create =
        token->add_subcommand("create", "Create an API token for a user and print it");
    add_db(token_create);
    std::string token_email, token_name = "cli";
    bool token_read_only = false;
    std::optional<int64_t> token_rate_limit;
    token_create->add_option("--email", token_email, "The user's email")->required();
    token_create->add_option("--name", token_name, "A name to recognise the token by");
    token_create->add_flag("--read-only", token_read_only, "The token can only read");
    token_create
        ->add_option(
            "--rate-limit",
            token_rate_limit,
            "The token's own requests per minute (default: the server's --rate-limit)"
        )
        ->check(CLI::Range(access::kMinTokenRateLimit, access::kMaxTokenRateLimit));
    token_create->callback([&] {
        auto db = OpenMigrated(db_url);
        access::AuthService auth(*db, clock);
        auto issued = OrFail(storage::WriteReturning<access::IssuedToken>(
            *db,
            [&](storage::Connection& tx) -> core::Result<access::IssuedToken> {
                VK_ASSIGN_OR_RETURN(auto found, auth.FindUserByEmail(tx, token_email));
                if (!found) {
                    return core::Error::NotFound("No user with this email");
                }
                const storage::TenantScope tenant_scope(found->first);
                return auth.CreateToken(
                    tx,
                    found->first,
                    found->second,
                    token_name,
                    token_read_only,
                    std::nullopt,
                    token_rate_limit
                );
            }
        ));
        std::cout << issued.token << "\n";
    });

    // demo
    auto* demo = app.add_subcommand("demo", "Fill the company with realistic demo data");
    add_db(demo);
    sales::DemoOptions demo_options;
    std::string demo_tenant;
    demo->add_option("--contacts", demo_options.contacts, "Number of contacts")
        ->capture_default_str();
    demo->add_option("--seed", demo_options.seed, "Random seed")->capture_default_str();
    demo->add_option(
            "--deals", demo_options.deals, "Number of deals (default: scaled from contacts)"
    )
        ->check(CLI::Range(0, 100000000));
    demo->add_option(
            "--leads", demo_options.leads, "Number of leads (default: scaled from contacts)"
    )
        ->check(CLI::Range(0, 100000000));
    demo->add_option("--tenant", demo_tenant, "Company name (box mode: the only company)");
    demo->callback([&] {
        auto db = OpenMigrated(db_url);
        auto application = app::BuildApp(*db, clock);
        EnsureBoxTenant(*db, application->auth);
        const auto ctx = AdminContext(*db, ResolveTenant(*db, demo_tenant));
        const storage::TenantScope tenant_scope(ctx.tenant_id);
        const int64_t created =
            OrFail(sales::FillDemoCompany(*application->records, ctx, demo_options));
        // The demo recounts the board's roll-ups itself; the analytics period roll-ups follow.
        OrFail(db->Write([&](storage::Connection& tx) -> core::Status {
            VK_RETURN_IF_ERROR(analytics::RebuildPeriodRollups(tx, ctx.tenant_id));
            return analytics::RebuildStageRollups(tx, ctx.tenant_id);
        }));
        std::cout << "Created " << created << " demo records\n";
    });

    // import
    auto* import = app.add_subcommand("import", "Import records from files");
    import->require_subcommand(1);
    auto* import_orders = import->add_subcommand(
        "orders",
        "Import orders from CSV: all rows or none, the checks of POST /api/v1/orders/import"
    );
    add_db(import_orders);
    std::string import_file;
    std::string import_tenant;
    import_orders->add_option("--file", import_file, "CSV file with a header row")->required();
    import_orders->add_option(
        "--tenant", import_tenant, "Company name (box mode: the only company)"
    );
    import_orders->callback([&] {
        auto db = OpenMigrated(db_url);
        auto application = app::BuildApp(*db, clock);
        const auto ctx = AdminContext(*db, ResolveTenant(*db, import_tenant));
        std::cout << OrFail(
                         analytics::ImportOrdersFile(*application->records, clock, ctx, import_file)
                     )
                         .dump()
                  << "\n";
    });

    // backup / restore
    auto* backup = app.add_subcommand("backup", "Write an online, consistent copy of the database");
    add_db(backup);
    std::string backup_to;
    backup->add_option("--to", backup_to, "Destination file")->required();
    backup->callback([&] {
        auto db = OrFail(storage::OpenDatabase(db_url));
        OrFail(db->Backup(backup_to));
        std::cout << "Backup written to " << backup_to << "\n";
    });
    auto* restore =
        app.add_subcommand("restore", "Replace a SQLite database with a backup (server stopped)");
    add_db(restore);
    std::string restore_from;
    bool restore_force = false;
    restore->add_option("--from", restore_from, "Backup file written by `voronka backup`")
        ->required()
        ->check(CLI::ExistingFile);
    restore->add_flag("--force", restore_force, "Overwrite an existing database");
    restore->callback([&] {
        if (db_url.starts_with("postgres")) {
            Fail(core::Error::Invalid(
                "For PostgreSQL use pg_restore with the dump written by `voronka backup`"
            ));
        }
        {
            // Check the backup opens and is a Voronka database before touching the target.
            auto check = OrFail(storage::OpenDatabase(restore_from));
            OrFail(check->Ping());
        }
        if (std::filesystem::exists(db_url) && !restore_force) {
            Fail(core::Error::Conflict("The database exists; pass --force to replace it"));
        }
        for (const char* suffix : {"-wal", "-shm"}) {
            std::filesystem::remove(db_url + suffix);
        }
        std::filesystem::copy_file(
            restore_from, db_url, std::filesystem::copy_options::overwrite_existing
        );
        OpenMigrated(db_url);
        std::cout << "Restored " << db_url << " from " << restore_from << "\n";
    });

    // openapi
    auto* openapi =
        app.add_subcommand("openapi", "Print the OpenAPI 3.1 document of the built-in entities");
    openapi->callback([&] {
        auto db = OrFail(storage::OpenDatabase(":memory:"));
        auto application = app::BuildApp(*db, clock);
        std::vector<std::shared_ptr<const records::EntityDef>> entities;
        for (const auto* e : application->registry.All()) {
            entities.push_back(std::make_shared<records::EntityDef>(*e));
        }
        std::cout << records::BuildOpenApi(application->router, entities).dump(2) << "\n";
    });

    analytics::RegisterAnalyticsCommands(app);
    // Recounts derived rows for data written around the record engine (bulk loads, repair).
    auto* rollups =
        app.get_subcommand("analytics")
            ->add_subcommand(
                "rebuild-rollups",
                "Recount the board and analytics roll-ups of every company from its records"
            );
    add_db(rollups);
    rollups->callback([&] {
        auto db = OpenMigrated(db_url);
        const auto tenants = [&] {
            const storage::SystemScope all_tenants;
            return OrFail(storage::ReadReturning<storage::Rows>(*db, [](storage::Connection& c) {
                return c.Query("SELECT id FROM tenants ORDER BY id");
            }));
        }();
        for (const auto& row : tenants.rows) {
            const int64_t tenant_id = storage::AsInt(row[0]);
            const storage::TenantScope tenant_scope(tenant_id);
            OrFail(db->Write([&](storage::Connection& tx) -> core::Status {
                VK_RETURN_IF_ERROR(sales::RebuildDealRollups(tx, tenant_id));
                VK_RETURN_IF_ERROR(analytics::RebuildPeriodRollups(tx, tenant_id));
                VK_RETURN_IF_ERROR(analytics::RebuildStageRollups(tx, tenant_id));
                return analytics::RebuildCustomerRollups(tx, tenant_id);
            }));
        }
        std::cout << "Recounted the roll-ups of " << tenants.rows.size() << " companies\n";
    });
    app::RegisterDuplicatesCommands(app, clock);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return 0;
}
