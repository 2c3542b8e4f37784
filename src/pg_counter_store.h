#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <trantor/net/EventLoop.h>

#include "counter_store.h"
#include "pg_connection.h"

namespace pageviews {

// What a query's outcome means for the views it carried:
//   not (fully) sent               -> NotCounted (503): the server never ran it;
//   sent, connection lost or timed
//   out before ReadyForQuery       -> Unknown (504): it may have committed;
//   an error, then ReadyForQuery   -> NotCounted: the transaction rolled back;
//   no row                         -> NotCounted: the counter row is missing;
//   otherwise                      -> the committed total.
StoreReply counterReply(const PgQueryOutcome &outcome);

// The PostgreSQL counter store of one event loop: a few connections of its
// own (PgConnection), each with the increment prepared, a view batch per
// connection at a time, the rest queued.
// A batch that never reached a live connection is NotCounted.
//
// Thread-safety: construct anywhere; add(), reachable() and the callbacks run
// on `loop`'s thread only. Destroy on that thread or after the loop stopped.
class PgCounterStore final : public CounterStore {
  public:
    PgCounterStore(trantor::EventLoop &loop, PgConnection::ConnInfo connInfo, std::size_t connections,
                   std::chrono::milliseconds timeout);
    // Starts connecting; the connections reconnect by themselves afterwards.
    void start();
    void add(std::int64_t amount, std::function<void(StoreReply)> done) override;
    bool reachable() const override;

  private:
    struct Pending {
        std::int64_t amount;
        std::function<void(StoreReply)> done;
    };
    void dispatch();
    void failQueuedIfUnreachable();

    std::vector<std::unique_ptr<PgConnection>> connections_;
    std::deque<Pending> queue_;
};

}  // namespace pageviews
