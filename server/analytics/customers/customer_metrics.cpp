// customer_metrics upkeep: one contact after each order write, or the whole tenant at once.
#include <algorithm>
#include <map>
#include <set>
#include <span>
#include <unordered_map>

#include "access/permissions.hpp"
#include "analytics/customers/customers_internal.hpp"
#include "analytics/date_format.hpp"
#include "analytics/rfm_score.hpp"
#include "core/money.hpp"
#include "storage/batch_insert.hpp"
#include "storage/dialect.hpp"

namespace voronka::analytics::customers_internal {

using core::Error;

namespace {

constexpr int64_t kYearMicros = 365 * kMicrosPerDay;

struct Totals {
    int64_t first_at = 0;
    int64_t last_at = 0;
    int64_t orders = 0;
    int64_t orders_last_year = 0;
    std::set<int32_t> days;
    std::map<std::string, int64_t> revenue;  // currency -> minor units
};

// First and last order time, order count and the orders of the last year (before `now`).
void CountOrderAt(Totals& t, int64_t at, int64_t now) {
    if (t.orders == 0 || at < t.first_at) {
        t.first_at = at;
    }
    if (t.orders == 0 || at > t.last_at) {
        t.last_at = at;
    }
    ++t.orders;
    if (at > now - kYearMicros && at <= now) {
        ++t.orders_last_year;
    }
}

Status Add(Totals& t, int64_t at, int64_t amount, const std::string& currency, int64_t now) {
    CountOrderAt(t, at, now);
    t.days.insert(DayOf(at));
    VK_ASSIGN_OR_RETURN(t.revenue[currency], core::AddMinor(t.revenue[currency], amount));
    return core::Ok();
}

std::string RevenueJson(const Totals& t) {
    Json out = Json::object();
    for (const auto& [currency, minor] : t.revenue) {
        out[currency] = minor;
    }
    return out.dump();
}

int64_t Monetary(const Totals& t, const std::string& main) {
    auto it = t.revenue.find(main);
    return it == t.revenue.end() ? 0 : it->second;
}

constexpr const char* kCompletedOrders =
    "SELECT o.contact_id, o.ordered_at, o.amount, o.currency FROM orders o "
    "JOIN contacts c ON c.tenant_id = o.tenant_id AND c.id = o.contact_id AND c.deleted_at IS NULL "
    "WHERE o.tenant_id = $1 AND o.deleted_at IS NULL AND o.status = 'completed' "
    "AND o.ordered_at IS NOT NULL AND o.amount IS NOT NULL";

Status Upsert(
    Connection& tx,
    int64_t tenant_id,
    const std::string& contact_id,
    const Totals& t,
    int64_t monetary,
    int r,
    int f,
    int m,
    int64_t now
) {
    const std::string segment(RfmSegmentName(RfmSegmentFor(r, f, m)));
    VK_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO customer_metrics (tenant_id, contact_id, first_order_at, last_order_at, "
        "last_order_day, orders_count, purchase_days, orders_last_year, revenue, monetary_minor, "
        "r_score, f_score, m_score, segment, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
        "ON CONFLICT (tenant_id, contact_id) DO UPDATE SET first_order_at = "
        "excluded.first_order_at, "
        "last_order_at = excluded.last_order_at, last_order_day = excluded.last_order_day, "
        "orders_count = excluded.orders_count, purchase_days = excluded.purchase_days, "
        "orders_last_year = excluded.orders_last_year, revenue = excluded.revenue, "
        "monetary_minor = excluded.monetary_minor, r_score = excluded.r_score, "
        "f_score = excluded.f_score, m_score = excluded.m_score, segment = excluded.segment, "
        "updated_at = excluded.updated_at",
        {tenant_id,
         contact_id,
         t.first_at,
         t.last_at,
         int64_t{DayOf(t.last_at)},
         t.orders,
         static_cast<int64_t>(t.days.size()),
         t.orders_last_year,
         RevenueJson(t),
         monetary,
         int64_t{r},
         int64_t{f},
         int64_t{m},
         segment,
         now}
    ));
    auto set = tx.Execute(
        "UPDATE contacts SET rfm_segment = $3 WHERE tenant_id = $1 AND id = $2",
        {tenant_id, contact_id, segment}
    );
    return set ? core::Ok() : Status(std::move(set).error());
}

// The quintile score rfm_score.cpp gives a value among n: 1 + floor(5 * midrank / n), midrank
// being the middle of its tie group counted from the worst.
int Quintile(int64_t worse, int64_t ties, int64_t n) {
    const double midrank = static_cast<double>(worse) + static_cast<double>(ties - 1) / 2.0;
    return std::min(5, 1 + static_cast<int>(5.0 * midrank / static_cast<double>(n)));
}

}  // namespace

