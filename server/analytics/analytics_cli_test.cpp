// Tests for `analytics fit` and `analytics clv` through CLI11, as the composition root runs them.
#include "analytics/analytics_cli.hpp"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "analytics/analytics_test_data.hpp"

namespace voronka::analytics {
namespace {

struct CliRun {
    int exit_code = 0;
    std::string out;
    std::string err;
};

// Parses `args` as the voronka binary would, mapping CLI11 errors through App::exit.
CliRun RunCli(const std::string& args) {
    CLI::App app("voronka");
    std::ostringstream out, err;
    RegisterAnalyticsCommands(app, out, err);
    CliRun run;
    try {
        app.parse(args, false);
    } catch (const CLI::ParseError& e) {
        run.exit_code = app.exit(e, out, err);
    }
    run.out = out.str();
    run.err = err.str();
    return run;
}

std::string CdnowArgs() {
    return " --input " + test_data::SharedDataPath("cdnow/cdnowElog.csv") +
           " --customer-col sampleid --date-col date --amount-col sales --date-format %Y%m%d"
           " --calibration-end 1997-09-30 --unit week";
}

std::string WriteCsv(const std::string& name, const std::string& text) {
    const std::string path = ::testing::TempDir() + name;
    std::ofstream(path) << text;
    return path;
}

TEST(AnalyticsCliTest, FitBgNbdPrintsJson) {
    const auto run = RunCli("analytics fit --model bgnbd" + CdnowArgs());
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto json = core::Json::parse(run.out);
    EXPECT_EQ(json["model"], "bgnbd");
    EXPECT_EQ(json["customers"], 2357);
    EXPECT_NEAR(json["params"]["r"].get<double>(), 0.243, 0.243 * 0.01);
    EXPECT_NEAR(json["params"]["alpha"].get<double>(), 4.414, 4.414 * 0.01);
    EXPECT_NEAR(json["params"]["a"].get<double>(), 0.793, 0.793 * 0.01);
    EXPECT_NEAR(json["params"]["b"].get<double>(), 2.426, 2.426 * 0.01);
    EXPECT_NEAR(json["log_likelihood"].get<double>(), -9582.4, 0.05);
}

TEST(AnalyticsCliTest, FitGammaGammaPrintsJson) {
    const auto run = RunCli("analytics fit --model gamma-gamma" + CdnowArgs());
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto json = core::Json::parse(run.out);
    EXPECT_EQ(json["model"], "gamma-gamma");
    EXPECT_EQ(json["customers"], 946);
    EXPECT_NEAR(json["params"]["p"].get<double>(), 6.25, 6.25 * 0.01);
}

TEST(AnalyticsCliTest, ClvPrintsTopCustomersAsJsonLines) {
    const auto run = RunCli(
        "analytics clv" + CdnowArgs() +
        " --horizon-weeks 52 --annual-discount-rate 0.1 --margin 0.3 --limit 3"
    );
    ASSERT_EQ(run.exit_code, 0) << run.err;
    std::istringstream lines(run.out);
    std::string line;
    std::vector<core::Json> rows;
    while (std::getline(lines, line)) {
        rows.push_back(core::Json::parse(line));
    }
    ASSERT_EQ(rows.size(), 3u);
    for (const char* key :
         {"customer",
          "frequency",
          "recency",
          "T",
          "expected_purchases",
          "p_alive",
          "expected_spend",
          "clv"}) {
        EXPECT_TRUE(rows[0].contains(key)) << key;
    }
    EXPECT_GE(rows[0]["clv"].get<double>(), rows[1]["clv"].get<double>());
    EXPECT_GE(rows[1]["clv"].get<double>(), rows[2]["clv"].get<double>());
    EXPECT_GT(rows[2]["clv"].get<double>(), 0.0);
}

TEST(AnalyticsCliTest, ErrorsGoToStderrWithNonZeroExit) {
    const std::string good = WriteCsv("cli_good.csv", "id,day,amount\n1,2024-01-01,5\n");
    const std::string bad_date = WriteCsv("cli_bad_date.csv", "id,day,amount\n1,2024-13-01,5\n");
    const std::string common = " --customer-col id --date-col day --amount-col amount";

    const struct {
        std::string args;
        std::string message;
    } cases[] = {
        {"analytics fit --model bgnbd --input /nonexistent.csv" + common +
             " --calibration-end 2024-06-30",
         "analytics fit: cannot open input file '/nonexistent.csv'\n"},
        {"analytics fit --model bgnbd --input " + good +
             " --customer-col client --date-col day --calibration-end 2024-06-30",
         "analytics fit: " + good +
             ": customer column 'client' not found in header (columns: id, day, amount)\n"},
        {"analytics clv --input " + bad_date + common + " --calibration-end 2024-06-30",
         "analytics clv: " + bad_date + ": line 2: date '2024-13-01' is not a calendar date\n"},
        {"analytics fit --model bgnbd --input " + good + common + " --calibration-end 2024/06/30",
         "analytics fit: --calibration-end: date '2024/06/30' does not match format "
         "'%Y-%m-%d'\n"},
        {"analytics fit --model bgnbd --input " + good + common + " --calibration-end 2023-06-30",
         "analytics fit: no customer has a purchase on or before the calibration end "
         "2023-06-30\n"},
    };

    for (const auto& c : cases) {
        const auto run = RunCli(c.args);
        EXPECT_EQ(run.exit_code, 1) << c.args;
        EXPECT_EQ(run.err, c.message);
        EXPECT_EQ(run.out, "");
    }
}

TEST(AnalyticsCliTest, UsageErrorsAreRejectedByCli11) {
    const auto unknown_model = RunCli(
        "analytics fit --model nope --input x.csv --customer-col c "
        "--date-col d --calibration-end 2024-01-01"
    );
    EXPECT_NE(unknown_model.exit_code, 0);
    EXPECT_NE(unknown_model.err.find("--model"), std::string::npos) << unknown_model.err;
    const auto missing = RunCli("analytics clv --input x.csv");
    EXPECT_NE(missing.exit_code, 0);
    EXPECT_NE(missing.err.find("required"), std::string::npos) << missing.err;
    EXPECT_NE(RunCli("analytics").exit_code, 0);
}

TEST(AnalyticsCliTest, EverySubcommandHasHelp) {
    for (const char* args : {"analytics --help", "analytics fit --help", "analytics clv --help"}) {
        const auto run = RunCli(args);
        EXPECT_EQ(run.exit_code, 0) << args;
        EXPECT_NE(run.out.find("Usage"), std::string::npos) << args;
    }
    const auto clv_help = RunCli("analytics clv --help");
    for (const char* option :
         {"--horizon-weeks",
          "--annual-discount-rate",
          "--margin",
          "--limit",
          "--calibration-end",
          "--unit",
          "--date-format"}) {
        EXPECT_NE(clv_help.out.find(option), std::string::npos) << option;
    }
}

}  // namespace
}  // namespace voronka::analytics
