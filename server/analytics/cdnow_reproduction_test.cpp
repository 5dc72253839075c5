// Reproduces the published CDNOW figures (FHL 2005a/b, Hardie notes) from the raw event log.
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "analytics/analytics_test_data.hpp"
#include "analytics/bg_nbd.hpp"
#include "analytics/customer_summary.hpp"
#include "analytics/date_format.hpp"
#include "analytics/gamma_gamma.hpp"
#include "analytics/pareto_nbd.hpp"
#include "analytics/recency_frequency.hpp"
#include "analytics/transaction_reader.hpp"

namespace voronka::analytics {
namespace {

// The 2,357-customer sample, 39-week calibration ending 1997-09-30, weekly unit.
struct Cdnow {
    std::vector<CustomerSummary> summaries;
    RecencyFrequencyData data;
    BgNbdFit bg_nbd;
    ParetoNbdFit pareto_nbd;
    GammaGammaFit gamma_gamma;
    std::vector<SpendObservation> spend;
};

// Loaded and fitted once for the whole binary: the fits are the slow part under sanitizers.
const Cdnow& LoadCdnow() {
    static const Cdnow cdnow = [] {
        Cdnow c;
        TransactionCsvOptions options{"sampleid", "date", "sales", "%Y%m%d", ','};
        auto transactions =
            ReadTransactionsCsv(test_data::SharedDataPath("cdnow/cdnowElog.csv"), options);
        EXPECT_TRUE(transactions.has_value()) << transactions.error().message;
        if (!transactions) {
            return c;
        }
        EXPECT_EQ(transactions->size(), 6919u);
        const auto end = ParseDate("1997-09-30", "%Y-%m-%d");
        c.summaries = SummariseTransactions(*transactions, {*end, {}, TimeUnit::kWeek});
        auto data = CompressRecencyFrequency(ToRecencyFrequency(c.summaries));
        EXPECT_TRUE(data.has_value());
        c.data = *data;
        auto bg = FitBgNbd(c.data);
        EXPECT_TRUE(bg.has_value()) << bg.error().internal;
        c.bg_nbd = *bg;
        auto pareto = FitParetoNbd(c.data);
        EXPECT_TRUE(pareto.has_value()) << pareto.error().internal;
        c.pareto_nbd = *pareto;
        c.spend = RepeatSpend(c.summaries);
        auto gg = FitGammaGamma(c.spend);
        EXPECT_TRUE(gg.has_value());
        c.gamma_gamma = *gg;
        return c;
    }();
    return cdnow;
}

const CustomerSummary* FindCustomer(const Cdnow& cdnow, const std::string& id) {
    for (const auto& s : cdnow.summaries) {
        if (s.customer_id == id) {
            return &s;
        }
    }
    return nullptr;
}

// |actual / published - 1| <= 1 %.
void ExpectWithinOnePercent(double actual, double published, const char* name) {
    EXPECT_NEAR(actual / published, 1.0, 0.01)
        << name << " = " << actual << ", published " << published;
}

TEST(CdnowTest, CalibrationFrequencyHistogramMatchesBtyd) {
    const auto& cdnow = LoadCdnow();
    ASSERT_EQ(cdnow.summaries.size(), 2357u);
    std::vector<int> histogram(8, 0);
    for (const auto& s : cdnow.summaries) {
        ++histogram[std::min<int64_t>(s.frequency, 7)];
    }
    EXPECT_EQ(histogram, (std::vector<int>{1411, 439, 214, 100, 62, 38, 29, 64}));
    EXPECT_EQ(cdnow.spend.size(), 946u);
}

TEST(CdnowTest, SummaryMatchesPublishedSummaryFile) {
    const auto& cdnow = LoadCdnow();
    std::ifstream file(
        test_data::SharedDataPath("cdnow/cdnow_customers_summary_with_transactions.csv")
    );
    ASSERT_TRUE(file) << "missing cdnow_customers_summary_with_transactions.csv";
    std::string line;
    std::getline(file, line);  // ID,x,t_x,T,zbar
    int rows = 0;
    while (std::getline(file, line)) {
        std::istringstream row(line);
        std::string id, x, t_x, age, zbar;
        std::getline(row, id, ',');
        std::getline(row, x, ',');
        std::getline(row, t_x, ',');
        std::getline(row, age, ',');
        std::getline(row, zbar, ',');
        const auto* s = FindCustomer(cdnow, id);
        ASSERT_NE(s, nullptr) << "customer " << id;
        EXPECT_EQ(s->frequency, std::stoll(x)) << id;
        EXPECT_NEAR(s->recency, std::stod(t_x), 0.005 + 1e-9) << id;
        EXPECT_NEAR(s->age, std::stod(age), 0.005 + 1e-9) << id;
        EXPECT_NEAR(s->monetary_value, std::stod(zbar), 0.005 + 1e-9) << id;
        ++rows;
    }
    EXPECT_EQ(rows, 2357);
}

TEST(CdnowTest, BgNbdMatchesPaperTable2) {
    const auto& fit = LoadCdnow().bg_nbd;
    ExpectWithinOnePercent(fit.params.r, 0.243, "r");
    ExpectWithinOnePercent(fit.params.alpha, 4.414, "alpha");
    ExpectWithinOnePercent(fit.params.a, 0.793, "a");
    ExpectWithinOnePercent(fit.params.b, 2.426, "b");
    EXPECT_NEAR(fit.log_likelihood, -9582.4, 0.05);
}

TEST(CdnowTest, BgNbdConditionalExpectationForCustomerOne) {
    const auto& cdnow = LoadCdnow();
    const auto* one = FindCustomer(cdnow, "1");
    ASSERT_NE(one, nullptr);
    EXPECT_EQ(one->frequency, 2);
    const RecencyFrequency rf{one->frequency, one->recency, one->age};
    // Weeks 40-78 are t = 39 weeks after the calibration end.
    EXPECT_NEAR(BgNbdConditionalExpectedPurchases(cdnow.bg_nbd.params, rf, 39.0), 1.226, 0.002);
    EXPECT_NEAR(
        BgNbdConditionalExpectedPurchases({0.243, 4.414, 0.793, 2.426}, rf, 39.0), 1.226, 0.002
    );
}

TEST(CdnowTest, ParetoNbdMatchesPaperTable2) {
    const auto& fit = LoadCdnow().pareto_nbd;
    ExpectWithinOnePercent(fit.params.r, 0.553, "r");
    ExpectWithinOnePercent(fit.params.alpha, 10.578, "alpha");
    ExpectWithinOnePercent(fit.params.s, 0.606, "s");
    ExpectWithinOnePercent(fit.params.beta, 11.669, "beta");
    EXPECT_NEAR(fit.log_likelihood, -9595.0, 0.05);
}

TEST(CdnowTest, GammaGammaMatchesRfmAndClvPaper) {
    const auto& cdnow = LoadCdnow();
    const auto& fit = cdnow.gamma_gamma;
    ExpectWithinOnePercent(fit.params.p, 6.25, "p");
    ExpectWithinOnePercent(fit.params.q, 3.74, "q");
    ExpectWithinOnePercent(fit.params.gamma, 15.44, "gamma");
    // The paper reports the likelihood of the spend totals x * z-bar: LL(mean) - sum(log x).
    double sum_log_x = 0;
    for (const auto& o : cdnow.spend) {
        sum_log_x += std::log(static_cast<double>(o.frequency));
    }
    EXPECT_NEAR(fit.log_likelihood - sum_log_x, -4659.0, 0.5);
}

}  // namespace
}  // namespace voronka::analytics
