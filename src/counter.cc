#include "counter.h"

#include <algorithm>
#include <utility>

namespace pageviews {

std::vector<std::int64_t> numbersForBatch(std::int64_t total, std::size_t size) {
    std::vector<std::int64_t> numbers(size);
    const auto first = total - static_cast<std::int64_t>(size) + 1;
    for (std::size_t i = 0; i < size; ++i) numbers[i] = first + static_cast<std::int64_t>(i);
    return numbers;
}

Counter::Counter(trantor::EventLoop &loop, std::shared_ptr<CounterStore> store, Limits limits, CounterEvents events,
                 std::shared_ptr<StatementTurn> turn)
    : loop_(loop), store_(std::move(store)), limits_(limits), events_(std::move(events)), turn_(std::move(turn)) {}

void Counter::count(Done done) {
    loop_.runInLoop([this, alive = alive_, done = std::move(done)]() mutable {
        if (*alive) enqueue(std::move(done));
    });
}

void Counter::startDraining() {
    loop_.runInLoop([this, alive = alive_] {
        if (*alive) draining_ = true;
    });
}

void Counter::whenIdle(std::function<void(bool, Clock::time_point)> then) {
    loop_.runInLoop([this, alive = alive_, then = std::move(then)] {
        if (*alive) then(queue_.empty() && inFlight_.empty(), lastArrival_);
    });
}

void Counter::enqueue(Done done) {
    lastArrival_ = Clock::now();
    if (draining_) {
        fail(done, CountError{CountFailure::NotCounted, "shutting down"});
        return;
    }
    if (queue_.size() >= limits_.maxQueued) {
        fail(done, CountError{CountFailure::NotCounted, "overloaded"});
        return;
    }
    queue_.push_back(Waiter{std::move(done), lastArrival_ + limits_.timeout});
    if (inFlight_.size() >= limits_.maxInFlight) return;
    // A full batch goes now, lingering or not; the linger timer then finds
    // less (or nothing) to send.
    if (limits_.maxWait.count() == 0 || queue_.size() >= limits_.maxBatch) {
        flush();
        return;
    }
    if (lingering_) return;
    lingering_ = true;
    loop_.runAfter(std::chrono::duration<double>(limits_.maxWait), [this, alive = alive_] {
        if (!*alive) return;
        lingering_ = false;
        flush();
    });
}

// Sends batches while there are waiters, room in flight and the turn.
void Counter::flush() {
    while (!queue_.empty() && inFlight_.size() < limits_.maxInFlight && mayFlush()) sendBatch();
    releaseTurnIfIdle();
}

// Takes the turn if there is one to take; false: wait to be woken with it.
bool Counter::mayFlush() {
    if (!turn_ || holdsTurn_) return true;
    if (waitingForTurn_) return false;
    holdsTurn_ = turn_->take([this, alive = alive_] {
        loop_.queueInLoop([this, alive] {
            if (!*alive) return;
            waitingForTurn_ = false;
            holdsTurn_ = true;
            flush();
        });
    });
    waitingForTurn_ = !holdsTurn_;
    return holdsTurn_;
}

// A statement ended (or timed out): the next counter may send while this
// one answers its views.
void Counter::releaseTurnIfIdle() {
    if (!holdsTurn_ || !inFlight_.empty()) return;
    holdsTurn_ = false;
    turn_->release();
}

void Counter::sendBatch() {
    const auto now = Clock::now();
    Batch batch;
    auto deadline = Clock::time_point::max();
    while (!queue_.empty() && batch.waiters.size() < limits_.maxBatch) {
        auto waiter = std::move(queue_.front());
        queue_.pop_front();
        if (waiter.deadline <= now) {
            fail(waiter.done, CountError{CountFailure::NotCounted, "database timeout"});
            continue;
        }
        deadline = std::min(deadline, waiter.deadline);
        batch.waiters.push_back(std::move(waiter.done));
    }
    if (batch.waiters.empty()) return;
    if (!store_->reachable()) {
        failWaiters(batch.waiters, CountError{CountFailure::NotCounted, "database unavailable"});
        return;
    }

    const auto id = nextBatchId_++;
    const auto amount = static_cast<std::int64_t>(batch.waiters.size());
    const std::chrono::duration<double> wait = std::max(Clock::duration::zero(), deadline - now);
    // Our own deadline: a database client's timeout has been seen to overrun.
    batch.timer = loop_.runAfter(wait, [this, alive = alive_, id] {
        if (*alive) onTimeout(id);
    });
    events_.batchSent(batch.waiters.size());
    inFlight_.emplace(id, std::move(batch));
    store_->add(amount, [this, alive = alive_, id](StoreReply reply) {
        loop_.runInLoop([this, alive, id, reply = std::move(reply)]() mutable {
            if (*alive) onReply(id, std::move(reply));
        });
    });
}

void Counter::fail(Done &done, const CountError &error) {
    events_.viewFailed(error.kind);
    done(error);
}

void Counter::failWaiters(std::vector<Done> &waiters, const CountError &error) {
    for (auto &done : waiters) fail(done, error);
    waiters.clear();
}

void Counter::onReply(std::uint64_t batchId, StoreReply reply) {
    const auto it = inFlight_.find(batchId);
    if (it == inFlight_.end()) return;  // timed out already; its waiters were answered
    auto batch = std::move(it->second);
    inFlight_.erase(it);
    loop_.invalidateTimer(batch.timer);
    releaseTurnIfIdle();
    if (const auto *error = std::get_if<CountError>(&reply)) {
        failWaiters(batch.waiters, *error);
    } else {
        const auto numbers = numbersForBatch(std::get<std::int64_t>(reply), batch.waiters.size());
        for (std::size_t i = 0; i < numbers.size(); ++i) batch.waiters[i](numbers[i]);
    }
    flush();
}

void Counter::onTimeout(std::uint64_t batchId) {
    const auto it = inFlight_.find(batchId);
    if (it == inFlight_.end()) return;
    auto batch = std::move(it->second);
    inFlight_.erase(it);
    releaseTurnIfIdle();
    // The statement may still commit: its views are Unknown, never NotCounted.
    failWaiters(batch.waiters, CountError{CountFailure::Unknown, "database timeout"});
    flush();
}

Counter::~Counter() { *alive_ = false; }

}  // namespace pageviews
