#include "core/periodic_task.hpp"

#include <atomic>

#include <gtest/gtest.h>

namespace voronka::core {
namespace {

using namespace std::chrono_literals;

TEST(PeriodicTaskTest, RunsEveryIntervalUntilDestroyed) {
    std::atomic<int> runs{0};
    {
        PeriodicTask task(5ms, [&] { ++runs; });
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (runs < 3 && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(1ms);
        }
    }
    const int seen = runs;
    EXPECT_GE(seen, 3);
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(runs, seen) << "no run after destruction";
}

TEST(PeriodicTaskTest, DestructionDoesNotWaitForTheInterval) {
    const auto start = std::chrono::steady_clock::now();
    {
        PeriodicTask task(std::chrono::hours(24), [] { FAIL() << "ran before its interval"; });
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(PeriodicTaskTest, ANonPositiveIntervalNeverRuns) {
    std::atomic<int> runs{0};
    {
        PeriodicTask task(0ms, [&] { ++runs; });
        std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(runs, 0);
}

}  // namespace
}  // namespace voronka::core
