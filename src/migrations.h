#pragma once

#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "database.h"
#include "result.h"

namespace pageviews {

// One versioned schema change, kept in the binary like a Django migration.
struct Migration {
    int version;
    std::string_view name;
    std::string_view postgres;
    std::string_view mysql;
    std::string_view sqlite;
};

std::span<const Migration> allMigrations();
int latestSchemaVersion();
std::string_view statementFor(const Migration &migration, Backend backend);

// The migrations not yet in `applied`, in version order.
std::vector<const Migration *> pendingMigrations(std::span<const Migration> migrations, const std::set<int> &applied);

// The role the app connects as. `migrate`, connected as the owner, creates
// it if missing, sets its password and leaves it exactly these privileges,
// on every run, so that a database made before the role existed gets it too.
struct AppRole {
    std::string user;
    std::string password;
};

// What the app role may do, and nothing else: count and read the count,
// and read the schema version for /readyz.
inline constexpr std::string_view kAppRoleGrants[] = {
    "GRANT SELECT, UPDATE ON page_views TO ",
    "GRANT SELECT ON schema_migrations TO ",
};

// How MariaDB's mysql_native_password stores `password`: '*' and the
// upper-case hex of SHA1(SHA1(password)). Sent instead of the password, so
// that no statement (which Drogon logs when it fails) holds the password.
std::string mysqlNativePasswordHash(std::string_view password);

// Applies the pending migrations and records them in schema_migrations,
// then, given `appRole`, creates or updates that role. Safe when several run
// at once: they serialize on a database lock. Returns how many it applied.
Result<int> migrate(const DbClientPtr &client, Backend backend, const AppRole *appRole = nullptr);

// Blocks until the database resolves and answers, up to `patience`, and
// returns its client.
Result<DbClientPtr> waitForDatabase(Database &database, std::chrono::seconds patience);

}  // namespace pageviews
