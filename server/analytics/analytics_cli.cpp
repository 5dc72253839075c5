// CLI11 wiring for `analytics fit` and `analytics clv`; all work happens in Run*Command.
#include "analytics/analytics_cli.hpp"

#include <algorithm>
#include <iostream>
#include <memory>

#include "analytics/bg_nbd.hpp"
#include "analytics/customer_summary.hpp"
#include "analytics/customer_value.hpp"
#include "analytics/date_format.hpp"
#include "analytics/gamma_gamma.hpp"
#include "analytics/pareto_nbd.hpp"
#include "analytics/recency_frequency.hpp"

namespace voronka::analytics {

namespace {

struct LoadedInput {
    std::vector<CustomerSummary> summaries;
    TimeUnit unit = TimeUnit::kWeek;
};

core::Result<LoadedInput> LoadSummaries(const AnalyticsInput& input) {
    LoadedInput loaded;
    VK_ASSIGN_OR_RETURN(loaded.unit, ParseTimeUnit(input.unit));
    auto calibration_end = ParseDate(input.calibration_end, "%Y-%m-%d");
    if (!calibration_end) {
        return core::Error::Invalid("--calibration-end: " + calibration_end.error().message);
    }
    VK_ASSIGN_OR_RETURN(const auto transactions, ReadTransactionsCsv(input.path, input.csv));
    loaded.summaries = SummariseTransactions(transactions, {*calibration_end, {}, loaded.unit});
    if (loaded.summaries.empty()) {
        return core::Error::Invalid(
            "no customer has a purchase on or before the calibration end " + input.calibration_end
        );
    }
    return loaded;
}

core::Json FitJson(
    std::string_view model,
    core::Json params,
    double log_likelihood,
    size_t customers,
    const AnalyticsInput& input
) {
    return {
        {"model", model},
        {"params", std::move(params)},
        {"log_likelihood", log_likelihood},
        {"customers", customers},
        {"unit", input.unit},
        {"calibration_end", input.calibration_end}};
}

void AddInputOptions(CLI::App* command, AnalyticsInput* input, bool amount_required) {
    command->add_option("--input", input->path, "CSV file of transactions (header row)")
        ->required();
    command->add_option("--customer-col", input->csv.customer_col, "customer id column")
        ->required();
    command->add_option("--date-col", input->csv.date_col, "purchase date column")->required();
    auto* amount = command->add_option(
        "--amount-col", input->csv.amount_col, "purchase amount column (plain decimal)"
    );
    if (amount_required) {
        amount->required();
    }
    command->add_option("--date-format", input->csv.date_format, "date format: %Y %m %d %%")
        ->capture_default_str();
    command
        ->add_option(
            "--calibration-end", input->calibration_end, "last calibration day, YYYY-MM-DD"
        )
        ->required();
    command->add_option("--unit", input->unit, "model time unit")
        ->check(CLI::IsMember({"week", "day"}))
        ->capture_default_str();
}

[[noreturn]] void Fail(std::ostream& err, std::string_view command, const core::Error& error) {
    err << "analytics " << command << ": " << error.message;
    for (const auto& field : error.fields) {
        err << " (" << field.field << ": " << field.message << ")";
    }
    err << "\n";
    throw CLI::RuntimeError(1);
}

}  // namespace

core::Result<core::Json> RunFitCommand(const AnalyticsInput& input, const std::string& model) {
    if (model == "gamma-gamma" && input.csv.amount_col.empty()) {
        return core::Error::Invalid("gamma-gamma needs --amount-col");
    }
    VK_ASSIGN_OR_RETURN(const auto loaded, LoadSummaries(input));
    if (model == "gamma-gamma") {
        const auto spend = RepeatSpend(loaded.summaries);
        VK_ASSIGN_OR_RETURN(const auto fit, FitGammaGamma(spend));
        const auto& p = fit.params;
        return FitJson(
            model,
            {{"p", p.p}, {"q", p.q}, {"gamma", p.gamma}},
            fit.log_likelihood,
            spend.size(),
            input
        );
    }
    VK_ASSIGN_OR_RETURN(
        const auto data, CompressRecencyFrequency(ToRecencyFrequency(loaded.summaries))
    );
    if (model == "bgnbd") {
        VK_ASSIGN_OR_RETURN(const auto fit, FitBgNbd(data));
        const auto& p = fit.params;
        return FitJson(
            model,
            {{"r", p.r}, {"alpha", p.alpha}, {"a", p.a}, {"b", p.b}},
            fit.log_likelihood,
            loaded.summaries.size(),
            input
        );
    }
    if (model == "pareto-nbd") {
        VK_ASSIGN_OR_RETURN(const auto fit, FitParetoNbd(data));
        const auto& p = fit.params;
        return FitJson(
            model,
            {{"r", p.r}, {"alpha", p.alpha}, {"s", p.s}, {"beta", p.beta}},
            fit.log_likelihood,
            loaded.summaries.size(),
            input
        );
    }
    return core::Error::Invalid(
        "model must be bgnbd, pareto-nbd or gamma-gamma, got '" + model + "'"
    );
}

core::Result<std::vector<core::Json>> RunClvCommand(
    const AnalyticsInput& input, const ClvCommandOptions& options
) {
    VK_ASSIGN_OR_RETURN(const auto model, ParsePurchaseModel(options.model));
    if (options.limit < 0) {
        return core::Error::Invalid("--limit must not be negative");
    }
    VK_ASSIGN_OR_RETURN(const auto loaded, LoadSummaries(input));
    const ClvOptions clv_options{
        options.horizon_weeks,
        options.annual_discount_rate,
        options.margin,
        DaysPerUnit(loaded.unit)};
    VK_ASSIGN_OR_RETURN(auto report, ComputeCustomerValues(loaded.summaries, model, clv_options));
    auto& customers = report.customers;
    std::stable_sort(customers.begin(), customers.end(), [](const auto& l, const auto& r) {
        return l.clv > r.clv;
    });
    if (options.limit > 0 && customers.size() > static_cast<size_t>(options.limit)) {
        customers.resize(static_cast<size_t>(options.limit));
    }
    std::vector<core::Json> lines;
    lines.reserve(customers.size());
    for (const auto& c : customers) {
        lines.push_back(
            {{"customer", c.customer_id},
             {"frequency", c.frequency},
             {"recency", c.recency},
             {"T", c.age},
             {"expected_purchases", c.expected_purchases},
             {"p_alive", c.p_alive},
             {"expected_spend", c.expected_spend},
             {"clv", c.clv}}
        );
    }
    return lines;
}

void RegisterAnalyticsCommands(CLI::App& app) {
    RegisterAnalyticsCommands(app, std::cout, std::cerr);
}

void RegisterAnalyticsCommands(CLI::App& app, std::ostream& out, std::ostream& err) {
    auto* analytics = app.add_subcommand("analytics", "Customer analytics: CLV models");
    analytics->require_subcommand(1);

    auto* fit =
        analytics->add_subcommand("fit", "Fit a CLV model to a transaction CSV; prints JSON");
    auto fit_input = std::make_shared<AnalyticsInput>();
    auto fit_model = std::make_shared<std::string>();
    fit->add_option("--model", *fit_model, "bgnbd | pareto-nbd | gamma-gamma")
        ->required()
        ->check(CLI::IsMember({"bgnbd", "pareto-nbd", "gamma-gamma"}));
    AddInputOptions(fit, fit_input.get(), false);
    fit->callback([fit_input, fit_model, &out, &err] {
        auto result = RunFitCommand(*fit_input, *fit_model);
        if (!result) {
            Fail(err, "fit", result.error());
        }
        out << core::DumpJson(*result) << "\n";
    });

    auto* clv = analytics->add_subcommand(
        "clv",
        "Per-customer expected purchases, spend and discounted CLV; prints JSON lines, best first"
    );
    auto clv_input = std::make_shared<AnalyticsInput>();
    auto clv_options = std::make_shared<ClvCommandOptions>();
    AddInputOptions(clv, clv_input.get(), true);
    clv->add_option("--model", clv_options->model, "purchase model: bgnbd | pareto-nbd")
        ->check(CLI::IsMember({"bgnbd", "pareto-nbd"}))
        ->capture_default_str();
    clv->add_option("--horizon-weeks", clv_options->horizon_weeks, "horizon in weeks")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    clv->add_option(
           "--annual-discount-rate",
           clv_options->annual_discount_rate,
           "annual discount rate (0.1 = 10 %)"
    )
        ->capture_default_str();
    clv->add_option("--margin", clv_options->margin, "profit margin on revenue (0.3 = 30 %)")
        ->capture_default_str();
    clv->add_option("--limit", clv_options->limit, "print only the N highest-CLV customers")
        ->check(CLI::NonNegativeNumber);
    clv->callback([clv_input, clv_options, &out, &err] {
        auto result = RunClvCommand(*clv_input, *clv_options);
        if (!result) {
            Fail(err, "clv", result.error());
        }
        for (const auto& line : *result) {
            out << core::DumpJson(line) << "\n";
        }
    });
}

}  // namespace voronka::analytics
