// Tests for the per-customer CLV report on simulated summaries.
#include "analytics/customer_value.hpp"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "analytics/bg_nbd_simulation.hpp"

namespace voronka::analytics {
namespace {

// 3,000 simulated BG/NBD customers with a spend of 20-40 per repeat purchase.
std::vector<CustomerSummary> Summaries() {
    const auto rf = SimulateBgNbd({0.4, 5.0, 0.8, 2.5}, 3000, {}, 99);
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> spend(20, 40);
    std::vector<CustomerSummary> out;
    for (size_t i = 0; i < rf.size(); ++i) {
        CustomerSummary s;
        s.customer_id = "c" + std::to_string(i);
        s.frequency = rf[i].frequency;
        s.recency = rf[i].recency;
        s.age = rf[i].age;
        s.monetary_value = s.frequency > 0 ? spend(rng) : 0;
        out.push_back(s);
    }
    return out;
}

TEST(CustomerValueTest, ValuesEveryCustomerConsistently) {
    const auto summaries = Summaries();
    const ClvOptions options{52, 0.1, 0.3, 7.0};
    const auto report = ComputeCustomerValues(summaries, PurchaseModel::kBgNbd, options);
    ASSERT_TRUE(report.has_value()) << report.error().message << report.error().internal;
    ASSERT_EQ(report->customers.size(), summaries.size());
    const auto& bg = std::get<BgNbdFit>(report->purchase_fit).params;
    const auto& gg = report->spend_fit.params;
    for (size_t i = 0; i < summaries.size(); i += 97) {
        const auto& s = summaries[i];
        const auto& v = report->customers[i];
        const RecencyFrequency rf{s.frequency, s.recency, s.age};
        EXPECT_EQ(v.customer_id, s.customer_id);
        EXPECT_NEAR(v.expected_purchases, BgNbdConditionalExpectedPurchases(bg, rf, 52), 1e-12);
        EXPECT_NEAR(v.p_alive, BgNbdProbabilityAlive(bg, rf), 1e-12);
        EXPECT_NEAR(
            v.expected_spend,
            GammaGammaConditionalExpectedSpend(gg, s.frequency, s.monetary_value),
            1e-12
        );
        const double clv = DiscountedClv(
            [&](double t) { return BgNbdConditionalExpectedPurchases(bg, rf, t); },
            v.expected_spend,
            options
        );
        EXPECT_NEAR(v.clv, clv, 1e-9);
        // Discounting and the 30 % margin keep CLV below undiscounted revenue * margin.
        EXPECT_LT(v.clv, v.expected_purchases * v.expected_spend * 0.3 + 1e-12);
        EXPECT_GT(v.clv, 0.0);
    }
}

TEST(CustomerValueTest, ParetoNbdAlsoWorks) {
    const auto report =
        ComputeCustomerValues(Summaries(), PurchaseModel::kParetoNbd, {13, 0.1, 0.3, 7.0});
    ASSERT_TRUE(report.has_value());
    EXPECT_TRUE(std::holds_alternative<ParetoNbdFit>(report->purchase_fit));
}

TEST(CustomerValueTest, RejectsBadInput) {
    const auto bad_options =
        ComputeCustomerValues(Summaries(), PurchaseModel::kBgNbd, {52, -2.0, 0.3, 7.0});
    ASSERT_FALSE(bad_options.has_value());
    EXPECT_EQ(bad_options.error().fields.at(0).field, "annual_discount_rate");

    std::vector<CustomerSummary> no_repeaters(3);
    no_repeaters[0].age = no_repeaters[1].age = no_repeaters[2].age = 5;
    const auto no_spend = ComputeCustomerValues(no_repeaters, PurchaseModel::kBgNbd, {});
    ASSERT_FALSE(no_spend.has_value());
    EXPECT_EQ(no_spend.error().message, "no repeat customers with positive spend to fit");

    EXPECT_EQ(*ParsePurchaseModel("pareto-nbd"), PurchaseModel::kParetoNbd);
    EXPECT_EQ(
        ParsePurchaseModel("bg").error().message,
        "purchase model must be 'bgnbd' or 'pareto-nbd', got 'bg'"
    );
}

}  // namespace
}  // namespace voronka::analytics
