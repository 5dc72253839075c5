// `voronka analytics ...` subcommands (fit, clv) and the testable functions behind them.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "analytics/transaction_reader.hpp"
#include "core/json.hpp"
#include "core/result.hpp"
#include <CLI/CLI.hpp>

namespace voronka::analytics {

// Adds `analytics` with `fit` and `clv` to `app`; results go to stdout, errors to stderr.
// A failing command prints "analytics <cmd>: <message>" and throws CLI::RuntimeError(1), which
// CLI::App::exit turns into exit status 1 without printing anything more.
void RegisterAnalyticsCommands(CLI::App& app);

// As above with explicit streams (for tests).
void RegisterAnalyticsCommands(CLI::App& app, std::ostream& out, std::ostream& err);

struct AnalyticsInput {
    std::string path;
    TransactionCsvOptions csv;
    std::string calibration_end;  // YYYY-MM-DD, inclusive
    std::string unit = "week";    // week | day
};

// `analytics fit`: {"model", "params": {...}, "log_likelihood", "customers", ...}.
// model: bgnbd | pareto-nbd | gamma-gamma (the last fits the repeaters' mean spend).
core::Result<core::Json> RunFitCommand(const AnalyticsInput& input, const std::string& model);

struct ClvCommandOptions {
    std::string model = "bgnbd";  // purchase model: bgnbd | pareto-nbd
    int horizon_weeks = 52;
    double annual_discount_rate = 0.1;
    double margin = 1.0;
    int64_t limit = 0;  // 0: all customers
};

// `analytics clv`: one object per customer, highest CLV first (ties in input order), at most
// `limit`: {"customer", "frequency", "recency", "T", "expected_purchases", "p_alive",
// "expected_spend", "clv"}.
core::Result<std::vector<core::Json>> RunClvCommand(
    const AnalyticsInput& input, const ClvCommandOptions& options
);

}  // namespace voronka::analytics
