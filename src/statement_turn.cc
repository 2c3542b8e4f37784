#include "statement_turn.h"

#include <utility>

namespace pageviews {

bool StatementTurn::take(Wake wake) {
    std::lock_guard lock(mutex_);
    if (!taken_) {
        taken_ = true;
        return true;
    }
    waiting_.push_back(std::move(wake));
    return false;
}

void StatementTurn::release() {
    Wake next;
    {
        std::lock_guard lock(mutex_);
        if (waiting_.empty()) {
            taken_ = false;
            return;
        }
        // taken_ stays true: the turn passes straight to the waiter.
        next = std::move(waiting_.front());
        waiting_.pop_front();
    }
    next();
}

}  // namespace pageviews
