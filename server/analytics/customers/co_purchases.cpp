// Co-purchase counts behind the next best offer (migration 0013): which products each customer
// bought, how many customers bought each pair, kept per customer after each order write.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "analytics/customers/customer_analytics.hpp"
#include "analytics/customers/customers_internal.hpp"
#include "storage/batch_insert.hpp"

namespace voronka::analytics::customers_internal {

namespace {

// Rows per multi-row insert of the rebuild, and orders read per chunk.
constexpr size_t kInsertBatch = 500;
constexpr int64_t kOrdersPerChunk = 100'000;

struct Label {
    Json product_id;
    Json sku;
    std::string name;
};

// A line's product as the next best offer names it: by product id, else by SKU; nullopt when
// the line names neither (as the per-request model skipped it).
std::optional<std::string> ProductKey(const Json& line, Label* label) {
    if (!line.is_object()) {
        return std::nullopt;
    }
    const Json product_id = line.value("product_id", Json(nullptr));
    const Json sku = line.value("sku", Json(nullptr));
    std::string key;
    if (product_id.is_string()) {
        key = "id:" + product_id.get<std::string>();
    } else if (sku.is_string()) {
        key = "sku:" + sku.get<std::string>();
    } else {
        return std::nullopt;
    }
    if (label) {
        *label = {product_id, sku, line.value("name", "")};
    }
    return key;
}

// Adds the lines of one order (its `lines` column) to per-product line counts and labels.
void AddLines(
    const storage::Value& lines,
    std::map<std::string, int64_t>& counts,
    std::map<std::string, Label>& labels
) {
    if (storage::IsNull(lines)) {
        return;
    }
    const Json parsed = Json::parse(storage::AsText(lines), nullptr, false);
    if (!parsed.is_array()) {
        return;
    }
    for (const Json& line : parsed) {
        Label label;
        if (auto key = ProductKey(line, &label)) {
            ++counts[*key];
            labels[*key] = std::move(label);
        }
    }
}

Status Done(core::Result<int64_t> r) { return r ? core::Ok() : Status(std::move(r).error()); }

Status SaveLabels(Connection& tx, int64_t tenant_id, const std::map<std::string, Label>& labels) {
    for (const auto& [key, l] : labels) {
        VK_RETURN_IF_ERROR(Done(tx.Execute(
            "INSERT INTO product_labels (tenant_id, product_key, product_id, sku, name) VALUES "
            "($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, product_key) DO UPDATE SET "
            "product_id = excluded.product_id, sku = excluded.sku, name = excluded.name",
            {tenant_id,
             key,
             l.product_id.is_string() ? storage::Value(l.product_id.get<std::string>())
                                      : storage::Value(nullptr),
             l.sku.is_string() ? storage::Value(l.sku.get<std::string>()) : storage::Value(nullptr),
             l.name}
        )));
    }
    return core::Ok();
}

}  // namespace

Status RefreshCustomerProducts(Connection& tx, int64_t tenant_id, const std::string& contact_id) {
    VK_ASSIGN_OR_RETURN(
        storage::Rows orders,
        tx.Query(
            "SELECT lines FROM orders WHERE tenant_id = $1 AND contact_id = $2 AND deleted_at IS "
            "NULL AND status = 'completed' AND lines IS NOT NULL",
            {tenant_id, contact_id}
        )
    );
    std::map<std::string, int64_t> now;
    std::map<std::string, Label> labels;
    for (const auto& r : orders.rows) {
        AddLines(r[0], now, labels);
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows stored,
        tx.Query(
            "SELECT product_key, lines FROM customer_products WHERE tenant_id = $1 AND "
            "contact_id = $2",
            {tenant_id, contact_id}
        )
    );
    std::map<std::string, int64_t> before;
    for (const auto& r : stored.rows) {
        before[storage::AsText(r[0])] = storage::AsInt(r[1]);
    }
    if (now == before) {
        return SaveLabels(tx, tenant_id, labels);
    }
    std::set<std::string> keys;
    for (const auto* m : {&now, &before}) {
        for (const auto& [key, count] : *m) {
            keys.insert(key);
        }
    }
    for (const auto& key : keys) {
        const auto n = now.find(key);
        if (n == now.end()) {
            VK_RETURN_IF_ERROR(Done(tx.Execute(
                "DELETE FROM customer_products WHERE tenant_id = $1 AND contact_id = $2 AND "
                "product_key = $3",
                {tenant_id, contact_id, key}
            )));
        } else if (auto b = before.find(key); b == before.end() || b->second != n->second) {
            VK_RETURN_IF_ERROR(Done(tx.Execute(
                "INSERT INTO customer_products (tenant_id, contact_id, product_key, lines) VALUES "
                "($1, $2, $3, $4) ON CONFLICT (tenant_id, contact_id, product_key) DO UPDATE SET "
                "lines = excluded.lines",
                {tenant_id, contact_id, key, n->second}
            )));
        }
    }
    // A pair (p, q), p = q included (the product's buyers), counts this customer once when it
    // bought both: it changes by 1 when the pair enters or leaves the customer's products.
    // Rows change in key order, so concurrent writes on PostgreSQL do not deadlock.
    for (const auto& p : keys) {
        for (const auto& q : keys) {
            const int64_t delta = (now.contains(p) && now.contains(q) ? 1 : 0) -
                                  (before.contains(p) && before.contains(q) ? 1 : 0);
            if (delta == 0) {
                continue;
            }
            VK_RETURN_IF_ERROR(Done(tx.Execute(
                "INSERT INTO product_copurchases (tenant_id, product_key, other_key, customers) "
                "VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, product_key, other_key) DO "
                "UPDATE SET customers = product_copurchases.customers + excluded.customers",
                {tenant_id, p, q, delta}
            )));
        }
    }
    return SaveLabels(tx, tenant_id, labels);
}

Status RebuildCoPurchases(Connection& tx, int64_t tenant_id) {
    for (const char* table : {"customer_products", "product_copurchases", "product_labels"}) {
        VK_RETURN_IF_ERROR(Done(
            tx.Execute("DELETE FROM " + std::string(table) + " WHERE tenant_id = $1", {tenant_id})
        ));
    }
    // Every live completed order, read in key order in chunks; products numbered as first seen.
    std::unordered_map<std::string, uint32_t> index;
    std::vector<std::string> products;
    std::map<std::string, Label> labels;
    std::map<std::string, std::map<uint32_t, int64_t>> bought;  // contact -> product -> lines
    std::string after;
    for (;;) {
        VK_ASSIGN_OR_RETURN(
            storage::Rows rows,
            tx.Query(
                "SELECT id, contact_id, lines FROM orders WHERE tenant_id = $1 AND id > $2 AND "
                "deleted_at IS NULL AND status = 'completed' AND lines IS NOT NULL AND "
                "contact_id IS NOT NULL ORDER BY id LIMIT $3",
                {tenant_id, after, kOrdersPerChunk}
            )
        );
        for (const auto& r : rows.rows) {
            std::map<std::string, int64_t> counts;
            std::map<std::string, Label> order_labels;
            AddLines(r[2], counts, order_labels);
            auto& basket = bought[storage::AsText(r[1])];
            for (const auto& [key, n] : counts) {
                const auto [it, added] =
                    index.try_emplace(key, static_cast<uint32_t>(products.size()));
                if (added) {
                    products.push_back(key);
                }
                basket[it->second] += n;
            }
            for (auto& [key, l] : order_labels) {
                labels[key] = std::move(l);
            }
        }
        if (static_cast<int64_t>(rows.size()) < kOrdersPerChunk) {
            break;
        }
        after = storage::AsText(rows.rows.back()[0]);
    }
    std::unordered_map<uint64_t, int64_t> pairs;
    std::vector<storage::Value> params;
    size_t in_batch = 0;
    // Multi-row inserts of four values a row, kInsertBatch rows per statement.
    auto add_row = [&](const std::string& head, std::vector<storage::Value> row, bool last
                   ) -> Status {
        if (!row.empty()) {
            params.insert(params.end(), row.begin(), row.end());
            ++in_batch;
        }
        if (in_batch == 0 || (!last && in_batch < kInsertBatch)) {
            return core::Ok();
        }
        std::string sql = head;
        for (size_t i = 0; i < in_batch; ++i) {
            sql += (i ? ", (" : "(") + storage::Placeholders(i * 4 + 1, 4) + ")";
        }
        VK_RETURN_IF_ERROR(Done(tx.Execute(sql, params)));
        params.clear();
        in_batch = 0;
        return core::Ok();
    };
    const std::string products_head =
        "INSERT INTO customer_products (tenant_id, contact_id, product_key, lines) VALUES ";
    for (const auto& [contact_id, basket] : bought) {
        std::vector<uint32_t> ids;
        std::map<std::string, int64_t> by_key;
        for (const auto& [id, n] : basket) {
            ids.push_back(id);
            by_key[products[id]] = n;
        }
        for (const auto& [key, n] : by_key) {
            VK_RETURN_IF_ERROR(add_row(products_head, {tenant_id, contact_id, key, n}, false));
        }
        for (const uint32_t p : ids) {
            for (const uint32_t q : ids) {
                ++pairs[(uint64_t{p} << 32) | q];
            }
        }
    }
    VK_RETURN_IF_ERROR(add_row(products_head, {}, true));
    std::map<std::pair<std::string, std::string>, int64_t> ordered;
    for (const auto& [pq, n] : pairs) {
        ordered[{products[pq >> 32], products[pq & 0xffffffffULL]}] = n;
    }
    const std::string pairs_head =
        "INSERT INTO product_copurchases (tenant_id, product_key, other_key, customers) VALUES ";
    for (const auto& [pq, n] : ordered) {
        VK_RETURN_IF_ERROR(add_row(pairs_head, {tenant_id, pq.first, pq.second, n}, false));
    }
    VK_RETURN_IF_ERROR(add_row(pairs_head, {}, true));
    return SaveLabels(tx, tenant_id, labels);
}

Result<std::vector<Offer>> NextBestOffers(
    Connection& c, int64_t tenant_id, const std::string& contact_id, size_t limit
) {
    VK_ASSIGN_OR_RETURN(
        storage::Rows owned_rows,
        c.Query(
            "SELECT product_key FROM customer_products WHERE tenant_id = $1 AND contact_id = $2",
            {tenant_id, contact_id}
        )
    );
    std::set<std::string> owned;
    for (const auto& r : owned_rows.rows) {
        owned.insert(storage::AsText(r[0]));
    }
    if (owned.empty()) {
        return std::vector<Offer>{};
    }
    // c_ij for every owned i (n_i is the pair (i, i)), then n_j for the candidates j.
    auto pairs_of = [&](const std::vector<std::string>& keys, bool diagonal
                    ) -> Result<std::vector<std::tuple<std::string, std::string, int64_t>>> {
        std::vector<std::tuple<std::string, std::string, int64_t>> out;
        for (size_t at = 0; at < keys.size(); at += kInsertBatch) {
            const size_t n = std::min(kInsertBatch, keys.size() - at);
            std::vector<storage::Value> params{tenant_id};
            for (size_t i = 0; i < n; ++i) {
                params.emplace_back(keys[at + i]);
            }
            VK_ASSIGN_OR_RETURN(
                storage::Rows rows,
                c.Query(
                    "SELECT product_key, other_key, customers FROM product_copurchases WHERE "
                    "tenant_id = $1 AND product_key IN (" +
                        storage::Placeholders(2, n) + ")" +
                        (diagonal ? " AND other_key = product_key" : ""),
                    params
                )
            );
            for (const auto& r : rows.rows) {
                out.emplace_back(
                    storage::AsText(r[0]), storage::AsText(r[1]), storage::AsInt(r[2])
                );
            }
        }
        return out;
    };
    VK_ASSIGN_OR_RETURN(auto from_owned, pairs_of({owned.begin(), owned.end()}, false));
    // Scores add up in one order whatever order the rows came in.
    std::sort(from_owned.begin(), from_owned.end());
    std::map<std::string, int64_t> buyers;
    std::set<std::string> candidates;
    for (const auto& [i, j, both] : from_owned) {
        if (i == j) {
            buyers[i] = both;
        } else if (!owned.contains(j) && both >= 1) {
            candidates.insert(j);
        }
    }
    VK_ASSIGN_OR_RETURN(auto diagonal, pairs_of({candidates.begin(), candidates.end()}, true));
    for (const auto& [j, same, n] : diagonal) {
        buyers[j] = n;
    }
    std::map<std::string, double> scores;
    for (const auto& [i, j, both] : from_owned) {
        if (i == j || owned.contains(j) || both < 1 || buyers[i] <= 0 || buyers[j] <= 0) {
            continue;
        }
        scores[j] += static_cast<double>(both) /
                     std::sqrt(static_cast<double>(buyers[i]) * static_cast<double>(buyers[j]));
    }
    std::vector<Offer> ranked;
    for (const auto& [key, score] : scores) {
        ranked.push_back({key, nullptr, nullptr, "", score});
    }
    std::sort(ranked.begin(), ranked.end(), [](const Offer& l, const Offer& r) {
        return l.score != r.score ? l.score > r.score : l.key < r.key;
    });
    if (ranked.size() > limit) {
        ranked.resize(limit);
    }
    for (Offer& o : ranked) {
        VK_ASSIGN_OR_RETURN(
            storage::Rows label,
            c.Query(
                "SELECT product_id, sku, name FROM product_labels WHERE tenant_id = $1 AND "
                "product_key = $2",
                {tenant_id, o.key}
            )
        );
        if (!label.empty()) {
            const auto& l = label.rows[0];
            o.product_id = storage::IsNull(l[0]) ? Json(nullptr) : Json(storage::AsText(l[0]));
            o.sku = storage::IsNull(l[1]) ? Json(nullptr) : Json(storage::AsText(l[1]));
            o.name = storage::IsNull(l[2]) ? "" : storage::AsText(l[2]);
        }
    }
    return ranked;
}

}  // namespace voronka::analytics::customers_internal

namespace voronka::analytics {

Status RebuildCustomerRollups(Connection& tx, int64_t tenant_id) {
    VK_RETURN_IF_ERROR(customers_internal::RebuildCoPurchases(tx, tenant_id));
    VK_RETURN_IF_ERROR(customers_internal::RebuildRfmRollups(tx, tenant_id));
    VK_RETURN_IF_ERROR(customers_internal::RebuildClvRollups(tx, tenant_id));
    return customers_internal::RebuildCustomerMonths(tx, tenant_id);
}

}  // namespace voronka::analytics
