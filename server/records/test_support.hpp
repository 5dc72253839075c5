// Test helpers for suites that use the record engine: a registry, a tenant with users, contexts.
#pragma once

#include "access/permissions.hpp"
#include "core/id.hpp"
#include "records/record_service.hpp"
#include "storage/backend_fixture.hpp"

namespace voronka::records::testing {

// A fresh tenant with an admin, and helpers to add users of other roles and teams.
struct TestTenant {
    int64_t id = 0;
    access::RequestContext admin;

    static TestTenant Create(storage::Database& db, std::string_view name) {
        TestTenant t;
        auto created = storage::WriteReturning<int64_t>(db, [&](storage::Connection& tx) -> core::Result<int64_t> {
            VK_ASSIGN_OR_RETURN(
                storage::Rows rows,
                tx.Query("INSERT INTO tenants (name, created_at) VALUES ($1, 0) RETURNING id", {std::string(name)})
            );
            return storage::AsInt(rows.rows[0][0]);
        });
        EXPECT_TRUE(created);
        t.id = created ? *created : 0;
        t.admin = t.AddUser(db, "admin", "");
        return t;
    }

    std::string AddTeam(storage::Database& db) const {
        const std::string team = core::NewId();
        EXPECT_TRUE(db.Write([&](storage::Connection& tx) -> core::Status {
            auto r = tx.Execute(
                "INSERT INTO teams (tenant_id, id, name, created_at) VALUES ($1, $2, 'Team', 0)",
                {id, team}
            );
            return r ? core::Ok() : core::Status(std::move(r).error());
        }));
        return team;
    }

    access::RequestContext AddUser(storage::Database& db, const std::string& role, const std::string& team) const {
        access::RequestContext ctx;
        ctx.tenant_id = id;
        ctx.user_id = core::NewId();
        ctx.role = role;
        ctx.team_id = team;
        ctx.permissions = access::BuiltinRole(role);
        EXPECT_TRUE(db.Write([&](storage::Connection& tx) -> core::Status {
            auto r = tx.Execute(
                "INSERT INTO users (tenant_id, id, email, password_hash, role, team_id, created_at, "
                "updated_at) VALUES ($1, $2, $3, 'x', $4, $5, 0, 0)",
                {id, ctx.user_id, ctx.user_id + "@test.example", role,
                 team.empty() ? storage::Value(nullptr) : storage::Value(team)}
            );
            return r ? core::Ok() : core::Status(std::move(r).error());
        }));
        return ctx;
    }
};

}  // namespace voronka::records::testing
