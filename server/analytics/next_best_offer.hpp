// Next best offer: item-to-item recommendations from customer-level co-purchase counts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace voronka::analytics {

struct ProductPurchase {
    std::string customer_id;
    std::string product_id;
};

// How strongly buying product i points to product j, from n_i, n_j (customers who bought each),
// c_ij (customers who bought both) and N (all customers):
//   kCosine: c_ij / sqrt(n_i * n_j)   (0..1; favours products bought together consistently)
//   kLift:   c_ij * N / (n_i * n_j)   (> 1 when bought together more often than by chance;
//                                      favours rare products, so pair it with min_co_purchases)
enum class CoPurchaseMeasure { kCosine, kLift };

struct Recommendation {
    std::string product_id;
    double score = 0;  // sum over the customer's products of the chosen measure
};

// Counts are per customer: a customer who bought two products, however often, adds one to their
// pair. Building costs O(sum of squared distinct products per customer).
class CoPurchaseModel {
public:
    static CoPurchaseModel Build(const std::vector<ProductPurchase>& purchases);

    // Products not in `owned` with at least `min_co_purchases` co-buyers with some owned product,
    // scored by the sum of the measure over owned products; best first, ties by product id.
    // At most `limit` items. Unknown owned products are ignored.
    std::vector<Recommendation> Recommend(
        const std::vector<std::string>& owned,
        size_t limit,
        CoPurchaseMeasure measure,
        int64_t min_co_purchases = 1
    ) const;

    // Recommend() for the products a known customer bought; empty for an unknown customer.
    std::vector<Recommendation> RecommendForCustomer(
        std::string_view customer_id,
        size_t limit,
        CoPurchaseMeasure measure,
        int64_t min_co_purchases = 1
    ) const;

    // Customers who bought `product` (n_i), and who bought both (c_ij); 0 for unknown products.
    int64_t Buyers(std::string_view product) const;
    int64_t CoBuyers(std::string_view product, std::string_view other) const;

    int64_t Customers() const { return static_cast<int64_t>(baskets_.size()); }

private:
    std::vector<std::string> products_;
    std::unordered_map<std::string, uint32_t> product_index_;
    std::vector<int64_t> buyers_;
    std::vector<std::unordered_map<uint32_t, int64_t>> co_buyers_;
    std::unordered_map<std::string, std::vector<uint32_t>> baskets_;
};

}  // namespace voronka::analytics
