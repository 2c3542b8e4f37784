#include "pg_connection.h"

#include <algorithm>
#include <charconv>

#include <libpq-fe.h>
#include <trantor/utils/Logger.h>

namespace pageviews {
namespace {

constexpr std::chrono::milliseconds kFirstRetry{50};
constexpr std::chrono::milliseconds kMaxRetry{1000};

// libpq's messages span lines (ERROR, then CONTEXT, DETAIL); a log line
// is one event.
std::string oneLine(std::string message) {
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    for (auto &c : message) {
        if (c == '\n') c = ' ';
    }
    return message;
}

std::string lastError(const pg_conn *conn) { return oneLine(conn ? PQerrorMessage(conn) : "out of memory"); }

std::optional<std::int64_t> int64From(const char *text) {
    std::int64_t value = 0;
    const std::string_view view(text);
    const auto [end, error] = std::from_chars(view.data(), view.data() + view.size(), value);
    if (error != std::errc{} || end != view.data() + view.size()) return std::nullopt;
    return value;
}

double seconds(std::chrono::milliseconds duration) { return std::chrono::duration<double>(duration).count(); }

}  // namespace

PgConnection::PgConnection(trantor::EventLoop &loop, ConnInfo connInfo, std::chrono::milliseconds timeout,
                           std::string setup)
    : loop_(loop), connInfo_(std::move(connInfo)), timeout_(timeout), setup_(std::move(setup)) {}

PgConnection::~PgConnection() {
    *alive_ = false;
    // After the loop stopped there is no poller left to update.
    if (loop_.isInLoopThread()) {
        cancelTimer();
        if (channel_) {
            channel_->disableAll();
            channel_->remove();
        }
    }
    if (conn_) PQfinish(conn_);
}

void PgConnection::start() {
    loop_.runInLoop([this, alive = alive_] {
        if (*alive && state_ == State::Disconnected && timer_ == 0) connect();
    });
}

void PgConnection::connect() {
    timer_ = 0;
    const auto info = connInfo_();
    if (!info) {
        retryLater();
        return;
    }
    conn_ = PQconnectStart(info->c_str());
    if (conn_ == nullptr || PQstatus(conn_) == CONNECTION_BAD) {
        LOG_DEBUG << "database connection attempt failed: " << lastError(conn_);
        close("");
        return;
    }
    state_ = State::Connecting;
    timer_ = loop_.runAfter(seconds(timeout_), [this, alive = alive_] {
        if (!*alive) return;
        timer_ = 0;
        close("connecting timed out");
    });
    // libpq: before the first PQconnectPoll, wait until the socket is writable.
    watchSocket(Wait::Writable);
}

void PgConnection::pollConnect() {
    switch (PQconnectPoll(conn_)) {
        case PGRES_POLLING_READING: watchSocket(Wait::Readable); return;
        case PGRES_POLLING_WRITING: watchSocket(Wait::Writable); return;
        case PGRES_POLLING_OK:
            cancelTimer();
            if (PQsetnonblocking(conn_, 1) != 0) {
                close("cannot make the connection non-blocking");
                return;
            }
            state_ = State::Idle;
            backoff_ = std::chrono::milliseconds{0};
            if (!watchSocket(Wait::Readable)) return;
            LOG_DEBUG << "database connection up";
            if (setup_.empty()) {
                onReady_();
            } else {
                runSetup();
            }
            return;
        default:
            LOG_DEBUG << "database connection attempt failed: " << lastError(conn_);
            close("");
            return;
    }
}

// finishQuery reports the connection ready once the setup succeeded. A
// setup that did not finish has closed the connection already.
void PgConnection::runSetup() {
    run(setup_, [this](const PgQueryOutcome &outcome) {
        if (outcome.finished && outcome.error) close("database refused the connection's setup: " + *outcome.error);
    });
}

// libpq may open a new socket while connecting (another address, SSL
// fallback), so the channel follows PQsocket. False (and closed) when
// libpq has no socket.
bool PgConnection::watchSocket(Wait wait) {
    const int fd = PQsocket(conn_);
    if (fd < 0) {
        close("the connection has no socket");
        return false;
    }
    if (!channel_ || fd != channelFd_) {
        retireChannel();
        channel_ = std::make_unique<trantor::Channel>(&loop_, fd);
        channelFd_ = fd;
        const auto onEvent = [this] { onSocketEvent(); };
        channel_->setReadCallback(onEvent);
        channel_->setWriteCallback(onEvent);
        channel_->setCloseCallback(onEvent);
        channel_->setErrorCallback(onEvent);
    }
    if (wait == Wait::Readable) {
        channel_->disableWriting();
        channel_->enableReading();
    } else {
        channel_->disableReading();
        channel_->enableWriting();
    }
    return true;
}

void PgConnection::onSocketEvent() {
    switch (state_) {
        case State::Connecting: pollConnect(); return;
        case State::Busy:
            if (!outcome_.sent) flushQuery();
            if (state_ == State::Busy) readResults();
            return;
        case State::Idle:
            // Nothing is expected while idle: this is the server closing.
            if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) close("database connection lost");
            return;
        case State::Disconnected: return;
    }
}

