#include "database.h"

#include <netdb.h>
#include <sys/socket.h>

#include <drogon/orm/Exception.h>
#include <trantor/utils/Logger.h>

#include "sql_dialect.h"

namespace pageviews {
namespace {

using drogon::orm::DrogonDbException;
using DbResult = drogon::orm::Result;

StoreReply totalFrom(const DbResult &rows) {
    if (rows.empty()) return CountError{CountFailure::NotCounted, "counter row missing: run pageviews migrate"};
    return rows[0][0].as<std::int64_t>();
}

// Drogon reports a lost connection, a server-side error and a timeout alike
// (MySQL and SQLite here; PostgreSQL tells them apart in PgCounterStore), so
// an error after the statement was handed over may hide a commit.
CountError unknownOutcome(const DrogonDbException &error) {
    LOG_WARN << "database error: " << error.base().what();
    return CountError{CountFailure::Unknown, "database error"};
}

DbClientPtr newClient(const DatabaseConfig &config, std::size_t connections, std::chrono::milliseconds timeout) {
    const auto info = connectionString(config);
    DbClientPtr client;
    switch (config.backend) {
        case Backend::Postgres: client = drogon::orm::DbClient::newPgClient(info, connections); break;
        case Backend::Mysql: client = drogon::orm::DbClient::newMysqlClient(info, connections); break;
        case Backend::Sqlite: client = drogon::orm::DbClient::newSqlite3Client(info, connections); break;
    }
    client->setTimeout(std::chrono::duration<double>(timeout).count());
    return client;
}

// Old clients may still be finishing statements. A DbClient destroyed on one
// of its own threads joins itself and ends the process ("Resource deadlock
// avoided"), and Drogon's queued work holds the client too, so whichever
// reference goes last may be on such a thread. So a replaced client is kept
// until nothing but the retired list holds it, and destroyed on the
// watcher's thread, no sooner than this after its replacement.
constexpr double kRetireAfterSeconds = 30.0;
// A client discarded for a read that outlived its deadline: that read was
// answered already; other reads queued on it end by their own deadlines.
constexpr double kRetireDiscardedAfterSeconds = 1.0;
// A database that stops answering times out every read; replacing the
// client more often than this would only pile up clients and threads.
constexpr auto kMinDiscardInterval = std::chrono::seconds(10);

}  // namespace

std::optional<std::string> resolveHost(const std::string &host) {
    if (host.starts_with('/')) return host;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) return std::nullopt;
    const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, ::freeaddrinfo);
    char text[NI_MAXHOST] = {};
    if (::getnameinfo(found->ai_addr, found->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) != 0) {
        return std::nullopt;
    }
    return std::string(text);
}

Database::Database(DatabaseConfig config, std::size_t connections, std::chrono::milliseconds timeout)
    : config_(std::move(config)), connections_(connections), timeout_(timeout), watcher_("db-watcher") {
    refresh();
}

Database::~Database() {
    if (watching_) {
        watcher_.getLoop()->quit();
        watcher_.wait();
    }
}

DbClientPtr Database::client() const {
    std::lock_guard lock(mutex_);
    return client_;
}

void Database::refresh() {
    if (config_.backend == Backend::Sqlite) {
        std::lock_guard lock(mutex_);
        if (!client_) client_ = newClient(config_, connections_, timeout_);
        return;
    }
    const auto address = resolveHost(config_.host);
    std::lock_guard lock(mutex_);
    if (!address) {
        if (client_) LOG_WARN << "database host " << config_.host << " does not resolve; waiting";
        retireClientLocked(kRetireAfterSeconds);
        address_.clear();
        return;
    }
    if (client_ && *address == address_) return;
    LOG_INFO << "database host " << config_.host << " is at " << *address;
    address_ = *address;
    replaceClientLocked(kRetireAfterSeconds);
}

void Database::retireClientLocked(double afterSeconds) {
    if (client_ && watching_) {
        const auto notBefore =
            std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                   std::chrono::duration<double>(afterSeconds));
        retired_.push_back(Retired{std::move(client_), notBefore});
    }
    client_.reset();
}

