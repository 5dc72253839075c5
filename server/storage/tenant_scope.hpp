// Which tenant the current thread's transactions act for: the second guard behind the
// `tenant_id = $1` every repository query carries. The PostgreSQL driver hands it to the
// database per transaction (voronka.tenant_id, voronka.system) where row-level security policies
// check it; SQLite, embedded and single-process, relies on the repository filters alone.
//
// A thread-local guard rather than a tenant argument on Database::Write/Read: the HTTP router
// opens one around every handler from the authenticated context, so every query a request makes
// carries its tenant without threading it through each call, and code that never opened a scope
// (a new route, a forgotten path) gets an empty tenant: no rows on read, an error on write.
// Paths that must look across tenants before one is known (sign-in by email, token and session
// lookup, operator tenant administration, migrations, CLI tenant creation) open a SystemScope
// around exactly the statements that need it.
//
// Scopes nest and restore the outer one when they end. They follow the thread, so work handed to
// another thread must open its own scope there. The PostgreSQL driver applies the scope in force
// when each statement runs, so a scope may also be opened inside a transaction.
#pragma once

#include <cstdint>

namespace voronka::storage {

struct ScopeState {
    enum class Kind { kNone, kTenant, kSystem };
    Kind kind = Kind::kNone;
    int64_t tenant_id = 0;  // set for kTenant only

    friend bool operator==(const ScopeState&, const ScopeState&) = default;
};

// The scope in force on this thread (kNone when no guard is open).
ScopeState CurrentScope();

// Acts for one tenant until destroyed. A tenant_id <= 0 (public and operator requests) opens an
// empty scope: tenant-owned rows are neither visible nor writable.
class TenantScope {
public:
    explicit TenantScope(int64_t tenant_id);
    ~TenantScope();
    TenantScope(const TenantScope&) = delete;
    TenantScope& operator=(const TenantScope&) = delete;

private:
    ScopeState previous_;
};

// Sees and writes every tenant's rows until destroyed. Keep it around the few statements that
// need it; each use says why in a comment.
class SystemScope {
public:
    SystemScope();
    ~SystemScope();
    SystemScope(const SystemScope&) = delete;
    SystemScope& operator=(const SystemScope&) = delete;

private:
    ScopeState previous_;
};

}  // namespace voronka::storage
