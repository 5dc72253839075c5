// Internal to the sales domain: small helpers shared by the entities' write hooks and services.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "access/permissions.hpp"
#include "core/error.hpp"
#include "records/metadata.hpp"

namespace voronka::sales::internal {

using core::Json;

// The string value of `key` in an API body, or "" when absent or not a string.
inline std::string Str(const Json& body, std::string_view key) {
    auto it = body.find(key);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// True when `key` differs between the record before the write (nullptr on create) and after.
inline bool Changed(const Json* before, const Json& values, std::string_view key) {
    const Json empty;
    auto after_it = values.find(key);
    const Json& after = after_it == values.end() ? empty : *after_it;
    if (!before) {
        return !after.is_null();
    }
    auto before_it = before->find(key);
    const Json& old = before_it == before->end() ? empty : *before_it;
    return old != after;
}

inline bool IsTrue(const Json& body, std::string_view key) {
    auto it = body.find(key);
    return it != body.end() && it->is_boolean() && it->get<bool>();
}

// Configuration entities (pipelines, stages, distribution rules) need the metadata right.
inline core::Status RequireMetadataRights(
    const access::RequestContext& ctx, std::string_view what
) {
    if (!ctx.permissions || !ctx.permissions->manage_metadata) {
        return core::Error::Forbidden("Only administrators can change " + std::string(what));
    }
    return core::Ok();
}

// The tenant's default currency (ISO 4217), "RUB" when unset.
inline core::Result<std::string> TenantCurrency(storage::Connection& tx, int64_t tenant_id) {
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        tx.Query("SELECT default_currency FROM tenants WHERE id = $1", {tenant_id})
    );
    return rows.empty() ? std::string("RUB") : storage::AsText(rows.rows[0][0]);
}

// A percentage or quantity given as a JSON number, as an integer count of 10^-digits units.
// Fails (nullopt) for non-numbers and for values with more fraction digits than allowed.
std::optional<int64_t> ToFixed(const Json& value, int digits);

// Values that domain code (not the client) sets on read-only fields during one engine call,
// e.g. a lead's converted_contact_id during conversion. The leads hook applies them.
// Thread-local: the engine runs hooks synchronously on the thread that called it.
class ForcedValues {
public:
    ForcedValues(std::string entity, Json values);
    ~ForcedValues();
    ForcedValues(const ForcedValues&) = delete;
    ForcedValues& operator=(const ForcedValues&) = delete;

    // The values forced on `entity` for the current engine call, or nullptr.
    static const Json* Current(std::string_view entity);

private:
    std::string entity_;
    Json values_;
    const ForcedValues* previous_;
};

}  // namespace voronka::sales::internal
