// Glue from summaries to fitted models to per-customer expected purchases, spend and CLV.
#include "analytics/customer_value.hpp"

#include <functional>
#include <map>
#include <tuple>

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
    std::function<double(const RecencyFrequency&, double)> expected;
    std::function<double(const RecencyFrequency&)> p_alive;
    if (model == PurchaseModel::kBgNbd) {
        VK_ASSIGN_OR_RETURN(const auto fit, FitBgNbd(data));
        report.purchase_fit = fit;
        expected = [params = fit.params](const RecencyFrequency& c, double t) {
            return BgNbdConditionalExpectedPurchases(params, c, t);
        };
        p_alive = [params = fit.params](const RecencyFrequency& c) {
            return BgNbdProbabilityAlive(params, c);
        };
    } else {
        VK_ASSIGN_OR_RETURN(const auto fit, FitParetoNbd(data));
        report.purchase_fit = fit;
        expected = [params = fit.params](const RecencyFrequency& c, double t) {
            return ParetoNbdConditionalExpectedPurchases(params, c, t);
        };
        p_alive = [params = fit.params](const RecencyFrequency& c) {
            return ParetoNbdProbabilityAlive(params, c);
        };
    }
    const double horizon = options.horizon_weeks * 7.0 / options.days_per_unit;

    // Customers with equal (x, t_x, T) have equal expectations: a million customers fall into
    // about a hundred thousand such groups, and the CLV sum costs a model evaluation a week.
    struct Expectations {
        double expected_purchases;
        double p_alive;
        double discounted_purchases;
    };

    std::map<std::tuple<int64_t, double, double>, Expectations> by_group;
    report.customers.reserve(summaries.size());
    for (size_t i = 0; i < summaries.size(); ++i) {
        const auto& s = summaries[i];
        const auto& observation = observations[i];
        auto [group, fresh] = by_group.try_emplace(
            std::tuple(observation.frequency, observation.recency, observation.age)
        );
        if (fresh) {
            group->second = {
                expected(observation, horizon),
                p_alive(observation),
                DiscountedPurchases([&](double t) { return expected(observation, t); }, options)};
        }
        CustomerValue value;
        value.customer_id = s.customer_id;
        value.frequency = s.frequency;
        value.recency = s.recency;
        value.age = s.age;
        value.expected_purchases = group->second.expected_purchases;
        value.p_alive = group->second.p_alive;
        value.expected_spend = GammaGammaConditionalExpectedSpend(
            report.spend_fit.params, s.frequency, s.monetary_value
        );
        value.clv =
            DiscountedClvOf(group->second.discounted_purchases, value.expected_spend, options);
        report.customers.push_back(std::move(value));
    }
    return report;
}

}  // namespace voronka::analytics
