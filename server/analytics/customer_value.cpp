// Glue from summaries to fitted models to per-customer expected purchases, spend and CLV.
#include "analytics/customer_value.hpp"

#include <functional>
#include <map>
#include <utility>

#include "analytics/recency_frequency.hpp"

namespace voronka::analytics {

core::Result<PurchaseModel> ParsePurchaseModel(std::string_view text) {
    if (text == "bgnbd") {
        return PurchaseModel::kBgNbd;
    }
    if (text == "pareto-nbd") {
        return PurchaseModel::kParetoNbd;
    }
    return core::Error::Invalid(
        "purchase model must be 'bgnbd' or 'pareto-nbd', got '" + std::string(text) + "'"
    );
}

core::Result<CustomerValueReport> ComputeCustomerValues(
    const std::vector<CustomerSummary>& summaries, PurchaseModel model, const ClvOptions& options
) {
    VK_RETURN_IF_ERROR(ValidateClvOptions(options));
    const auto observations = ToRecencyFrequency(summaries);
    VK_ASSIGN_OR_RETURN(const auto data, CompressRecencyFrequency(observations));
    CustomerValueReport report;
    VK_ASSIGN_OR_RETURN(report.spend_fit, FitGammaGamma(RepeatSpend(summaries)));
    if (!(report.spend_fit.params.q > 1)) {
        return core::Error::Invalid("spend model has q <= 1: mean spend is unbounded");
    }
    // E[Y(t) | x, t_x, T] = if_alive(x, T, t) * P(alive | x, t_x, T) in both models.
    std::function<double(int64_t, double, double)> if_alive;
    std::function<double(const RecencyFrequency&)> p_alive;
    if (model == PurchaseModel::kBgNbd) {
        VK_ASSIGN_OR_RETURN(const auto fit, FitBgNbd(data));
        report.purchase_fit = fit;
        if_alive = [params = fit.params](int64_t x, double age, double t) {
            return BgNbdExpectedPurchasesIfAlive(params, x, age, t);
        };
        p_alive = [params = fit.params](const RecencyFrequency& c) {
            return BgNbdProbabilityAlive(params, c);
        };
    } else {
        VK_ASSIGN_OR_RETURN(const auto fit, FitParetoNbd(data));
        report.purchase_fit = fit;
        if_alive = [params = fit.params](int64_t x, double age, double t) {
            return ParetoNbdExpectedPurchasesIfAlive(params, x, age, t);
        };
        p_alive = [params = fit.params](const RecencyFrequency& c) {
            return ParetoNbdProbabilityAlive(params, c);
        };
    }
    const double horizon = options.horizon_weeks * 7.0 / options.days_per_unit;

    // The horizon's expected purchases and the discounted sum (a model evaluation a week) depend
    // on x and T only, as a factor of P(alive): a million customers share a few thousand (x, T).
    struct IfAlive {
        double expected_purchases;
        double discounted_purchases;
    };

    std::map<std::pair<int64_t, double>, IfAlive> by_x_and_age;
    report.customers.reserve(summaries.size());
    for (size_t i = 0; i < summaries.size(); ++i) {
        const auto& s = summaries[i];
        const auto& observation = observations[i];
        auto [shared, fresh] =
            by_x_and_age.try_emplace(std::pair(observation.frequency, observation.age));
        if (fresh) {
            shared->second = {
                if_alive(observation.frequency, observation.age, horizon),
                DiscountedPurchases(
                    [&](double t) { return if_alive(observation.frequency, observation.age, t); },
                    options
                )};
        }
        CustomerValue value;
        value.customer_id = s.customer_id;
        value.frequency = s.frequency;
        value.recency = s.recency;
        value.age = s.age;
        value.p_alive = p_alive(observation);
        value.expected_purchases = shared->second.expected_purchases * value.p_alive;
        value.expected_spend = GammaGammaConditionalExpectedSpend(
            report.spend_fit.params, s.frequency, s.monetary_value
        );
        value.clv = DiscountedClvOf(
            shared->second.discounted_purchases * value.p_alive, value.expected_spend, options
        );
        report.customers.push_back(std::move(value));
    }
    return report;
}

}  // namespace voronka::analytics
