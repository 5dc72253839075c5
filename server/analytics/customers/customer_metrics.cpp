// customer_metrics upkeep: one contact after each order write, or the whole tenant at once.
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "access/permissions.hpp"
#include "analytics/customers/customers_internal.hpp"
#include "analytics/rfm_score.hpp"
#include "core/money.hpp"

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
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        tx.Query(std::string(kCompletedOrders) + " AND o.contact_id = $2", {tenant_id, contact_id})
    );
    if (rows.empty()) {
        VK_RETURN_IF_ERROR(tx.Execute(
            "DELETE FROM customer_metrics WHERE tenant_id = $1 AND contact_id = $2",
            {tenant_id, contact_id}
        ));
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

std::string Placeholders(size_t first, size_t count) {
    std::string out;
    for (size_t i = 0; i < count; ++i) {
        out += (i ? ", $" : "$") + std::to_string(first + i);
    }
    return out;
}

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
            sql += (i ? ", (" : "(") + Placeholders(params.size() + 1, 15) + ")";
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

// `sql_head` ends where the id list starts: "... AND id IN (" ; runs it over ids in batches.
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
        VK_RETURN_IF_ERROR(tx.Execute(sql_head + Placeholders(fixed.size() + 1, n) + ")", params));
    }
    return core::Ok();
}

// Orders read per chunk in the recount: large enough that the index seek per chunk does not
// matter, small enough that one chunk's rows stay a few tens of megabytes.
constexpr int64_t kOrdersPerChunk = 200'000;

// Every live completed order of live contacts, summed per customer: one pass over the covering
// index orders_customer_metrics in (customer, time) order, read in chunks of whole customers.
// Reading the index in order, not joining each order to its contact and not counting distinct
// days in a temporary b-tree per customer, is what keeps a million customers within seconds.
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
    std::vector<CustomerTotals> out;
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
        // The chunk's last customer may go on in the next chunk: it is counted there.
        const std::string cut = last_chunk ? std::string() : storage::AsText(rows.rows.back()[0]);
        if (!last_chunk && cut == after) {
            chunk *= 2;  // one customer fills the chunk: read more at once
            continue;
        }
        for (const auto& r : rows.rows) {
            const std::string& contact_id = std::get<std::string>(r[0]);
            if ((!last_chunk && contact_id == cut)) {
                break;  // the cut customer's orders end the chunk
            }
            if (out.empty() || out.back().contact_id != contact_id) {
                if (gone.contains(contact_id)) {
                    continue;
                }
                out.push_back({contact_id, {}, 0, 0});
            }
            CustomerTotals& c = out.back();
            Totals& t = c.totals;
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
        if (last_chunk) {
            return out;
        }
        after = cut;
    }
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
