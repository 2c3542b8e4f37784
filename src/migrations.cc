#include "migrations.h"

#include <algorithm>
#include <array>
#include <thread>

#include <drogon/orm/Exception.h>
#include <trantor/utils/Logger.h>
#include <trantor/utils/Utilities.h>

#include "sql_dialect.h"

namespace pageviews {
namespace {

using drogon::orm::DrogonDbException;

constexpr std::array kMigrations{
    Migration{
        1,
        "create page_views",
        "CREATE TABLE page_views (path TEXT PRIMARY KEY, views BIGINT NOT NULL DEFAULT 0 CHECK (views >= 0))",
        "CREATE TABLE page_views (path VARCHAR(255) PRIMARY KEY, views BIGINT NOT NULL DEFAULT 0 CHECK (views >= 0))",
        "CREATE TABLE page_views (path TEXT PRIMARY KEY, views INTEGER NOT NULL DEFAULT 0 CHECK (views >= 0))",
    },
    Migration{
        2,
        "add the counted page",
        "INSERT INTO page_views (path, views) VALUES ('/', 0)",
        "INSERT INTO page_views (path, views) VALUES ('/', 0)",
        "INSERT INTO page_views (path, views) VALUES ('/', 0)",
    },
};

constexpr std::string_view kCreateLedger =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL, "
    "applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)";

// Statements that make one migrate run exclusive. PostgreSQL and SQLite also
// make the run atomic (transactional DDL); MySQL commits DDL implicitly, so a
// named lock serializes the runs and each migration is recorded right after.
// Runs each ';'-separated statement of `sql`; none of ours has a ';' inside.
void execAll(const DbClientPtr &client, std::string_view sql) {
    while (!sql.empty()) {
        const auto end = sql.find(';');
        const auto statement = sql.substr(0, end);
        if (statement.find_first_not_of(' ') != std::string_view::npos) client->execSqlSync(std::string(statement));
        if (end == std::string_view::npos) break;
        sql.remove_prefix(end + 1);
    }
}

std::set<int> appliedVersions(const DbClientPtr &client) {
    std::set<int> applied;
    for (const auto &row : client->execSqlSync("SELECT version FROM schema_migrations")) {
        applied.insert(row[0].as<int>());
    }
    return applied;
}

int applyPending(const DbClientPtr &client, Backend backend) {
    execAll(client, kCreateLedger);
    const auto pending = pendingMigrations(allMigrations(), appliedVersions(client));
    for (const auto *migration : pending) {
        LOG_INFO << "applying migration " << migration->version << " (" << std::string(migration->name) << ")";
        execAll(client, statementFor(*migration, backend));
        client->execSqlSync(std::string(sqlDialect(backend).recordMigration), migration->version,
                            std::string(migration->name));
    }
    return static_cast<int>(pending.size());
}

// PostgreSQL cannot bind parameters into CREATE/ALTER ROLE, so the name and
// password travel as transaction-local settings and the DO block quotes them
// with format(). An error inside EXECUTE would quote the statement, password
// included, so the ALTER ROLE error is re-raised without it. The whole block
// runs in migrate's transaction: all of it or none.
constexpr std::string_view kPostgresRoleSettings =
    "SELECT set_config('pageviews.app_role', $1, true), set_config('pageviews.app_password', $2, true)";
std::string postgresRoleBlock() {
    std::string block = R"sql(DO $$
DECLARE
    app_role text := current_setting('pageviews.app_role');
    membership record;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = app_role) THEN
        EXECUTE format('CREATE ROLE %I', app_role);
    END IF;
    BEGIN
        EXECUTE format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS '
                       'PASSWORD %L', app_role, current_setting('pageviews.app_password'));
    EXCEPTION WHEN OTHERS THEN
        RAISE EXCEPTION 'cannot set up role %: %', app_role, SQLERRM;
    END;
    FOR membership IN SELECT roleid::regrole::text AS granted FROM pg_auth_members
                      WHERE member = app_role::regrole LOOP
        EXECUTE format('REVOKE %s FROM %I', membership.granted, app_role);
    END LOOP;
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', app_role);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', app_role);
    -- Every role may create temporary tables by default: not this one.
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
)sql";
    for (const auto grant : kAppRoleGrants) block += "    EXECUTE format('" + std::string(grant) + "%I', app_role);\n";
    return block + "END $$";
}

