// A background job on a timer: the server's scheduled maintenance (RFM rescoring, search-index
// merging) each run one of these.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace voronka::core {

// Calls `run` every `interval` on a thread of its own, the first time one interval after
// construction; never when the interval is not positive. Destruction wakes the thread, waits for
// a run in progress to return and joins.
class PeriodicTask {
public:
    PeriodicTask(std::chrono::milliseconds interval, std::function<void()> run);
    PeriodicTask(const PeriodicTask&) = delete;
    PeriodicTask& operator=(const PeriodicTask&) = delete;

private:
    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::jthread thread_;  // last: stopped and joined before the mutex and the condition go
};

}  // namespace voronka::core
