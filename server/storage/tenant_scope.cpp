// Thread-local tenant scope guards (see tenant_scope.hpp).
#include "storage/tenant_scope.hpp"

namespace voronka::storage {

namespace {

thread_local ScopeState tl_scope;

}  // namespace

ScopeState CurrentScope() { return tl_scope; }

TenantScope::TenantScope(int64_t tenant_id) : previous_(tl_scope) {
    tl_scope = tenant_id > 0 ? ScopeState{ScopeState::Kind::kTenant, tenant_id} : ScopeState{};
}

TenantScope::~TenantScope() { tl_scope = previous_; }

SystemScope::SystemScope() : previous_(tl_scope) {
    tl_scope = ScopeState{ScopeState::Kind::kSystem, 0};
}

SystemScope::~SystemScope() { tl_scope = previous_; }

}  // namespace voronka::storage