Result<std::string> MainCurrency(Connection& tx, int64_t tenant_id) {
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        tx.Query("SELECT default_currency FROM tenants WHERE id = $1", {tenant_id})
    );
    return rows.empty() ? std::string("RUB") : storage::AsText(rows.rows[0][0]);
}

Status RefreshCustomerMetrics(
    Connection& tx, int64_t tenant_id, const std::string& contact_id, int64_t now
) {
    // The customer leaves its roll-up row (if it counted: a live contact) and enters its new one.
    RfmRollupDelta delta;
    VK_ASSIGN_OR_RETURN(
        storage::Rows before,
        tx.Query(
            "SELECT m.segment, m.revenue, COALESCE(c.owner_id, '') FROM customer_metrics m "
            "JOIN contacts c ON c.tenant_id = m.tenant_id AND c.id = m.contact_id AND "
            "c.deleted_at IS NULL WHERE m.tenant_id = $1 AND m.contact_id = $2",
            {tenant_id, contact_id}
        )
    );
    for (const auto& r : before.rows) {
        AddRfmCustomer(
            delta, storage::AsText(r[2]), storage::AsText(r[0]), storage::AsText(r[1]), -1
        );
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        tx.Query(std::string(kCompletedOrders) + " AND o.contact_id = $2", {tenant_id, contact_id})
    );
    if (rows.empty()) {
        VK_RETURN_IF_ERROR(tx.Execute(
            "DELETE FROM customer_metrics WHERE tenant_id = $1 AND contact_id = $2",
            {tenant_id, contact_id}
        ));
        VK_RETURN_IF_ERROR(WriteRfmDelta(tx, tenant_id, delta));
        auto cleared = tx.Execute(
            "UPDATE contacts SET rfm_segment = NULL WHERE tenant_id = $1 AND id = $2",
            {tenant_id, contact_id}
        );
        return cleared ? core::Ok() : Status(std::move(cleared).error());
    }
    Totals t;
    for (const auto& r : rows.rows) {
        VK_RETURN_IF_ERROR(
            Add(t, storage::AsInt(r[1]), storage::AsInt(r[2]), storage::AsText(r[3]), now)
        );
    }
    VK_ASSIGN_OR_RETURN(std::string main, MainCurrency(tx, tenant_id));
    const int64_t monetary = Monetary(t, main);
    const int64_t last_day = DayOf(t.last_at);
    const auto days = static_cast<int64_t>(t.days.size());
    // Counts against the other customers as stored, plus this one with its new values.
    VK_ASSIGN_OR_RETURN(
        storage::Rows counts,
        tx.Query(
            "SELECT COUNT(*), "
            "COALESCE(SUM(CASE WHEN last_order_day < $3 THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN last_order_day = $3 THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN purchase_days < $4 THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN purchase_days = $4 THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN monetary_minor < $5 THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN monetary_minor = $5 THEN 1 ELSE 0 END), 0) "
            "FROM customer_metrics WHERE tenant_id = $1 AND contact_id <> $2",
            {tenant_id, contact_id, last_day, days, monetary}
        )
    );
    const auto& c = counts.rows[0];
    const int64_t n = storage::AsInt(c[0]) + 1;
    const int r = Quintile(storage::AsInt(c[1]), storage::AsInt(c[2]) + 1, n);
    const int f = Quintile(storage::AsInt(c[3]), storage::AsInt(c[4]) + 1, n);
    const int m = Quintile(storage::AsInt(c[5]), storage::AsInt(c[6]) + 1, n);
    VK_ASSIGN_OR_RETURN(
        storage::Rows owner,
        tx.Query(
            "SELECT COALESCE(owner_id, '') FROM contacts WHERE tenant_id = $1 AND id = $2",
            {tenant_id, contact_id}
        )
    );
    for (const auto& o : owner.rows) {
        AddRfmCustomer(
            delta,
            storage::AsText(o[0]),
            std::string(RfmSegmentName(RfmSegmentFor(r, f, m))),
            RevenueJson(t),
            1
        );
    }
    VK_RETURN_IF_ERROR(WriteRfmDelta(tx, tenant_id, delta));
    return Upsert(tx, tenant_id, contact_id, t, monetary, r, f, m, now);
}

