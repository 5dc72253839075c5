// Item-to-item co-purchase counting and scoring.
#include "analytics/next_best_offer.hpp"

#include <algorithm>
#include <cmath>

namespace voronka::analytics {

CoPurchaseModel CoPurchaseModel::Build(const std::vector<ProductPurchase>& purchases) {
    CoPurchaseModel model;
    for (const auto& purchase : purchases) {
        const auto [it, inserted] = model.product_index_.try_emplace(
            purchase.product_id, static_cast<uint32_t>(model.products_.size())
        );
        if (inserted) {
            model.products_.push_back(purchase.product_id);
        }
        model.baskets_[purchase.customer_id].push_back(it->second);
    }
    model.buyers_.assign(model.products_.size(), 0);
    model.co_buyers_.resize(model.products_.size());
    for (auto& [customer, basket] : model.baskets_) {
        std::sort(basket.begin(), basket.end());
        basket.erase(std::unique(basket.begin(), basket.end()), basket.end());
        for (size_t i = 0; i < basket.size(); ++i) {
            ++model.buyers_[basket[i]];
            for (size_t j = i + 1; j < basket.size(); ++j) {
                ++model.co_buyers_[basket[i]][basket[j]];
                ++model.co_buyers_[basket[j]][basket[i]];
            }
        }
    }
    return model;
}

std::vector<Recommendation> CoPurchaseModel::Recommend(
    const std::vector<std::string>& owned,
    size_t limit,
    CoPurchaseMeasure measure,
    int64_t min_co_purchases
) const {
    std::vector<uint32_t> owned_ids;
    for (const auto& product : owned) {
        if (const auto it = product_index_.find(product); it != product_index_.end()) {
            owned_ids.push_back(it->second);
        }
    }
    std::sort(owned_ids.begin(), owned_ids.end());
    owned_ids.erase(std::unique(owned_ids.begin(), owned_ids.end()), owned_ids.end());

    const double customers = static_cast<double>(baskets_.size());
    std::unordered_map<uint32_t, double> scores;
    for (const uint32_t i : owned_ids) {
        for (const auto& [j, both] : co_buyers_[i]) {
            if (both < min_co_purchases ||
                std::binary_search(owned_ids.begin(), owned_ids.end(), j)) {
                continue;
            }
            const double ni = static_cast<double>(buyers_[i]);
            const double nj = static_cast<double>(buyers_[j]);
            const double c = static_cast<double>(both);
            scores[j] += measure == CoPurchaseMeasure::kCosine ? c / std::sqrt(ni * nj)
                                                               : c * customers / (ni * nj);
        }
    }
    std::vector<Recommendation> ranked;
    ranked.reserve(scores.size());
    for (const auto& [j, score] : scores) {
        ranked.push_back({products_[j], score});
    }
    std::sort(ranked.begin(), ranked.end(), [](const Recommendation& l, const Recommendation& r) {
        return l.score != r.score ? l.score > r.score : l.product_id < r.product_id;
    });
    if (ranked.size() > limit) {
        ranked.resize(limit);
    }
    return ranked;
}

std::vector<Recommendation> CoPurchaseModel::RecommendForCustomer(
    std::string_view customer_id, size_t limit, CoPurchaseMeasure measure, int64_t min_co_purchases
) const {
    const auto it = baskets_.find(std::string(customer_id));
    if (it == baskets_.end()) {
        return {};
    }
    std::vector<std::string> owned;
    for (const uint32_t id : it->second) {
        owned.push_back(products_[id]);
    }
    return Recommend(owned, limit, measure, min_co_purchases);
}

int64_t CoPurchaseModel::Buyers(std::string_view product) const {
    const auto it = product_index_.find(std::string(product));
    return it == product_index_.end() ? 0 : buyers_[it->second];
}

int64_t CoPurchaseModel::CoBuyers(std::string_view product, std::string_view other) const {
    const auto a = product_index_.find(std::string(product));
    const auto b = product_index_.find(std::string(other));
    if (a == product_index_.end() || b == product_index_.end()) {
        return 0;
    }
    const auto& row = co_buyers_[a->second];
    const auto it = row.find(b->second);
    return it == row.end() ? 0 : it->second;
}

}  // namespace voronka::analytics
