#include "core/periodic_task.hpp"

namespace voronka::core {

PeriodicTask::PeriodicTask(std::chrono::milliseconds interval, std::function<void()> run) {
    if (interval.count() <= 0) {
        return;
    }
    thread_ = std::jthread([this, interval, run = std::move(run)](std::stop_token stop) {
        std::unique_lock lock(mutex_);
        // Waits out the interval; a stop request ends the wait at once.
        while (!wake_.wait_for(lock, stop, interval, [] { return false; })) {
            if (stop.stop_requested()) {
                return;
            }
            lock.unlock();
            run();
            lock.lock();
        }
    });
}

}  // namespace voronka::core