namespace {

// Rows per multi-row statement in the rebuild: 15 parameters a row stays far below both
// databases' parameter limits, and one statement per batch instead of per customer.
constexpr size_t kBatch = 500;

// What a customer_metrics row holds, minus updated_at (which records when these last changed).
struct Stored {
    int64_t first_at = 0;
    int64_t last_at = 0;
    int64_t orders = 0;
    int64_t days = 0;
    int64_t orders_last_year = 0;
    std::string revenue;
    int64_t monetary = 0;
    int64_t r = 0;
    int64_t f = 0;
    int64_t m = 0;
    std::string segment;

    bool operator==(const Stored&) const = default;
};

Status UpsertBatch(
    Connection& tx,
    int64_t tenant_id,
    const std::vector<std::pair<const std::string*, Stored>>& rows,
    int64_t now
) {
    for (size_t at = 0; at < rows.size(); at += kBatch) {
        const size_t n = std::min(kBatch, rows.size() - at);
        std::string sql =
            "INSERT INTO customer_metrics (tenant_id, contact_id, first_order_at, last_order_at, "
            "last_order_day, orders_count, purchase_days, orders_last_year, revenue, "
            "monetary_minor, r_score, f_score, m_score, segment, updated_at) VALUES ";
        std::vector<storage::Value> params;
        params.reserve(n * 15);
        for (size_t i = 0; i < n; ++i) {
            const auto& [contact_id, v] = rows[at + i];
            sql += (i ? ", (" : "(") + storage::Placeholders(params.size() + 1, 15) + ")";
            params.insert(
                params.end(),
                {tenant_id,
                 *contact_id,
                 v.first_at,
                 v.last_at,
                 int64_t{DayOf(v.last_at)},
                 v.orders,
                 v.days,
                 v.orders_last_year,
                 v.revenue,
                 v.monetary,
                 v.r,
                 v.f,
                 v.m,
                 v.segment,
                 now}
            );
        }
        sql +=
            " ON CONFLICT (tenant_id, contact_id) DO UPDATE SET first_order_at = "
            "excluded.first_order_at, last_order_at = excluded.last_order_at, last_order_day = "
            "excluded.last_order_day, orders_count = excluded.orders_count, purchase_days = "
            "excluded.purchase_days, orders_last_year = excluded.orders_last_year, revenue = "
            "excluded.revenue, monetary_minor = excluded.monetary_minor, r_score = "
            "excluded.r_score, f_score = excluded.f_score, m_score = excluded.m_score, segment = "
            "excluded.segment, updated_at = excluded.updated_at";
        VK_RETURN_IF_ERROR(tx.Execute(sql, params));
    }
    return core::Ok();
}

}  // namespace

Status ForIdBatches(
    Connection& tx,
    const std::string& sql_head,
    std::vector<storage::Value> fixed,
    const std::vector<const std::string*>& ids
) {
    for (size_t at = 0; at < ids.size(); at += kBatch) {
        const size_t n = std::min(kBatch, ids.size() - at);
        std::vector<storage::Value> params = fixed;
        for (size_t i = 0; i < n; ++i) {
            params.emplace_back(*ids[at + i]);
        }
        VK_RETURN_IF_ERROR(
            tx.Execute(sql_head + storage::Placeholders(fixed.size() + 1, n) + ")", params)
        );
    }
    return core::Ok();
}

// Orders read per chunk in the recount: large enough that the index seek per chunk does not
// matter, small enough that one chunk's rows stay a few tens of megabytes.
constexpr int64_t kOrdersPerChunk = 200'000;

Status ForEachCustomersOrders(Connection& tx, int64_t tenant_id, const CustomerOrders& each) {
    VK_ASSIGN_OR_RETURN(
        storage::Rows deleted,
        tx.Query(
            "SELECT id FROM contacts WHERE tenant_id = $1 AND deleted_at IS NOT NULL", {tenant_id}
        )
    );
    std::set<std::string> gone;
    for (const auto& r : deleted.rows) {
        gone.insert(storage::AsText(r[0]));
    }
    std::string after;  // resume at this customer (read again from its first order)
    int64_t chunk = kOrdersPerChunk;
    for (;;) {
        VK_ASSIGN_OR_RETURN(
            storage::Rows rows,
            tx.Query(
                "SELECT contact_id, ordered_at, currency, amount FROM orders WHERE tenant_id = $1 "
                "AND deleted_at IS NULL AND status = 'completed' AND contact_id >= $2 AND "
                "ordered_at IS NOT NULL AND amount IS NOT NULL ORDER BY contact_id, ordered_at "
                "LIMIT $3",
                {tenant_id, after, chunk}
            )
        );
        const bool last_chunk = static_cast<int64_t>(rows.size()) < chunk;
        // The chunk's last customer may go on in the next chunk: it is passed on there.
        const std::string cut = last_chunk ? std::string() : storage::AsText(rows.rows.back()[0]);
        if (!last_chunk && cut == after) {
            chunk *= 2;  // one customer fills the chunk: read more at once
            continue;
        }
        const std::span<const OrderRow> all(rows.rows);
        size_t begin = 0;
        while (begin < all.size()) {
            const std::string& contact_id = std::get<std::string>(all[begin][0]);
            if (!last_chunk && contact_id == cut) {
                break;  // the cut customer's orders end the chunk
            }
            size_t end = begin + 1;
            while (end < all.size() && std::get<std::string>(all[end][0]) == contact_id) {
                ++end;
            }
            if (!gone.contains(contact_id)) {
                VK_RETURN_IF_ERROR(each(contact_id, all.subspan(begin, end - begin)));
            }
            begin = end;
        }
        if (last_chunk) {
            return core::Ok();
        }
        after = cut;
    }
}

