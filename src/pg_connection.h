#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <trantor/net/Channel.h>
#include <trantor/net/EventLoop.h>

struct pg_conn;

namespace pageviews {

// What the wire said about one query: enough to tell "certainly not
// committed" from "may have committed".
struct PgQueryOutcome {
    bool sent = false;                       // the whole query was written to the socket
    bool finished = false;                   // the server said ReadyForQuery: its transaction ended
    std::optional<std::string> error;        // the first error the server reported
    std::optional<std::int64_t> firstValue;  // column 0 of row 0 of the first result with rows
};

// One PostgreSQL connection driven by libpq's non-blocking API on one
// trantor event loop, one simple-protocol query at a time.
//
// Why not Drogon's client: Drogon 1.9 hands a statement's rows to its
// callback before the implicit COMMIT's outcome arrives, reports a refused
// COMMIT and a lost connection alike, and has been seen to keep a connection
// busy for good after the server dropped it. Here a query is done only at
// ReadyForQuery, which the server sends after its transaction committed or
// rolled back, and a query that outlives its deadline closes the connection,
// which then reconnects.
//
// Thread-safety: every method, and every callback, runs on `loop`'s thread.
// Destroy on that thread or after the loop stopped.
class PgConnection {
  public:
    // libpq connection string for the next attempt, or nullopt while the
    // database host does not resolve.
    using ConnInfo = std::function<std::optional<std::string>()>;

    // `setup` (empty: none) runs on each new connection before it reports
    // ready, e.g. a PREPARE; a connection whose setup fails is dropped and
    // retried like one that failed to connect.
    PgConnection(trantor::EventLoop &loop, ConnInfo connInfo, std::chrono::milliseconds timeout,
                 std::string setup = {});
    ~PgConnection();
    PgConnection(const PgConnection &) = delete;
    PgConnection &operator=(const PgConnection &) = delete;

    // Called whenever the connection becomes able to take a query: after it
    // connected and after each query ended with the connection still up.
    void onReady(std::function<void()> ready) { onReady_ = std::move(ready); }
    // Called when a connection that was up is lost (never for failed attempts).
    void onLost(std::function<void()> lost) { onLost_ = std::move(lost); }

    // Starts connecting; afterwards the connection keeps itself connected,
    // retrying with a back-off while the database is unreachable.
    void start();
    bool connected() const { return state_ == State::Idle || state_ == State::Busy; }
    bool ready() const { return state_ == State::Idle; }
    // Runs `sql` (one or more statements, no parameters). Requires ready().
    // `done` is called exactly once, on the loop, by the deadline at the latest.
    void run(std::string sql, std::function<void(PgQueryOutcome)> done);

  private:
    enum class State { Disconnected, Connecting, Idle, Busy };
    enum class Wait { Readable, Writable };

    void connect();
    void pollConnect();
    void runSetup();
    bool watchSocket(Wait wait);
    void onSocketEvent();
    void flushQuery();
    void readResults();
    void finishQuery();
    void close(const std::string &why);
    void retireChannel();
    void retryLater();
    void cancelTimer();

    trantor::EventLoop &loop_;
    ConnInfo connInfo_;
    std::chrono::milliseconds timeout_;
    std::string setup_;
    std::function<void()> onReady_ = [] {};
    std::function<void()> onLost_ = [] {};

    State state_ = State::Disconnected;
    pg_conn *conn_ = nullptr;
    std::unique_ptr<trantor::Channel> channel_;
    int channelFd_ = -1;
    trantor::TimerId timer_ = 0;
    std::chrono::milliseconds backoff_{0};

    std::function<void(PgQueryOutcome)> done_;
    PgQueryOutcome outcome_;
    // Timers and queued calls check this, so none touches a destroyed object.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace pageviews
