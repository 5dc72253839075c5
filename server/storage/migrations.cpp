// Migration runner shared by both drivers; the bookkeeping table is the same in both dialects.
#include "storage/migrations.hpp"

#include "storage/tenant_scope.hpp"

namespace voronka::storage {

const std::vector<Migration>& MigrationsFor(Dialect dialect) {
    return dialect == Dialect::kSqlite ? Embedded_sqlite() : Embedded_postgres();
}

Status ApplyMigrations(Database& db) {
    // Schema changes and data fixes span every tenant.
    const SystemScope all_tenants;
    VK_RETURN_IF_ERROR(db.Write([](Connection& c) -> Status {
        return c.ExecuteScript(
            "CREATE TABLE IF NOT EXISTS schema_migrations (number BIGINT PRIMARY KEY, name TEXT "
            "NOT "
            "NULL, applied_at BIGINT NOT NULL)"
        );
    }));
    for (const Migration& m : MigrationsFor(db.dialect())) {
        VK_RETURN_IF_ERROR(db.Write([&](Connection& c) -> Status {
            VK_ASSIGN_OR_RETURN(
                Rows done,
                c.Query("SELECT 1 FROM schema_migrations WHERE number = $1", {int64_t{m.number}})
            );
            if (!done.empty()) {
                return core::Ok();
            }
            VK_RETURN_IF_ERROR(c.ExecuteScript(m.sql));
            return c.Execute(
                        "INSERT INTO schema_migrations (number, name, applied_at) VALUES ($1, $2, "
                        "$3)",
                        {int64_t{m.number}, m.name, int64_t{0}}
                   ).has_value()
                       ? core::Ok()
                       : Status(core::Error::Internal("recording migration " + m.name + " failed"));
        }));
    }
    return core::Ok();
}

}  // namespace voronka::storage
