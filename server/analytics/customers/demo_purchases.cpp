// Purchase history for the demo company, so the customer dashboards (RFM, cohorts, CLV, next
// best offer) have data: the orders of its won deals, which the demo writes in bulk past the
// hook that creates them, and repeat shop purchases by those customers.
#include <algorithm>
#include <random>

#include "analytics/customers/customer_analytics.hpp"
#include "analytics/customers/customers_internal.hpp"
#include "core/money.hpp"

namespace voronka::analytics {

Status AddDemoPurchases(
    records::RecordService& records,
    const RequestContext& ctx,
    int64_t now,
    int64_t& created,
    const DemoOrderWriter& write
) {
    storage::Database& db = records.db();
    storage::Rows deals;
    storage::Rows products;
    VK_RETURN_IF_ERROR(db.Read([&](Connection& c) -> Status {
        VK_ASSIGN_OR_RETURN(
            deals,
            c.Query(
                "SELECT d.id, d.contact_id, d.won_at, d.amount, d.currency FROM deals d "
                "WHERE d.tenant_id = $1 AND d.status = 'won' AND d.deleted_at IS NULL "
                "AND d.contact_id IS NOT NULL AND d.won_at IS NOT NULL AND NOT EXISTS (SELECT 1 "
                "FROM orders o WHERE o.tenant_id = d.tenant_id AND o.deal_id = d.id) "
                "ORDER BY d.won_at, d.id",
                {ctx.tenant_id}
            )
        );
        VK_ASSIGN_OR_RETURN(
            products,
            c.Query(
                "SELECT id FROM products WHERE tenant_id = $1 AND deleted_at IS NULL "
                "ORDER BY id LIMIT 40",
                {ctx.tenant_id}
            )
        );
        return core::Ok();
    }));
    // Deterministic for the data: seeded by the number of won deals.
    std::mt19937_64 rng(deals.size());
    auto pick = [&](int64_t n) { return static_cast<int64_t>(rng() % static_cast<uint64_t>(n)); };
    constexpr int64_t kDay = 86'400'000'000;
    constexpr size_t kPerTransaction = 5000;
    for (size_t at = 0; at < deals.size(); at += kPerTransaction) {
        const size_t end = std::min(deals.size(), at + kPerTransaction);
        // Decided before the write: the write function may run more than once.
        std::vector<std::vector<Json>> repeats(end - at);
        for (size_t i = at; i < end; ++i) {
            const auto& d = deals.rows[i];
            const std::string currency = storage::AsText(d[4]);
            const int64_t won_at = storage::AsInt(d[2]);
            // Most buyers come back: 0-6 shop purchases spread over the months after the deal.
            const int64_t count = products.empty() ? 0 : pick(7);
            for (int64_t k = 0; k < count; ++k) {
                const int64_t when = won_at + (1 + pick(300)) * kDay + pick(kDay);
                if (when >= now) {
                    continue;
                }
                Json lines = Json::array();
                // Neighbouring products are bought together, so co-purchase patterns exist.
                const int64_t first = pick(static_cast<int64_t>(products.size()));
                for (int64_t l = 0, n = 1 + pick(3); l < n; ++l) {
                    const auto& p = products.rows[static_cast<size_t>(
                        (first + l) % static_cast<int64_t>(products.size())
                    )];
                    lines.push_back(
                        {{"product_id", storage::AsText(p[0])},
                         {"quantity", 1 + pick(3)},
                         {"price", core::FormatAmount((5 + pick(200)) * 1000, currency)}}
                    );
                }
                repeats[i - at].push_back(
                    {{"contact_id", storage::AsText(d[1])},
                     {"ordered_at", core::FormatTimestamp(when)},
                     {"currency", currency},
                     {"channel", pick(2) ? "shop" : "web"},
                     {"status", "completed"},
                     {"lines", std::move(lines)}}
                );
            }
        }
        int64_t written = 0;
        VK_RETURN_IF_ERROR(db.Write([&](Connection& tx) -> Status {
            std::vector<Json> orders;
            for (size_t i = at; i < end; ++i) {
                const auto& d = deals.rows[i];
                const std::string currency = storage::AsText(d[4]);
                const Json deal = {
                    {"id", storage::AsText(d[0])},
                    {"contact_id", storage::AsText(d[1])},
                    {"won_at", core::FormatTimestamp(storage::AsInt(d[2]))},
                    {"amount",
                     storage::IsNull(d[3])
                         ? Json(nullptr)
                         : Json(core::FormatAmount(storage::AsInt(d[3]), currency))},
                    {"currency", currency}};
                VK_ASSIGN_OR_RETURN(
                    Json order, customers_internal::OrderFromDeal(tx, ctx.tenant_id, deal, now)
                );
                orders.push_back(std::move(order));
                orders.insert(orders.end(), repeats[i - at].begin(), repeats[i - at].end());
            }
            written = static_cast<int64_t>(orders.size());
            return write(tx, std::move(orders));
        }));
        created += written;
    }
    return db.Write([&](Connection& tx) -> Status {
        VK_RETURN_IF_ERROR(customers_internal::RebuildCustomerMetrics(tx, ctx.tenant_id, now));
        VK_RETURN_IF_ERROR(customers_internal::RebuildCoPurchases(tx, ctx.tenant_id));
        return customers_internal::RebuildCustomerMonths(tx, ctx.tenant_id);
    });
}

}  // namespace voronka::analytics
