#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <variant>

namespace pageviews {

// Why a view was not acknowledged. The distinction matters to a proxy that
// retries: a NotCounted view may be sent again, an Unknown one must not.
enum class CountFailure {
    NotCounted,  // certainly not added: no connection, statement refused, draining
    Unknown,     // may have been added: timed out or connection lost mid-statement
};

struct CountError {
    CountFailure kind;
    std::string reason;  // short, safe to show a client
};

// The counter's value after an increment, or why there is none.
using StoreReply = std::variant<std::int64_t, CountError>;

// The durable side of the counter: adds to the stored total in one atomic,
// committed statement and reports the new total.
class CounterStore {
  public:
    virtual ~CounterStore() = default;
    // Calls `done` exactly once, from any thread.
    virtual void add(std::int64_t amount, std::function<void(StoreReply)> done) = 0;
    // False when the store knows it cannot reach the database right now.
    virtual bool reachable() const = 0;
};

}  // namespace pageviews
