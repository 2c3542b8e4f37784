#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <drogon/orm/DbClient.h>

#include "counter_store.h"
#include "database_url.h"

namespace pageviews {

using DbClientPtr = std::shared_ptr<drogon::orm::DbClient>;

// The page whose views are counted; the one row the counter updates.
inline constexpr std::string_view kCountedPath = "/";

// A client with its own I/O threads, the backend chosen by the config.
DbClientPtr connectDatabase(const DatabaseConfig &config, std::size_t connections,
                            std::chrono::milliseconds timeout);

// Adds to the counter row with one statement: UPDATE ... RETURNING where the
// backend has it, UPDATE then SELECT in one transaction on MySQL.
class DbCounterStore final : public CounterStore {
  public:
    DbCounterStore(DbClientPtr client, Backend backend);
    void add(std::int64_t amount, std::function<void(StoreReply)> done) override;
    bool reachable() const override;

  private:
    void addInTransaction(std::int64_t amount, std::function<void(StoreReply)> done);

    DbClientPtr client_;
    Backend backend_;
};

// Classifies a database exception for the client: was the view counted?
CountError classifyDbError(const drogon::orm::DrogonDbException &error);

}  // namespace pageviews
