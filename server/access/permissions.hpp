// What a role may do: per-entity rights with a scope, per-field hidden/read-only.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

namespace voronka::access {

enum class Scope { kNone, kOwn, kTeam, kAll };

enum class Action { kRead, kCreate, kEdit, kDelete };

struct EntityRights {
    Scope read = Scope::kNone;
    Scope create = Scope::kNone;
    Scope edit = Scope::kNone;
    Scope remove = Scope::kNone;
    std::set<std::string> hidden_fields;
    std::set<std::string> read_only_fields;

    Scope For(Action action) const;
};

struct Permissions {
    std::string role;
    EntityRights default_rights;                   // for entities not listed
    std::map<std::string, EntityRights> entities;  // by entity name
    bool manage_users = false;                     // users, teams, roles, tokens of others
    bool manage_metadata = false;                  // custom fields, pipelines
    bool view_audit = false;

    const EntityRights& For(std::string_view entity) const;
};

// Built-in roles: admin (everything), manager (all records, no user/field management),
// user (own and team records). Unknown names get no rights.
std::shared_ptr<const Permissions> BuiltinRole(std::string_view role);

bool IsBuiltinRole(std::string_view role);

std::string_view ScopeName(Scope scope);

}  // namespace voronka::access
