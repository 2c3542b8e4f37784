#include "database.h"

#include <drogon/orm/Exception.h>
#include <trantor/utils/Logger.h>

namespace pageviews {
namespace {

using drogon::orm::DrogonDbException;
using DbResult = drogon::orm::Result;

std::string incrementSql(Backend backend) {
    if (backend == Backend::Postgres) return "UPDATE page_views SET views = views + $1 WHERE path = $2 RETURNING views";
    if (backend == Backend::Sqlite) return "UPDATE page_views SET views = views + ? WHERE path = ? RETURNING views";
    return "UPDATE page_views SET views = views + ? WHERE path = ?";
}

StoreReply totalFrom(const DbResult &rows) {
    if (rows.empty()) return CountError{CountFailure::NotCounted, "counter row missing: run pageviews migrate"};
    return rows[0][0].as<std::int64_t>();
}

}  // namespace

DbClientPtr connectDatabase(const DatabaseConfig &config, std::size_t connections,
                            std::chrono::milliseconds timeout) {
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

CountError classifyDbError(const DrogonDbException &error) {
    const auto &base = error.base();
    LOG_WARN << "database error: " << base.what();
    // The statement was sent and its fate is not known: it may have committed.
    if (dynamic_cast<const drogon::orm::BrokenConnection *>(&base) != nullptr ||
        dynamic_cast<const drogon::orm::TimeoutError *>(&base) != nullptr) {
        return CountError{CountFailure::Unknown, "database connection lost"};
    }
    return CountError{CountFailure::NotCounted, "database error"};
}

DbCounterStore::DbCounterStore(DbClientPtr client, Backend backend)
    : client_(std::move(client)), backend_(backend) {}

bool DbCounterStore::reachable() const { return client_->hasAvailableConnections(); }

void DbCounterStore::add(std::int64_t amount, std::function<void(StoreReply)> done) {
    if (backend_ == Backend::Mysql) {
        addInTransaction(amount, std::move(done));
        return;
    }
    client_->execSqlAsync(
        incrementSql(backend_), [done](const DbResult &rows) { done(totalFrom(rows)); },
        [done](const DrogonDbException &error) { done(classifyDbError(error)); }, amount,
        std::string(kCountedPath));
}

// MySQL has no UPDATE ... RETURNING: the row lock taken by the UPDATE keeps
// the SELECT's total ours until COMMIT, and the reply waits for the commit.
void DbCounterStore::addInTransaction(std::int64_t amount, std::function<void(StoreReply)> done) {
    auto onError = [done](const DrogonDbException &error) { done(classifyDbError(error)); };
    client_->newTransactionAsync([amount, done, onError](const std::shared_ptr<drogon::orm::Transaction> &tx) {
        tx->execSqlAsync(
            incrementSql(Backend::Mysql),
            [tx, done, onError](const DbResult &updated) {
                if (updated.affectedRows() == 0) {
                    done(CountError{CountFailure::NotCounted, "counter row missing: run pageviews migrate"});
                    return;
                }
                tx->execSqlAsync(
                    "SELECT views FROM page_views WHERE path = ?",
                    [tx, done](const DbResult &rows) {
                        auto reply = totalFrom(rows);
                        tx->setCommitCallback([done, reply](bool committed) {
                            done(committed ? reply
                                           : StoreReply{CountError{CountFailure::Unknown, "commit failed"}});
                        });
                    },
                    onError, std::string(kCountedPath));
            },
            onError, amount, std::string(kCountedPath));
    });
}

}  // namespace pageviews
