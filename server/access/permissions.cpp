// Built-in role definitions; custom roles are stored per tenant and parsed into the same shape.
#include "access/permissions.hpp"

namespace voronka::access {

Scope EntityRights::For(Action action) const {
    switch (action) {
        case Action::kRead:
            return read;
        case Action::kCreate:
            return create;
        case Action::kEdit:
            return edit;
        case Action::kDelete:
            return remove;
    }
    return Scope::kNone;
}

const EntityRights& Permissions::For(std::string_view entity) const {
    auto it = entities.find(std::string(entity));
    return it == entities.end() ? default_rights : it->second;
}

namespace {

std::shared_ptr<const Permissions> Make(std::string role, Scope scope, bool admin, bool manager) {
    auto p = std::make_shared<Permissions>();
    p->role = std::move(role);
    p->default_rights = {scope, scope, scope, scope, {}, {}};
    p->manage_users = admin;
    p->manage_metadata = admin;
    p->view_audit = admin || manager;
    return p;
}

}  // namespace

std::shared_ptr<const Permissions> BuiltinRole(std::string_view role) {
    static const auto kAdmin = Make("admin", Scope::kAll, true, false);
    static const auto kManager = Make("manager", Scope::kAll, false, true);
    static const auto kUser = Make("user", Scope::kTeam, false, false);
    static const auto kNone = Make("none", Scope::kNone, false, false);
    if (role == "admin") {
        return kAdmin;
    }
    if (role == "manager") {
        return kManager;
    }
    if (role == "user") {
        return kUser;
    }
    return kNone;
}

bool IsBuiltinRole(std::string_view role) {
    return role == "admin" || role == "manager" || role == "user";
}

std::string_view ScopeName(Scope scope) {
    switch (scope) {
        case Scope::kNone:
            return "none";
        case Scope::kOwn:
            return "own";
        case Scope::kTeam:
            return "team";
        case Scope::kAll:
            return "all";
    }
    return "none";
}

}  // namespace voronka::access
