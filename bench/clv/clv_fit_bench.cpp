// Times the BG/NBD fit on 1,000,000 synthetic customers and checks it recovers the parameters.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "analytics/bg_nbd.hpp"
#include "analytics/bg_nbd_simulation.hpp"
#include "analytics/customer_value.hpp"
#include "analytics/pareto_nbd.hpp"
#include "analytics/recency_frequency.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

// Usage: clv_fit_bench [customers]   (default 1000000; exit 1 if a parameter is off by > 5 %)
int main(int argc, char** argv) {
    using voronka::analytics::BgNbdParams;
    const size_t customers = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
    // The CDNOW estimates, weekly unit; a 12-week cohort observed for 39 weeks, daily purchases.
    const BgNbdParams truth{0.243, 4.414, 0.793, 2.426};

    auto start = Clock::now();
    const auto observations = voronka::analytics::SimulateBgNbd(truth, customers, {}, 42);
    const double simulate_s = SecondsSince(start);

    start = Clock::now();
    const auto data = voronka::analytics::CompressRecencyFrequency(observations);
    if (!data) {
        std::fprintf(stderr, "compress failed: %s\n", data.error().message.c_str());
        return 1;
    }
    const double compress_s = SecondsSince(start);

    start = Clock::now();
    const auto fit = voronka::analytics::FitBgNbd(*data);
    if (!fit) {
        std::fprintf(stderr, "fit failed: %s\n", fit.error().internal.c_str());
        return 1;
    }
    const double fit_s = SecondsSince(start);

    std::printf(
        "customers %zu, groups %zu (distinct x %zu, t_x %zu, T %zu)\n",
        customers,
        data->groups.size(),
        data->frequencies.size(),
        data->recencies.size(),
        data->ages.size()
    );
    std::printf(
        "simulate %.2f s, compress %.2f s, fit %.2f s (%d evaluations), compress+fit %.2f s\n",
        simulate_s,
        compress_s,
        fit_s,
        fit->evaluations,
        compress_s + fit_s
    );
    const double got[] = {fit->params.r, fit->params.alpha, fit->params.a, fit->params.b};
    const double want[] = {truth.r, truth.alpha, truth.a, truth.b};
    const char* names[] = {"r", "alpha", "a", "b"};
    bool ok = true;
    for (int i = 0; i < 4; ++i) {
        const double error = got[i] / want[i] - 1;
        std::printf(
            "%-5s true %.4f fitted %.4f (%+.2f %%)\n", names[i], want[i], got[i], 100 * error
        );
        ok = ok && std::fabs(error) <= 0.05;
    }
    std::printf("log-likelihood %.2f\n", fit->log_likelihood);

    // For scale only: the Pareto/NBD fit on the same data (its estimates have no truth here).
    start = Clock::now();
    const auto pareto = voronka::analytics::FitParetoNbd(*data);
    if (!pareto) {
        std::fprintf(stderr, "pareto/nbd fit failed: %s\n", pareto.error().internal.c_str());
        return 1;
    }
    std::printf(
        "pareto/nbd fit %.2f s (%d evaluations), log-likelihood %.2f\n",
        SecondsSince(start),
        pareto->evaluations,
        pareto->log_likelihood
    );

    // Valuing every customer as the refit does: both fits, then expected purchases, P(alive),
    // expected spend and the discounted CLV over 52 weeks. Mean spend per repeat day is drawn
    // from a gamma distribution; the first purchase's value does not enter the models.
    std::vector<voronka::analytics::CustomerSummary> summaries;
    summaries.reserve(observations.size());
    std::mt19937_64 random(7);
    std::gamma_distribution<double> spend(6.25, 15.44 / 3.74);
    for (size_t i = 0; i < observations.size(); ++i) {
        voronka::analytics::CustomerSummary s;
        s.customer_id = std::to_string(i);
        s.frequency = observations[i].frequency;
        s.recency = observations[i].recency;
        s.age = observations[i].age;
        s.monetary_value = s.frequency > 0 ? spend(random) : 0;
        summaries.push_back(std::move(s));
    }
    start = Clock::now();
    const auto values = voronka::analytics::ComputeCustomerValues(
        summaries, voronka::analytics::PurchaseModel::kBgNbd, {}
    );
    if (!values) {
        std::fprintf(stderr, "valuing failed: %s\n", values.error().message.c_str());
        return 1;
    }
    double total = 0;
    for (const auto& v : values->customers) {
        total += v.clv;
    }
    std::printf(
        "value %zu customers (fits, expected purchases, P(alive), spend, 52-week CLV) %.2f s, "
        "CLV total %.0f\n",
        values->customers.size(),
        SecondsSince(start),
        total
    );
    return ok ? 0 : 1;
}
