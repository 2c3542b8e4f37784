#pragma once
// Test doubles for the counters: a store the test answers by hand and a
// collector of the replies views get.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

#include "counter.h"
#include "counter_store.h"

namespace pageviews {

using namespace std::chrono_literals;

// A store whose statements the test completes by hand, like a database that
// answers when told to.
class ManualStore : public CounterStore {
  public:
    void add(std::int64_t amount, std::function<void(StoreReply)> done) override {
        std::lock_guard lock(mutex_);
        pending_.push_back({amount, std::move(done)});
        changed_.notify_all();
    }
    bool reachable() const override { return reachable_; }

    // Waits for the n-th statement (0-based) and returns its amount.
    std::int64_t amountOf(std::size_t n) {
        std::unique_lock lock(mutex_);
        const bool arrived = changed_.wait_for(lock, 2s, [&] { return pending_.size() > n; });
        return arrived ? pending_[n].amount : -1;
    }
    std::size_t statements() {
        std::lock_guard lock(mutex_);
        return pending_.size();
    }
    void commit(std::size_t n) {
        std::function<void(StoreReply)> done;
        {
            std::lock_guard lock(mutex_);
            total_ += pending_[n].amount;
            done = pending_[n].done;
        }
        done(total_);
    }
    void answer(std::size_t n, StoreReply reply) {
        std::function<void(StoreReply)> done;
        {
            std::lock_guard lock(mutex_);
            done = pending_[n].done;
        }
        done(std::move(reply));
    }
    std::atomic<bool> reachable_{true};

  private:
    struct Statement {
        std::int64_t amount;
        std::function<void(StoreReply)> done;
    };
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Statement> pending_;
    std::int64_t total_ = 0;
};

// Collects the replies the counter gives.
class Replies {
  public:
    Counter::Done collector() {
        return [this](StoreReply reply) {
            std::lock_guard lock(mutex_);
            replies_.push_back(std::move(reply));
            changed_.notify_all();
        };
    }
    std::vector<StoreReply> waitFor(std::size_t n, std::chrono::milliseconds patience = 2s) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, patience, [&] { return replies_.size() >= n; });
        return replies_;
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<StoreReply> replies_;
};

inline std::int64_t numberOf(const StoreReply &reply) {
    const auto *number = std::get_if<std::int64_t>(&reply);
    return number ? *number : -1;
}

}  // namespace pageviews