namespace {

// Every live completed order of live contacts, summed per customer (ForEachCustomersOrders).
// One customer's totals as the recount gathers them. Its orders come in time order, so equal
// days are neighbours and distinct days are counted without a set.
struct CustomerTotals {
    std::string contact_id;
    Totals totals;  // totals.days stays empty: see days
    int64_t days = 0;
    int32_t last_day = 0;
};

Result<std::vector<CustomerTotals>> TotalsPerCustomer(
    Connection& tx, int64_t tenant_id, int64_t now
) {
    std::vector<CustomerTotals> out;
    VK_RETURN_IF_ERROR(ForEachCustomersOrders(
        tx,
        tenant_id,
        [&](const std::string& contact_id, std::span<const OrderRow> orders) -> Status {
            CustomerTotals& c = out.emplace_back(CustomerTotals{contact_id, {}, 0, 0});
            Totals& t = c.totals;
            for (const OrderRow& r : orders) {
                const int64_t at = storage::AsInt(r[1]);
                CountOrderAt(t, at, now);
                const int32_t day = DayOf(at);
                if (c.days == 0 || day != c.last_day) {
                    ++c.days;
                    c.last_day = day;
                }
                const std::string currency = storage::IsNull(r[2]) ? "" : storage::AsText(r[2]);
                VK_ASSIGN_OR_RETURN(
                    t.revenue[currency], core::AddMinor(t.revenue[currency], storage::AsInt(r[3]))
                );
            }
            return core::Ok();
        }
    ));
    return out;
}

// Moves the rescored customers between rfm_segment_rollups rows: the changed ones leave their
// old row and enter their new one, the gone ones leave theirs. Only live contacts count.
Status MoveRfmRollups(
    Connection& tx,
    int64_t tenant_id,
    const std::unordered_map<std::string, Stored>& old,
    const std::vector<std::pair<const std::string*, Stored>>& changed,
    const std::vector<const std::string*>& gone
) {
    if (changed.empty() && gone.empty()) {
        return core::Ok();
    }
    std::unordered_map<std::string, std::string> owners;
    auto add_owners = [&](const storage::Rows& rows) {
        for (const auto& r : rows.rows) {
            owners.emplace(storage::AsText(r[0]), storage::AsText(r[1]));
        }
    };
    if (changed.size() + gone.size() > 50 * kBatch) {
        // Most customers changed (the first scoring): one pass over the contacts.
        VK_ASSIGN_OR_RETURN(storage::Rows rows, tx.Query(kLiveContactOwners, {tenant_id}));
        add_owners(rows);
    } else {
        std::vector<const std::string*> ids;
        for (const auto& [id, v] : changed) {
            ids.push_back(id);
        }
        ids.insert(ids.end(), gone.begin(), gone.end());
        for (size_t at = 0; at < ids.size(); at += kBatch) {
            const size_t n = std::min(kBatch, ids.size() - at);
            std::vector<storage::Value> params{tenant_id};
            for (size_t i = 0; i < n; ++i) {
                params.emplace_back(*ids[at + i]);
            }
            VK_ASSIGN_OR_RETURN(
                storage::Rows rows,
                tx.Query(
                    std::string(kLiveContactOwners) + " AND id IN (" + storage::Placeholders(2, n) +
                        ")",
                    params
                )
            );
            add_owners(rows);
        }
    }
    RfmRollupDelta delta;
    auto leave = [&](const std::string& id) {
        auto it = old.find(id);
        auto owner = owners.find(id);
        if (it != old.end() && owner != owners.end()) {
            AddRfmCustomer(delta, owner->second, it->second.segment, it->second.revenue, -1);
        }
    };
    for (const auto& [id, v] : changed) {
        leave(*id);
        auto owner = owners.find(*id);
        if (owner != owners.end()) {
            AddRfmCustomer(delta, owner->second, v.segment, v.revenue, 1);
        }
    }
    for (const std::string* id : gone) {
        leave(*id);
    }
    return WriteRfmDelta(tx, tenant_id, delta);
}

}  // namespace