void grantPostgresRole(const DbClientPtr &client, const AppRole &role) {
    client->execSqlSync(std::string(kPostgresRoleSettings), role.user, role.password);
    client->execSqlSync(postgresRoleBlock());
}

// MariaDB has no transactional DDL: between the REVOKE and the GRANTs the
// role can do nothing, for as long as two statements take, and a view that
// arrives meanwhile fails uncounted. The owner needs CREATE USER and GRANT
// OPTION on the database (README: Database roles), which the mariadb image
// does not give MARIADB_USER.
void grantMysqlRole(const DbClientPtr &client, const AppRole &role) {
    const auto hash = mysqlNativePasswordHash(role.password);
    client->execSqlSync("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY PASSWORD ?", role.user, hash);
    client->execSqlSync("ALTER USER ?@'%' IDENTIFIED BY PASSWORD ?", role.user, hash);
    client->execSqlSync("REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@'%'", role.user);
    for (const auto grant : kAppRoleGrants) client->execSqlSync(std::string(grant) + "?@'%'", role.user);
}

}  // namespace

std::string mysqlNativePasswordHash(std::string_view password) {
    const auto once = trantor::utils::sha1(password.data(), password.size());
    const auto twice = trantor::utils::sha1(once.bytes, sizeof once.bytes);
    constexpr std::string_view kHex = "0123456789ABCDEF";
    std::string hash = "*";
    for (const unsigned char byte : twice.bytes) {
        hash += kHex[byte >> 4];
        hash += kHex[byte & 0x0f];
    }
    return hash;
}

std::span<const Migration> allMigrations() { return kMigrations; }

int latestSchemaVersion() { return kMigrations.back().version; }

std::string_view statementFor(const Migration &migration, Backend backend) {
    switch (backend) {
        case Backend::Postgres: return migration.postgres;
        case Backend::Mysql: return migration.mysql;
        case Backend::Sqlite: return migration.sqlite;
    }
    return {};
}

std::vector<const Migration *> pendingMigrations(std::span<const Migration> migrations, const std::set<int> &applied) {
    std::vector<const Migration *> pending;
    for (const auto &migration : migrations) {
        if (!applied.contains(migration.version)) pending.push_back(&migration);
    }
    std::sort(pending.begin(), pending.end(), [](const auto *a, const auto *b) { return a->version < b->version; });
    return pending;
}

Result<int> migrate(const DbClientPtr &client, Backend backend, const AppRole *appRole) {
    const auto &lock = sqlDialect(backend);
    try {
        execAll(client, lock.lockBegin);
    } catch (const DrogonDbException &error) {
        return Error{std::string("migrate: cannot lock the schema: ") + error.base().what()};
    }
    std::string step = "migrate: ";
    try {
        const int applied = applyPending(client, backend);
        step = "migrate: cannot set up the app role: ";
        if (appRole != nullptr) {
            LOG_INFO << "role " << appRole->user << ": may read and update page_views, read schema_migrations";
            if (backend == Backend::Postgres) grantPostgresRole(client, *appRole);
            if (backend == Backend::Mysql) grantMysqlRole(client, *appRole);
        }
        execAll(client, lock.lockCommit);
        return applied;
    } catch (const DrogonDbException &error) {
        std::string message = step + error.base().what();
        try {
            execAll(client, lock.lockRollback);
        } catch (const DrogonDbException &) {
            // The connection is gone; the server rolls back on its own.
        }
        return Error{std::move(message)};
    }
}

Result<DbClientPtr> waitForDatabase(Database &database, std::chrono::seconds patience) {
    const auto giveUp = std::chrono::steady_clock::now() + patience;
    std::string lastProblem = "host does not resolve";
    while (std::chrono::steady_clock::now() < giveUp) {
        database.refresh();
        if (auto client = database.client()) {
            try {
                client->execSqlSync("SELECT 1");
                return client;
            } catch (const DrogonDbException &error) {
                lastProblem = error.base().what();
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return Error{"database not reachable after " + std::to_string(patience.count()) + " s: " + lastProblem};
}

}  // namespace pageviews
