#pragma once

#include <deque>
#include <functional>
#include <mutex>

namespace pageviews {

// Whose turn it is to have a counting statement in flight: one batcher of
// many at a time. Batchers of different I/O loops count into the same row,
// so a second statement in flight only waits on PostgreSQL's row lock, and
// costs the database a statement and a commit where a bigger batch would do.
// Passing the turn costs one thread wake-up per batch, not per view.
//
// Thread-safe. A holder must release() once its statement ended (or timed
// out); a waiter must not take() again before it was woken.
class StatementTurn {
  public:
    using Wake = std::function<void()>;

    // True: the caller holds the turn now. False: it is queued, and `wake`
    // runs (on the releasing thread) when the turn passes to it; it then
    // holds the turn.
    bool take(Wake wake);
    // Hands the turn to the longest waiter, or frees it.
    void release();

  private:
    std::mutex mutex_;
    bool taken_ = false;
    std::deque<Wake> waiting_;
};

}  // namespace pageviews