// Only rows whose figures or scores changed are written, so a recompute after a few new orders
// writes little.
Status RebuildCustomerMetrics(Connection& tx, int64_t tenant_id, int64_t now) {
    VK_ASSIGN_OR_RETURN(std::vector<CustomerTotals> totals, TotalsPerCustomer(tx, tenant_id, now));
    VK_ASSIGN_OR_RETURN(std::string main, MainCurrency(tx, tenant_id));
    std::unordered_map<std::string, Stored> fresh;
    fresh.reserve(totals.size());
    std::vector<RfmInput> inputs;
    inputs.reserve(totals.size());
    std::vector<Stored*> scored;  // scored[i] takes the scores of inputs[i]
    scored.reserve(totals.size());
    for (const CustomerTotals& c : totals) {
        const Totals& t = c.totals;
        Stored& v = fresh[c.contact_id];
        v.first_at = t.first_at;
        v.last_at = t.last_at;
        v.orders = t.orders;
        v.days = c.days;
        v.orders_last_year = t.orders_last_year;
        v.revenue = RevenueJson(t);
        v.monetary = Monetary(t, main);
        // Recency ranks by the last order day, which orders customers as days-since-last does.
        inputs.push_back(
            {c.contact_id,
             -static_cast<double>(DayOf(v.last_at)),
             v.days,
             static_cast<double>(v.monetary)}
        );
        scored.push_back(&v);
    }
    const std::vector<RfmScore> scores = ScoreRfm(inputs);
    for (size_t i = 0; i < scores.size(); ++i) {
        Stored& v = *scored[i];
        v.r = scores[i].recency_score;
        v.f = scores[i].frequency_score;
        v.m = scores[i].monetary_score;
        v.segment = std::string(RfmSegmentName(scores[i].segment));
    }

    VK_ASSIGN_OR_RETURN(
        storage::Rows stored,
        tx.Query(
            "SELECT contact_id, first_order_at, last_order_at, orders_count, purchase_days, "
            "orders_last_year, revenue, monetary_minor, r_score, f_score, m_score, segment FROM "
            "customer_metrics WHERE tenant_id = $1",
            {tenant_id}
        )
    );
    std::unordered_map<std::string, Stored> old;
    old.reserve(stored.size());
    for (const auto& r : stored.rows) {
        old[storage::AsText(r[0])] = Stored{
            storage::AsInt(r[1]),
            storage::AsInt(r[2]),
            storage::AsInt(r[3]),
            storage::AsInt(r[4]),
            storage::AsInt(r[5]),
            storage::AsText(r[6]),
            storage::AsInt(r[7]),
            storage::AsInt(r[8]),
            storage::AsInt(r[9]),
            storage::AsInt(r[10]),
            storage::AsText(r[11])};
    }
    // Writes go in key order: rows then land on neighbouring b-tree pages instead of random
    // ones, which at a million customers is the difference between seconds and minutes.
    auto by_id = [](const std::string* a, const std::string* b) { return *a < *b; };
    std::vector<std::pair<const std::string*, Stored>> changed;
    for (const auto& [contact_id, v] : fresh) {
        auto it = old.find(contact_id);
        if (it == old.end() || !(it->second == v)) {
            changed.emplace_back(&contact_id, v);
        }
    }
    std::sort(changed.begin(), changed.end(), [&](const auto& a, const auto& b) {
        return by_id(a.first, b.first);
    });
    std::vector<const std::string*> gone;
    for (const auto& [contact_id, v] : old) {
        if (!fresh.contains(contact_id)) {
            gone.push_back(&contact_id);
        }
    }
    std::sort(gone.begin(), gone.end(), by_id);
    VK_RETURN_IF_ERROR(MoveRfmRollups(tx, tenant_id, old, changed, gone));
    VK_RETURN_IF_ERROR(UpsertBatch(tx, tenant_id, changed, now));
    VK_RETURN_IF_ERROR(ForIdBatches(
        tx,
        "DELETE FROM customer_metrics WHERE tenant_id = $1 AND contact_id IN (",
        {tenant_id},
        gone
    ));

    // contacts.rfm_segment made equal to the new segments, touching only contacts that differ.
    VK_ASSIGN_OR_RETURN(
        storage::Rows marked,
        tx.Query(
            "SELECT id, rfm_segment FROM contacts WHERE tenant_id = $1 AND rfm_segment IS NOT NULL",
            {tenant_id}
        )
    );
    std::unordered_map<std::string, std::string> shown;
    shown.reserve(marked.size());
    for (const auto& r : marked.rows) {
        shown.emplace(storage::AsText(r[0]), storage::AsText(r[1]));
    }
    std::map<std::string, std::vector<const std::string*>> to_segment;
    for (const auto& [contact_id, v] : fresh) {
        auto it = shown.find(contact_id);
        if (it == shown.end() || it->second != v.segment) {
            to_segment[v.segment].push_back(&contact_id);
        }
    }
    for (auto& [segment, ids] : to_segment) {
        std::sort(ids.begin(), ids.end(), by_id);
        VK_RETURN_IF_ERROR(ForIdBatches(
            tx,
            "UPDATE contacts SET rfm_segment = $2 WHERE tenant_id = $1 AND id IN (",
            {tenant_id, segment},
            ids
        ));
    }
    std::vector<const std::string*> unmark;
    for (const auto& [contact_id, segment] : shown) {
        if (!fresh.contains(contact_id)) {
            unmark.push_back(&contact_id);
        }
    }
    std::sort(unmark.begin(), unmark.end(), by_id);
    return ForIdBatches(
        tx,
        "UPDATE contacts SET rfm_segment = NULL WHERE tenant_id = $1 AND id IN (",
        {tenant_id},
        unmark
    );
}

