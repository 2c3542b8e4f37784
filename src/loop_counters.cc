#include "loop_counters.h"

#include <algorithm>
#include <mutex>
#include <utility>

namespace pageviews {

LoopCounters::LoopCounters(StoreFor storeFor, Counter::Limits limits, CounterEvents events)
    : storeFor_(std::move(storeFor)),
      limits_(limits),
      events_(std::move(events)),
      turn_(limits.maxInFlight == 1 ? std::make_shared<StatementTurn>() : nullptr) {}

void LoopCounters::start(const std::vector<trantor::EventLoop *> &loops) {
    if (started_.load(std::memory_order_acquire) || loops.empty()) return;
    loops_ = loops;
    for (auto *loop : loops_) {
        counters_.push_back(std::make_unique<Counter>(*loop, storeFor_(*loop), limits_, events_, turn_));
        if (draining_) counters_.back()->startDraining();
    }
    started_.store(true, std::memory_order_release);
}

void LoopCounters::count(Counter::Done done) {
    if (!started_.load(std::memory_order_acquire)) {
        events_.viewFailed(CountFailure::NotCounted);
        done(CountError{CountFailure::NotCounted, "starting"});
        return;
    }
    counterOf(trantor::EventLoop::getEventLoopOfCurrentThread()).count(std::move(done));
}

Counter &LoopCounters::counterOf(const trantor::EventLoop *loop) {
    const auto it = std::find(loops_.begin(), loops_.end(), loop);
    // Not an I/O thread (tests, the main loop): Counter::count is thread-safe.
    return it == loops_.end() ? *counters_.front() : *counters_[static_cast<std::size_t>(it - loops_.begin())];
}

void LoopCounters::startDraining() {
    draining_ = true;
    for (auto &counter : counters_) counter->startDraining();
}

void LoopCounters::whenIdle(trantor::EventLoop &loop, IdleReport then) {
    if (!started_.load(std::memory_order_acquire)) {
        loop.queueInLoop([then = std::move(then)] { then(true, Clock::time_point{}); });
        return;
    }
    // Each counter answers on its own loop; the last one hands the sum to `loop`.
    struct Tally {
        std::mutex mutex;
        std::size_t waiting = 0;
        bool idle = true;
        Clock::time_point lastArrival{};
        trantor::EventLoop *loop = nullptr;
        IdleReport then;
    };
    auto tally = std::make_shared<Tally>();
    tally->waiting = counters_.size();
    tally->loop = &loop;
    tally->then = std::move(then);
    for (auto &counter : counters_) {
        counter->whenIdle([tally](bool idle, Clock::time_point lastArrival) {
            std::lock_guard lock(tally->mutex);
            tally->idle = tally->idle && idle;
            tally->lastArrival = std::max(tally->lastArrival, lastArrival);
            if (--tally->waiting > 0) return;
            tally->loop->queueInLoop([tally] { tally->then(tally->idle, tally->lastArrival); });
        });
    }
}

}  // namespace pageviews
