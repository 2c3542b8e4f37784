#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include <trantor/net/EventLoop.h>

#include "counter_store.h"
#include "defaults.h"
#include "statement_turn.h"

namespace pageviews {

// The numbers a batch of `size` views gets when the statement that added
// them returned `total`: total-size+1 ... total, in arrival order.
std::vector<std::int64_t> numbersForBatch(std::int64_t total, std::size_t size);

// Told of every statement sent and every view that failed, for metrics.
struct CounterEvents {
    std::function<void(std::size_t views)> batchSent = [](std::size_t) {};
    std::function<void(CountFailure)> viewFailed = [](CountFailure) {};
};

// Coalesces concurrent views into one increment per batch: views that arrive
// while a batch is in flight wait for the next one, so the database sees one
// statement per round trip however many views arrive. Every view is answered
// once: with its number after the batch committed, or with a CountError no
// later than its deadline. All state lives on one event loop thread.
class Counter {
  public:
    using Clock = std::chrono::steady_clock;
    using Done = std::function<void(StoreReply)>;

    struct Limits {
        std::size_t maxBatch = defaults::kBatchMaxSize;
        std::chrono::microseconds maxWait = defaults::kBatchMaxWait;  // linger of an idle counter
        std::size_t maxInFlight = 1;                                  // 1: coalesce; many with maxBatch 1: per-request
        std::chrono::milliseconds timeout = defaults::kDbTimeout;
        std::size_t maxQueued = 100000;  // beyond this, shed load
    };

    // With a `turn`, a batch is sent only while this counter holds it
    // (shared by the counters of one process: one statement in flight among
    // them); without, each counter has its own limits_.maxInFlight.
    Counter(trantor::EventLoop &loop, std::shared_ptr<CounterStore> store, Limits limits, CounterEvents events = {},
            std::shared_ptr<StatementTurn> turn = nullptr);
    // Destroy on the counter's loop thread or after that loop stopped; with a
    // turn, only together with every counter that shares it.
    ~Counter();
    Counter(const Counter &) = delete;
    Counter &operator=(const Counter &) = delete;

    // Counts one view; thread-safe. `done` runs on the counter's loop.
    void count(Done done);
    // From now on views are refused as NotCounted; thread-safe.
    void startDraining();
    // Calls `then` on the counter's loop once no view is queued or in flight.
    void whenIdle(std::function<void(bool idle, Clock::time_point lastArrival)> then);

  private:
    struct Waiter {
        Done done;
        Clock::time_point deadline;
    };
    struct Batch {
        std::vector<Done> waiters;
        trantor::TimerId timer = 0;
    };

    void enqueue(Done done);
    void flush();
    bool mayFlush();
    void releaseTurnIfIdle();
    void sendBatch();
    void fail(Done &done, const CountError &error);
    void failWaiters(std::vector<Done> &waiters, const CountError &error);
    void onReply(std::uint64_t batchId, StoreReply reply);
    void onTimeout(std::uint64_t batchId);

    trantor::EventLoop &loop_;
    std::shared_ptr<CounterStore> store_;
    Limits limits_;
    CounterEvents events_;
    std::deque<Waiter> queue_;
    std::map<std::uint64_t, Batch> inFlight_;
    std::uint64_t nextBatchId_ = 1;
    std::shared_ptr<StatementTurn> turn_;
    bool holdsTurn_ = false;
    bool waitingForTurn_ = false;
    bool lingering_ = false;
    bool draining_ = false;
    Clock::time_point lastArrival_{};
    // Replies and timers check this, so none touches a destroyed Counter.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace pageviews