namespace {

// Changes to cohort_rollups: per (owner, cohort, month) the customers to add.
using CohortDelta = std::map<std::tuple<std::string, std::string, std::string>, int64_t>;

// Adds `sign` times a customer owned by `owner` active in `months` (sorted: the first is its
// cohort).
void AddCohortCustomer(
    CohortDelta& delta,
    const std::string& owner,
    const std::vector<std::string>& months,
    int64_t sign
) {
    for (const std::string& month : months) {
        delta[{owner, months.front(), month}] += sign;
    }
}

Status WriteCohortDelta(Connection& tx, int64_t tenant_id, const CohortDelta& delta) {
    for (const auto& [key, customers] : delta) {
        if (customers == 0) {
            continue;
        }
        const auto& [owner, cohort, month] = key;
        VK_RETURN_IF_ERROR(tx.Execute(
            "INSERT INTO cohort_rollups (tenant_id, owner_id, cohort, month, customers) VALUES "
            "($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, owner_id, cohort, month) DO UPDATE SET "
            "customers = cohort_rollups.customers + excluded.customers",
            {tenant_id, owner, cohort, month, customers}
        ));
    }
    return core::Ok();
}

Result<std::vector<std::string>> StoredMonths(
    Connection& tx, int64_t tenant_id, const std::string& contact_id
) {
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        tx.Query(
            "SELECT month FROM customer_months WHERE tenant_id = $1 AND contact_id = $2 "
            "ORDER BY month",
            {tenant_id, contact_id}
        )
    );
    std::vector<std::string> months;
    for (const auto& r : rows.rows) {
        months.push_back(storage::AsText(r[0]));
    }
    return months;
}

// The owner of a live contact ("" for none); nullopt when the contact is deleted or missing.
Result<std::optional<std::string>> LiveOwner(
    Connection& tx, int64_t tenant_id, const std::string& contact_id
) {
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        tx.Query(
            "SELECT COALESCE(owner_id, '') FROM contacts WHERE tenant_id = $1 AND id = $2 AND "
            "deleted_at IS NULL",
            {tenant_id, contact_id}
        )
    );
    if (rows.empty()) {
        return std::optional<std::string>();
    }
    return std::optional<std::string>(storage::AsText(rows.rows[0][0]));
}

}  // namespace

void AddRfmCustomer(
    RfmRollupDelta& delta,
    const std::string& owner,
    const std::string& segment,
    const std::string& revenue,
    int64_t sign
) {
    delta[{owner, segment, ""}].first += sign;
    const Json parsed = Json::parse(revenue, nullptr, false);
    if (!parsed.is_object()) {
        return;
    }
    for (const auto& [currency, minor] : parsed.items()) {
        if (!currency.empty() && minor.is_number_integer()) {
            auto& sums = delta[{owner, segment, currency}];
            sums.first += sign;
            sums.second += sign * minor.get<int64_t>();
        }
    }
}

