#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include <trantor/net/EventLoop.h>

#include "counter.h"

namespace pageviews {

// One Counter per HTTP I/O loop: a view is batched, sent and answered on the
// thread that received it. A single shared counter cost every view two
// thread hops (to the counter's loop and back), as much CPU as the database
// statement it saves. When the counters coalesce (Limits::maxInFlight 1)
// they share a StatementTurn: one statement in flight per process, handed
// from loop to loop once per batch, so batches grow instead of statements
// queueing on the database row's lock. Numbers stay exact and gap-free
// either way: every batch is one atomic statement.
class LoopCounters {
  public:
    using Clock = Counter::Clock;
    using IdleReport = std::function<void(bool idle, Clock::time_point lastArrival)>;
    // The store a loop's counter uses; called once per loop, by start().
    using StoreFor = std::function<std::shared_ptr<CounterStore>(trantor::EventLoop &loop)>;

    LoopCounters(StoreFor storeFor, Counter::Limits limits, CounterEvents events = {});
    // Destroy after every loop passed to start() has stopped.
    ~LoopCounters() = default;
    LoopCounters(const LoopCounters &) = delete;
    LoopCounters &operator=(const LoopCounters &) = delete;

    // Creates one counter per loop. Call once, on the thread that calls
    // startDraining (both read and write the draining flag). Views that
    // arrive before are refused as NotCounted ("starting").
    void start(const std::vector<trantor::EventLoop *> &loops);
    // Counts one view on the calling loop's counter (any counter when called
    // from another thread). `done` runs on that counter's loop.
    void count(Counter::Done done);
    // From now on every counter refuses views as NotCounted.
    void startDraining();
    // Calls `then` on `loop` once every counter reported: idle when none has
    // a view queued or in flight, and the latest arrival among them.
    void whenIdle(trantor::EventLoop &loop, IdleReport then);

  private:
    Counter &counterOf(const trantor::EventLoop *loop);

    StoreFor storeFor_;
    Counter::Limits limits_;
    CounterEvents events_;
    // Written by start() only, before started_ is set; read-only afterwards.
    std::vector<trantor::EventLoop *> loops_;
    std::vector<std::unique_ptr<Counter>> counters_;
    // Shared by the counters when they coalesce; null: each sends on its own.
    std::shared_ptr<StatementTurn> turn_;
    std::atomic<bool> started_{false};
    bool draining_ = false;
};

}  // namespace pageviews
