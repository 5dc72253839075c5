// Internal to analytics/customers: the orders entity, metrics upkeep and shared helpers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "core/clock.hpp"
#include "records/record_service.hpp"

namespace voronka::analytics::customers_internal {

using core::Json;
using core::Result;
using core::Status;
using storage::Connection;

inline constexpr int64_t kMicrosPerDay = 86'400'000'000;

// Day number (days since 1970-01-01, UTC) of a timestamp in microseconds.
inline int32_t DayOf(int64_t micros) {
    return static_cast<int32_t>(
        micros >= 0 ? micros / kMicrosPerDay : -((-micros + kMicrosPerDay - 1) / kMicrosPerDay)
    );
}

records::EntityDef OrderEntity(const core::Clock& clock);

// The tenant's default currency ("RUB" when unset).
Result<std::string> MainCurrency(Connection& tx, int64_t tenant_id);

// Recomputes one contact's metrics row from its orders and scores it against the tenant's other
// customers; removes the row when the contact has no completed order.
Status RefreshCustomerMetrics(
    Connection& tx, int64_t tenant_id, const std::string& contact_id, int64_t now_micros
);

// Rebuilds every metrics row of the tenant and scores all customers together.
Status RebuildCustomerMetrics(Connection& tx, int64_t tenant_id, int64_t now_micros);

// Each live contact's id and owner ('' for none), $1 the tenant; append " AND id IN (...)" to
// narrow it to some contacts.
inline constexpr const char* kLiveContactOwners =
    "SELECT id, COALESCE(owner_id, '') FROM contacts WHERE tenant_id = $1 AND deleted_at IS NULL";

// Runs `sql_head` (ending where the id list starts: "... AND id IN (") over ids in batches, with
// the `fixed` parameters before each batch's ids.
Status ForIdBatches(
    Connection& tx,
    const std::string& sql_head,
    std::vector<storage::Value> fixed,
    const std::vector<const std::string*>& ids
);

// Every live completed order of every live contact, one customer at a time in (contact, time)
// order: `each` gets the customer's rows of (contact_id, ordered_at, currency, amount). One pass
// over the covering index orders_customer_metrics, read in chunks of whole customers; reading the
// index in order instead of joining each order to its contact or hashing customers is what keeps
// a million customers within seconds.
using OrderRow = std::vector<storage::Value>;
using CustomerOrders =
    std::function<Status(const std::string& contact_id, std::span<const OrderRow> orders)>;
Status ForEachCustomersOrders(Connection& tx, int64_t tenant_id, const CustomerOrders& each);

// Co-purchase counts for the next best offer (migration 0013, co_purchases.cpp).
// Recounts one customer's products from its live completed orders and moves the pair counts by
// what entered or left its products. Run after every write that changes its orders.
Status RefreshCustomerProducts(Connection& tx, int64_t tenant_id, const std::string& contact_id);

// Recounts every customer's products and every pair of the tenant (bulk loads, repair).
Status RebuildCoPurchases(Connection& tx, int64_t tenant_id);

// A product offered next: key ("id:..." or "sku:..."), its label, the summed cosine score.
struct Offer {
    std::string key;
    Json product_id;
    Json sku;
    std::string name;
    double score = 0;
};

// The `limit` best products a customer has not bought, by the sum over its products i of
// c_ij / sqrt(n_i * n_j) (customers who bought both, and each); best first, ties by key. Empty
// for a customer without products. Reads the customer's rows and their pairs, never the orders.
Result<std::vector<Offer>> NextBestOffers(
    Connection& c, int64_t tenant_id, const std::string& contact_id, size_t limit
);

// While alive on this thread, order writes skip the per-order metrics refresh (a bulk import
// rebuilds once at the end). The engine runs hooks synchronously on the calling thread.
class BulkOrderWrites {
public:
    BulkOrderWrites();
    ~BulkOrderWrites();
    BulkOrderWrites(const BulkOrderWrites&) = delete;
    BulkOrderWrites& operator=(const BulkOrderWrites&) = delete;

    static bool Active();

private:
    bool previous_;
};

// The order a won deal (API form: id, contact_id, won_at, amount, currency) becomes: its
// contact, its lines (totals after discount and tax, the difference to price x quantity kept as
// the line's adjustment) or else its amount.
Result<Json> OrderFromDeal(Connection& tx, int64_t tenant_id, const Json& deal, int64_t now);

// "" for all, else an AND-able condition limiting `alias`.owner_id to the contacts the caller
// may read. kForbidden when the role reads no contacts.
Result<std::string> ContactScope(
    const access::RequestContext& ctx, std::vector<storage::Value>& params, const std::string& alias
);

// True when the caller reads every contact of the tenant (admin, manager).
bool ReadsAllContacts(const access::RequestContext& ctx);

// Changes to rfm_segment_rollups (migration 0016): per (owner, segment, currency) the customers
// and revenue to add; currency "" counts customers.
using RfmRollupDelta =
    std::map<std::tuple<std::string, std::string, std::string>, std::pair<int64_t, int64_t>>;

// Adds `sign` times a customer owned by `owner` with a metrics row's segment and revenue JSON.
void AddRfmCustomer(
    RfmRollupDelta& delta,
    const std::string& owner,
    const std::string& segment,
    const std::string& revenue,
    int64_t sign
);

Status WriteRfmDelta(Connection& tx, int64_t tenant_id, const RfmRollupDelta& delta);

// Moves a contact's metrics and CLV rows between its owners' roll-up rows: an owner change, a
// delete (to nullopt) or a restore (from nullopt). Owners are "" for none.
Status MoveCustomerRollups(
    Connection& tx,
    int64_t tenant_id,
    const std::string& contact_id,
    const std::optional<std::string>& from_owner,
    const std::optional<std::string>& to_owner
);

// Recounts the tenant's rfm_segment_rollups from customer_metrics (repair).
Status RebuildRfmRollups(Connection& tx, int64_t tenant_id);

// Recounts the tenant's clv_owner_rollups from clv_customers (after a refit).
Status RebuildClvRollups(Connection& tx, int64_t tenant_id);

// Recounts one customer's customer_months (migration 0017) from its live completed orders and
// moves it between cohort_rollups rows. Run after every write that changes its orders.
Status RefreshCustomerMonths(Connection& tx, int64_t tenant_id, const std::string& contact_id);

// Recounts the tenant's customer_months and cohort_rollups (bulk loads, repair).
Status RebuildCustomerMonths(Connection& tx, int64_t tenant_id);

}  // namespace voronka::analytics::customers_internal