Status WriteRfmDelta(Connection& tx, int64_t tenant_id, const RfmRollupDelta& delta) {
    // Key order, so two writes at once on PostgreSQL wait for each other instead of deadlocking.
    for (const auto& [key, sums] : delta) {
        if (sums.first == 0 && sums.second == 0) {
            continue;
        }
        const auto& [owner, segment, currency] = key;
        VK_RETURN_IF_ERROR(tx.Execute(
            "INSERT INTO rfm_segment_rollups (tenant_id, owner_id, segment, currency, customers, "
            "revenue_minor) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, owner_id, "
            "segment, currency) DO UPDATE SET customers = rfm_segment_rollups.customers + "
            "excluded.customers, revenue_minor = rfm_segment_rollups.revenue_minor + "
            "excluded.revenue_minor",
            {tenant_id, owner, segment, currency, sums.first, sums.second}
        ));
    }
    return core::Ok();
}

Status MoveCustomerRollups(
    Connection& tx,
    int64_t tenant_id,
    const std::string& contact_id,
    const std::optional<std::string>& from_owner,
    const std::optional<std::string>& to_owner
) {
    VK_ASSIGN_OR_RETURN(
        storage::Rows metrics,
        tx.Query(
            "SELECT segment, revenue FROM customer_metrics WHERE tenant_id = $1 AND "
            "contact_id = $2",
            {tenant_id, contact_id}
        )
    );
    RfmRollupDelta delta;
    for (const auto& r : metrics.rows) {
        for (const auto& [owner, sign] :
             {std::pair{from_owner, int64_t{-1}}, std::pair{to_owner, int64_t{1}}}) {
            if (owner) {
                AddRfmCustomer(delta, *owner, storage::AsText(r[0]), storage::AsText(r[1]), sign);
            }
        }
    }
    VK_RETURN_IF_ERROR(WriteRfmDelta(tx, tenant_id, delta));
    VK_ASSIGN_OR_RETURN(
        storage::Rows clv,
        tx.Query(
            "SELECT clv_minor, expected_purchases FROM clv_customers WHERE tenant_id = $1 AND "
            "contact_id = $2",
            {tenant_id, contact_id}
        )
    );
    for (const auto& r : clv.rows) {
        for (const auto& [owner, sign] :
             {std::pair{from_owner, int64_t{-1}}, std::pair{to_owner, int64_t{1}}}) {
            if (!owner) {
                continue;
            }
            VK_RETURN_IF_ERROR(tx.Execute(
                "INSERT INTO clv_owner_rollups (tenant_id, owner_id, customers, clv_minor, "
                "expected_purchases) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, "
                "owner_id) DO UPDATE SET customers = clv_owner_rollups.customers + "
                "excluded.customers, clv_minor = clv_owner_rollups.clv_minor + "
                "excluded.clv_minor, expected_purchases = clv_owner_rollups.expected_purchases "
                "+ excluded.expected_purchases",
                {tenant_id,
                 *owner,
                 sign,
                 sign * storage::AsInt(r[0]),
                 static_cast<double>(sign) * storage::AsDouble(r[1])}
            ));
        }
    }
    VK_ASSIGN_OR_RETURN(std::vector<std::string> months, StoredMonths(tx, tenant_id, contact_id));
    if (months.empty()) {
        return core::Ok();
    }
    CohortDelta cohorts;
    if (from_owner) {
        AddCohortCustomer(cohorts, *from_owner, months, -1);
    }
    if (to_owner) {
        AddCohortCustomer(cohorts, *to_owner, months, 1);
    }
    return WriteCohortDelta(tx, tenant_id, cohorts);
}

Status RefreshCustomerMonths(Connection& tx, int64_t tenant_id, const std::string& contact_id) {
    VK_ASSIGN_OR_RETURN(std::vector<std::string> old, StoredMonths(tx, tenant_id, contact_id));
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        tx.Query(
            "SELECT ordered_at FROM orders WHERE tenant_id = $1 AND contact_id = $2 AND "
            "deleted_at IS NULL AND status = 'completed' AND ordered_at IS NOT NULL",
            {tenant_id, contact_id}
        )
    );
    std::set<std::string> months;
    for (const auto& r : rows.rows) {
        months.insert(FormatMonth(MonthIndex(DayOf(storage::AsInt(r[0])))));
    }
    const std::vector<std::string> fresh(months.begin(), months.end());
    if (fresh == old) {
        return core::Ok();
    }
    VK_ASSIGN_OR_RETURN(std::optional<std::string> owner, LiveOwner(tx, tenant_id, contact_id));
    if (owner) {
        CohortDelta delta;
        AddCohortCustomer(delta, *owner, old, -1);
        AddCohortCustomer(delta, *owner, fresh, 1);
        VK_RETURN_IF_ERROR(WriteCohortDelta(tx, tenant_id, delta));
    }
    VK_RETURN_IF_ERROR(tx.Execute(
        "DELETE FROM customer_months WHERE tenant_id = $1 AND contact_id = $2",
        {tenant_id, contact_id}
    ));
    for (const std::string& month : fresh) {
        VK_RETURN_IF_ERROR(tx.Execute(
            "INSERT INTO customer_months (tenant_id, contact_id, month) VALUES ($1, $2, $3)",
            {tenant_id, contact_id, month}
        ));
    }
    return core::Ok();
}

