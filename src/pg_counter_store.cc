#include "pg_counter_store.h"

#include <trantor/utils/Logger.h>

#include "database.h"
#include "sql_dialect.h"

namespace pageviews {

StoreReply counterReply(const PgQueryOutcome &outcome) {
    if (!outcome.sent) return CountError{CountFailure::NotCounted, "database unavailable"};
    if (!outcome.finished) return CountError{CountFailure::Unknown, "database connection lost"};
    if (outcome.error) return CountError{CountFailure::NotCounted, "database refused the increment"};
    if (!outcome.firstValue) return CountError{CountFailure::NotCounted, "counter row missing: run pageviews migrate"};
    return *outcome.firstValue;
}

PgCounterStore::PgCounterStore(trantor::EventLoop &loop, PgConnection::ConnInfo connInfo, std::size_t connections,
                               std::chrono::milliseconds timeout) {
    for (std::size_t i = 0; i < connections; ++i) {
        auto connection = std::make_unique<PgConnection>(loop, connInfo, timeout, postgresPrepareIncrement());
        connection->onReady([this] { dispatch(); });
        connection->onLost([this] { failQueuedIfUnreachable(); });
        connections_.push_back(std::move(connection));
    }
}

void PgCounterStore::start() {
    for (auto &connection : connections_) connection->start();
}

bool PgCounterStore::reachable() const {
    for (const auto &connection : connections_) {
        if (connection->connected()) return true;
    }
    return false;
}

void PgCounterStore::add(std::int64_t amount, std::function<void(StoreReply)> done) {
    queue_.push_back(Pending{amount, std::move(done)});
    dispatch();
    failQueuedIfUnreachable();
}

void PgCounterStore::dispatch() {
    for (auto &connection : connections_) {
        if (queue_.empty()) return;
        if (!connection->ready()) continue;
        auto pending = std::move(queue_.front());
        queue_.pop_front();
        const auto amount = pending.amount;
        connection->run(postgresIncrementQuery(amount),
                        [done = std::move(pending.done)](const PgQueryOutcome &outcome) {
                            if (outcome.error) LOG_WARN << "database error: " << *outcome.error;
                            done(counterReply(outcome));
                        });
    }
}

void PgCounterStore::failQueuedIfUnreachable() {
    if (reachable()) return;
    auto queued = std::move(queue_);
    queue_.clear();
    for (auto &pending : queued) pending.done(CountError{CountFailure::NotCounted, "database unavailable"});
}

}  // namespace pageviews
