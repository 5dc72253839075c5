// Per-customer CLV report: fit a purchase model and Gamma-Gamma, then discount expected margin.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "analytics/bg_nbd.hpp"
#include "analytics/customer_summary.hpp"
#include "analytics/discounted_clv.hpp"
#include "analytics/gamma_gamma.hpp"
#include "analytics/pareto_nbd.hpp"
#include "core/result.hpp"

namespace voronka::analytics {

enum class PurchaseModel { kBgNbd, kParetoNbd };

// "bgnbd" or "pareto-nbd".
core::Result<PurchaseModel> ParsePurchaseModel(std::string_view text);

struct CustomerValue {
    std::string customer_id;
    int64_t frequency = 0;
    double recency = 0;
    double age = 0;
    double expected_purchases = 0;  // over the horizon
    double p_alive = 0;
    double expected_spend = 0;  // per future transaction (Gamma-Gamma)
    double clv = 0;             // discounted margin over the horizon
};

struct CustomerValueReport {
    std::variant<BgNbdFit, ParetoNbdFit> purchase_fit;
    GammaGammaFit spend_fit;
    std::vector<CustomerValue> customers;  // in the order of `summaries`
};

// Fits the purchase model on all summaries and Gamma-Gamma on the repeaters, then values every
// customer at the calibration end. options.days_per_unit must match the summaries' unit. Fails with
// Invalid on bad options, too little data, or a spend fit with q <= 1 (no finite mean spend); fit
// failures pass through.
core::Result<CustomerValueReport> ComputeCustomerValues(
    const std::vector<CustomerSummary>& summaries, PurchaseModel model, const ClvOptions& options
);

}  // namespace voronka::analytics
