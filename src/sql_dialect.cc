#include "sql_dialect.h"

#include "database.h"

namespace pageviews {
namespace {

constexpr SqlDialect kPostgres{
    .increment = "UPDATE page_views SET views = views + $1 WHERE path = $2 RETURNING views",
    .incrementReturnsTotal = true,
    .selectViews = "SELECT views FROM page_views WHERE path = $1",
    .recordMigration = "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
    .lockBegin = "BEGIN; SELECT pg_advisory_xact_lock(7301)",
    .lockCommit = "COMMIT",
    .lockRollback = "ROLLBACK",
};

constexpr SqlDialect kMysql{
    .increment = "UPDATE page_views SET views = views + ? WHERE path = ?",
    .incrementReturnsTotal = false,
    .selectViews = "SELECT views FROM page_views WHERE path = ?",
    .recordMigration = "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
    // MySQL's DDL commits implicitly, so a transaction cannot hold the lock.
    .lockBegin = "SELECT GET_LOCK('pageviews_migrate', 60)",
    .lockCommit = "SELECT RELEASE_LOCK('pageviews_migrate')",
    .lockRollback = "SELECT RELEASE_LOCK('pageviews_migrate')",
};

constexpr SqlDialect kSqlite{
    .increment = "UPDATE page_views SET views = views + ? WHERE path = ? RETURNING views",
    .incrementReturnsTotal = true,
    .selectViews = "SELECT views FROM page_views WHERE path = ?",
    .recordMigration = "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
    .lockBegin = "PRAGMA busy_timeout = 10000; BEGIN IMMEDIATE",
    .lockCommit = "COMMIT",
    .lockRollback = "ROLLBACK",
};

}  // namespace

const SqlDialect &sqlDialect(Backend backend) {
    switch (backend) {
        case Backend::Postgres: return kPostgres;
        case Backend::Mysql: return kMysql;
        case Backend::Sqlite: return kSqlite;
    }
    return kPostgres;
}

std::string postgresPrepareIncrement() {
    static_assert(kCountedPath.find('\'') == std::string_view::npos, "the path is written as a plain SQL literal");
    return "PREPARE pageviews_increment(bigint) AS UPDATE page_views SET views = views + $1 WHERE path = '" +
           std::string(kCountedPath) + "' RETURNING views";
}

std::string postgresIncrementQuery(std::int64_t amount) {
    return "EXECUTE pageviews_increment(" + std::to_string(amount) + ")";
}

}  // namespace pageviews
