// Tests for co-purchase counting and next-best-offer ranking.
#include "analytics/next_best_offer.hpp"

#include <cmath>

#include <gtest/gtest.h>

namespace voronka::analytics {
namespace {

// Five customers:
//   u1: A B C     u2: A B     u3: A C D     u4: B D     u5: E (and A twice)
std::vector<ProductPurchase> Purchases() {
    return {
        {"u1", "A"},
        {"u1", "B"},
        {"u1", "C"},
        {"u2", "A"},
        {"u2", "B"},
        {"u3", "A"},
        {"u3", "C"},
        {"u3", "D"},
        {"u4", "B"},
        {"u4", "D"},
        {"u5", "E"},
        {"u2", "A"},
    };
}

TEST(CoPurchaseModelTest, CountsCustomersNotLines) {
    const auto model = CoPurchaseModel::Build(Purchases());
    EXPECT_EQ(model.Customers(), 5);
    EXPECT_EQ(model.Buyers("A"), 3);
    EXPECT_EQ(model.Buyers("B"), 3);
    EXPECT_EQ(model.CoBuyers("A", "B"), 2);
    EXPECT_EQ(model.CoBuyers("B", "A"), 2);
    EXPECT_EQ(model.CoBuyers("A", "E"), 0);
    EXPECT_EQ(model.Buyers("Z"), 0);
}

TEST(CoPurchaseModelTest, CosineRanking) {
    const auto model = CoPurchaseModel::Build(Purchases());
    // Owns A: B = 2/sqrt(3*3), C = 2/sqrt(3*2), D = 1/sqrt(3*2). E never co-bought.
    const auto recs = model.Recommend({"A"}, 10, CoPurchaseMeasure::kCosine);
    ASSERT_EQ(recs.size(), 3u);
    EXPECT_EQ(recs[0].product_id, "C");
    EXPECT_NEAR(recs[0].score, 2 / std::sqrt(6.0), 1e-12);
    EXPECT_EQ(recs[1].product_id, "B");
    EXPECT_NEAR(recs[1].score, 2 / 3.0, 1e-12);
    EXPECT_EQ(recs[2].product_id, "D");
    EXPECT_NEAR(recs[2].score, 1 / std::sqrt(6.0), 1e-12);
}

TEST(CoPurchaseModelTest, LiftSumsOverOwnedProductsAndSkipsOwned) {
    const auto model = CoPurchaseModel::Build(Purchases());
    // u4 owns B and D. C: lift(B,C) = 1*5/(3*2) + lift(D,C) = 1*5/(2*2); A: 2*5/9 + 1*5/6.
    const auto recs = model.RecommendForCustomer("u4", 10, CoPurchaseMeasure::kLift);
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[0].product_id, "C");
    EXPECT_NEAR(recs[0].score, 5.0 / 6 + 5.0 / 4, 1e-12);
    EXPECT_EQ(recs[1].product_id, "A");
    EXPECT_NEAR(recs[1].score, 10.0 / 9 + 5.0 / 6, 1e-12);
}

TEST(CoPurchaseModelTest, LimitSupportAndUnknowns) {
    const auto model = CoPurchaseModel::Build(Purchases());
    const auto top = model.Recommend({"A"}, 1, CoPurchaseMeasure::kCosine);
    ASSERT_EQ(top.size(), 1u);
    EXPECT_EQ(top[0].product_id, "C");
    const auto supported = model.Recommend({"A"}, 10, CoPurchaseMeasure::kCosine, 2);
    ASSERT_EQ(supported.size(), 2u);  // D has a single co-buyer with A
    EXPECT_EQ(supported[0].product_id, "C");
    EXPECT_EQ(supported[1].product_id, "B");
    EXPECT_TRUE(model.Recommend({"Z"}, 10, CoPurchaseMeasure::kLift).empty());
    EXPECT_TRUE(model.RecommendForCustomer("nobody", 10, CoPurchaseMeasure::kLift).empty());
    EXPECT_TRUE(model.RecommendForCustomer("u5", 10, CoPurchaseMeasure::kCosine).empty());
}

TEST(CoPurchaseModelTest, TiesBreakByProductId) {
    const auto model = CoPurchaseModel::Build({{"u", "X"}, {"u", "Z"}, {"u", "Y"}});
    const auto recs = model.Recommend({"X"}, 10, CoPurchaseMeasure::kCosine);
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[0].product_id, "Y");
    EXPECT_EQ(recs[1].product_id, "Z");
}

}  // namespace
}  // namespace voronka::analytics