Status RebuildCustomerMonths(Connection& tx, int64_t tenant_id) {
    for (const char* table : {"cohort_rollups", "customer_months"}) {
        VK_RETURN_IF_ERROR(
            tx.Execute("DELETE FROM " + std::string(table) + " WHERE tenant_id = $1", {tenant_id})
        );
    }
    VK_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO customer_months (tenant_id, contact_id, month) SELECT DISTINCT tenant_id, "
        "contact_id, " +
            storage::UtcMonth(tx.dialect(), "ordered_at") +
            " FROM orders WHERE tenant_id = $1 AND deleted_at IS NULL AND status = 'completed' "
            "AND ordered_at IS NOT NULL AND contact_id IS NOT NULL",
        {tenant_id}
    ));
    auto counted = tx.Execute(
        "INSERT INTO cohort_rollups (tenant_id, owner_id, cohort, month, customers) "
        "SELECT m.tenant_id, COALESCE(c.owner_id, ''), f.cohort, m.month, COUNT(*) "
        "FROM customer_months m JOIN (SELECT contact_id, MIN(month) AS cohort FROM "
        "customer_months WHERE tenant_id = $1 GROUP BY contact_id) f ON f.contact_id = "
        "m.contact_id JOIN contacts c ON c.tenant_id = m.tenant_id AND c.id = m.contact_id AND "
        "c.deleted_at IS NULL WHERE m.tenant_id = $1 GROUP BY m.tenant_id, "
        "COALESCE(c.owner_id, ''), f.cohort, m.month",
        {tenant_id}
    );
    return counted ? core::Ok() : Status(std::move(counted).error());
}

Status RebuildRfmRollups(Connection& tx, int64_t tenant_id) {
    VK_RETURN_IF_ERROR(
        tx.Execute("DELETE FROM rfm_segment_rollups WHERE tenant_id = $1", {tenant_id})
    );
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        tx.Query(
            "SELECT COALESCE(c.owner_id, ''), m.segment, m.revenue FROM customer_metrics m "
            "JOIN contacts c ON c.tenant_id = m.tenant_id AND c.id = m.contact_id AND "
            "c.deleted_at IS NULL WHERE m.tenant_id = $1",
            {tenant_id}
        )
    );
    RfmRollupDelta delta;
    for (const auto& r : rows.rows) {
        AddRfmCustomer(
            delta, storage::AsText(r[0]), storage::AsText(r[1]), storage::AsText(r[2]), 1
        );
    }
    return WriteRfmDelta(tx, tenant_id, delta);
}

Status RebuildClvRollups(Connection& tx, int64_t tenant_id) {
    VK_RETURN_IF_ERROR(tx.Execute("DELETE FROM clv_owner_rollups WHERE tenant_id = $1", {tenant_id})
    );
    auto inserted = tx.Execute(
        "INSERT INTO clv_owner_rollups (tenant_id, owner_id, customers, clv_minor, "
        "expected_purchases) SELECT k.tenant_id, COALESCE(c.owner_id, ''), COUNT(*), "
        "CAST(SUM(k.clv_minor) AS BIGINT), SUM(k.expected_purchases) FROM clv_customers k "
        "JOIN contacts c ON c.tenant_id = k.tenant_id AND c.id = k.contact_id AND "
        "c.deleted_at IS NULL WHERE k.tenant_id = $1 GROUP BY k.tenant_id, "
        "COALESCE(c.owner_id, '')",
        {tenant_id}
    );
    return inserted ? core::Ok() : Status(std::move(inserted).error());
}

bool ReadsAllContacts(const access::RequestContext& ctx) {
    return ctx.permissions && ctx.permissions->For("contacts").read == access::Scope::kAll;
}

Result<std::string> ContactScope(
    const access::RequestContext& ctx, std::vector<storage::Value>& params, const std::string& alias
) {
    const access::Scope scope =
        ctx.permissions ? ctx.permissions->For("contacts").read : access::Scope::kNone;
    if (scope == access::Scope::kNone) {
        return Error::Forbidden("Your role does not allow reading contacts");
    }
    const std::string condition = records::ScopeCondition(ctx, scope, params, alias + ".owner_id");
    return condition.empty() ? std::string() : " AND " + condition;
}

}  // namespace voronka::analytics::customers_internal