void Database::dropIdleRetired() {
    std::vector<DbClientPtr> idle;
    {
        std::lock_guard lock(mutex_);
        const auto now = std::chrono::steady_clock::now();
        std::erase_if(retired_, [&](Retired &retired) {
            if (now < retired.notBefore || retired.client.use_count() > 1) return false;
            idle.push_back(std::move(retired.client));
            return true;
        });
    }
    // Destroyed here, outside the lock: each joins its own threads.
}

void Database::replaceClientLocked(double retireAfterSeconds) {
    retireClientLocked(retireAfterSeconds);
    client_ = newClient(resolvedConfigLocked(), connections_, timeout_);
    clientSince_ = std::chrono::steady_clock::now();
}

DatabaseConfig Database::resolvedConfigLocked() const {
    auto config = config_;
    if (!address_.starts_with('/')) config.hostAddress = address_;
    return config;
}

std::optional<std::string> Database::connectionInfo() const {
    std::lock_guard lock(mutex_);
    if (address_.empty()) return std::nullopt;
    return connectionString(resolvedConfigLocked());
}

void Database::discard(const DbClientPtr &client) {
    std::lock_guard lock(mutex_);
    if (!client || client != client_) return;
    if (std::chrono::steady_clock::now() - clientSince_ < kMinDiscardInterval) return;
    LOG_WARN << "a database read outlived its deadline; replacing the client";
    replaceClientLocked(kRetireDiscardedAfterSeconds);
}

void Database::watch() {
    watching_ = true;
    watcher_.run();
    watcher_.getLoop()->runEvery(1.0, [this] {
        refresh();
        dropIdleRetired();
    });
}

DbCounterStore::DbCounterStore(std::shared_ptr<Database> database) : database_(std::move(database)) {}

bool DbCounterStore::reachable() const {
    const auto client = database_->client();
    return client && client->hasAvailableConnections();
}

void DbCounterStore::add(std::int64_t amount, std::function<void(StoreReply)> done) {
    const auto client = database_->client();
    if (!client) {
        done(CountError{CountFailure::NotCounted, "database unavailable"});
        return;
    }
    const auto &sql = sqlDialect(database_->backend());
    if (!sql.incrementReturnsTotal) {
        addInTransaction(client, amount, std::move(done));
        return;
    }
    client->execSqlAsync(
        std::string(sql.increment), [done](const DbResult &rows) { done(totalFrom(rows)); },
        [done](const DrogonDbException &error) { done(unknownOutcome(error)); }, amount, std::string(kCountedPath));
}

// MySQL has no UPDATE ... RETURNING: the row lock taken by the UPDATE keeps
// the SELECT's total ours until COMMIT, and the reply waits for the commit.
void DbCounterStore::addInTransaction(const DbClientPtr &client, std::int64_t amount,
                                      std::function<void(StoreReply)> done) {
    auto onError = [done](const DrogonDbException &error) { done(unknownOutcome(error)); };
    const auto &sql = sqlDialect(database_->backend());
    client->newTransactionAsync([amount, done, onError, &sql](const std::shared_ptr<drogon::orm::Transaction> &tx) {
        tx->execSqlAsync(
            std::string(sql.increment),
            [tx, done, onError, &sql](const DbResult &updated) {
                if (updated.affectedRows() == 0) {
                    done(CountError{CountFailure::NotCounted, "counter row missing: run pageviews migrate"});
                    return;
                }
                tx->execSqlAsync(
                    std::string(sql.selectViews),
                    [tx, done](const DbResult &rows) {
                        auto reply = totalFrom(rows);
                        tx->setCommitCallback([done, reply](bool committed) {
                            done(committed ? reply : StoreReply{CountError{CountFailure::Unknown, "commit failed"}});
                        });
                    },
                    onError, std::string(kCountedPath));
            },
            onError, amount, std::string(kCountedPath));
    });
}

}  // namespace pageviews
