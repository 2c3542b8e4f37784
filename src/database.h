#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <drogon/orm/DbClient.h>
#include <trantor/net/EventLoopThread.h>

#include "counter_store.h"
#include "database_url.h"

namespace pageviews {

using DbClientPtr = std::shared_ptr<drogon::orm::DbClient>;

// The page whose views are counted; the one row the counter updates.
inline constexpr std::string_view kCountedPath = "/";

// The first address `host` resolves to; the host itself when it is already
// numeric or a socket directory; nullopt when it does not resolve.
std::optional<std::string> resolveHost(const std::string &host);

// The database client, kept valid across the database's restarts.
//
// Drogon 1.9 ends the process (exit(1) in PgConnection's constructor) when a
// connection attempt cannot even resolve the host name, which is exactly the
// state of a Docker DNS name while its container restarts. So the app
// resolves the name itself, gives the client a numeric address, and a
// watcher thread re-resolves it every second: while the name does not
// resolve there is no client (requests fail fast), and when the address
// changes a new client replaces the old one.
class Database {
  public:
    Database(DatabaseConfig config, std::size_t connections, std::chrono::milliseconds timeout);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // The current client, or null while the host does not resolve.
    DbClientPtr client() const;
    Backend backend() const { return config_.backend; }
    // Resolves now and (re)creates the client if the address changed.
    void refresh();
    // Keeps refreshing every second until destroyed.
    void watch();
    // A libpq connection string for the resolved address, or nullopt while
    // the host does not resolve. Thread-safe.
    std::optional<std::string> connectionInfo() const;
    // Replaces `client` if it is still the current one and was made at
    // least 10 s ago: a statement on it outlived its deadline, and Drogon
    // 1.9 has been seen to keep such a connection busy for good.
    // Thread-safe.
    void discard(const DbClientPtr &client);

  private:
    // A client replaced while statements may still run on it.
    struct Retired {
        DbClientPtr client;
        std::chrono::steady_clock::time_point notBefore;
    };

    void replaceClientLocked(double retireAfterSeconds);
    void retireClientLocked(double afterSeconds);
    // On the watcher's thread: destroys the retired clients nothing else
    // holds any more.
    void dropIdleRetired();
    DatabaseConfig resolvedConfigLocked() const;

    DatabaseConfig config_;
    std::size_t connections_;
    std::chrono::milliseconds timeout_;
    mutable std::mutex mutex_;
    DbClientPtr client_;
    std::chrono::steady_clock::time_point clientSince_{};
    std::string address_;
    std::vector<Retired> retired_;
    trantor::EventLoopThread watcher_;
    bool watching_ = false;
};

// Adds to the counter row through Drogon's client, for MySQL and SQLite:
// UPDATE ... RETURNING on SQLite, UPDATE then SELECT in one transaction on
// MySQL. (PostgreSQL: PgCounterStore.)
class DbCounterStore final : public CounterStore {
  public:
    explicit DbCounterStore(std::shared_ptr<Database> database);
    void add(std::int64_t amount, std::function<void(StoreReply)> done) override;
    bool reachable() const override;

  private:
    void addInTransaction(const DbClientPtr &client, std::int64_t amount, std::function<void(StoreReply)> done);

    std::shared_ptr<Database> database_;
};

}  // namespace pageviews