void PgConnection::run(std::string sql, std::function<void(PgQueryOutcome)> done) {
    state_ = State::Busy;
    done_ = std::move(done);
    outcome_ = PgQueryOutcome{};
    timer_ = loop_.runAfter(seconds(timeout_), [this, alive = alive_] {
        if (!*alive) return;
        timer_ = 0;
        // The query may still commit: close, so that the connection cannot
        // stay stuck, and report it unfinished.
        close("query timed out");
    });
    if (PQsendQuery(conn_, sql.c_str()) == 0) {
        close("sending failed: " + lastError(conn_));
        return;
    }
    flushQuery();
}

void PgConnection::flushQuery() {
    const int pending = PQflush(conn_);
    if (pending < 0) {
        close("sending failed: " + lastError(conn_));
        return;
    }
    outcome_.sent = pending == 0;
    if (outcome_.sent) {
        channel_->disableWriting();
    } else {
        channel_->enableWriting();
    }
}

void PgConnection::readResults() {
    if (PQconsumeInput(conn_) == 0) {
        close("database connection lost: " + lastError(conn_));
        return;
    }
    while (PQisBusy(conn_) == 0) {
        PGresult *result = PQgetResult(conn_);
        if (result == nullptr) {
            finishQuery();
            return;
        }
        const auto status = PQresultStatus(result);
        if (status == PGRES_FATAL_ERROR && !outcome_.error) {
            outcome_.error = oneLine(PQresultErrorMessage(result));
        }
        if (status == PGRES_TUPLES_OK && !outcome_.firstValue && PQntuples(result) > 0 && PQnfields(result) > 0) {
            outcome_.firstValue = int64From(PQgetvalue(result, 0, 0));
        }
        PQclear(result);
    }
}

// No more results: the server's ReadyForQuery arrived, unless libpq ended
// the query because the connection broke, which leaves it CONNECTION_BAD.
void PgConnection::finishQuery() {
    if (PQstatus(conn_) != CONNECTION_OK) {
        close("database connection lost: " + outcome_.error.value_or("no reason given"));
        return;
    }
    cancelTimer();
    outcome_.finished = true;
    state_ = State::Idle;
    auto done = std::move(done_);
    done_ = nullptr;
    done(outcome_);
    if (state_ == State::Idle) onReady_();
}

// Drops the connection; an unfinished query is reported as it stands.
void PgConnection::close(const std::string &why) {
    const bool wasConnected = connected();
    cancelTimer();
    retireChannel();
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
    state_ = State::Disconnected;
    if (done_) {
        auto done = std::move(done_);
        done_ = nullptr;
        outcome_.finished = false;
        done(outcome_);
    }
    if (wasConnected) {
        LOG_WARN << why << "; reconnecting";
        onLost_();
    }
    retryLater();
}

void PgConnection::retireChannel() {
    if (!channel_) return;
    channel_->disableAll();
    channel_->remove();
    // The channel may be the one whose callback is running: free it later.
    loop_.queueInLoop([retired = std::shared_ptr<trantor::Channel>(std::move(channel_))] {});
    channelFd_ = -1;
}

void PgConnection::retryLater() {
    backoff_ = backoff_.count() == 0 ? kFirstRetry : std::min(backoff_ * 2, kMaxRetry);
    timer_ = loop_.runAfter(seconds(backoff_), [this, alive = alive_] {
        if (*alive) connect();
    });
}

void PgConnection::cancelTimer() {
    if (timer_ != 0) loop_.invalidateTimer(timer_);
    timer_ = 0;
}

}  // namespace pageviews
