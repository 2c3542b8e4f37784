#pragma once

#include <set>
#include <span>
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

// Applies the pending migrations and records them in schema_migrations.
// Safe when several run at once: they serialize on a database lock.
// Returns how many it applied.
Result<int> migrate(const DbClientPtr &client, Backend backend);

// Blocks until the database resolves and answers, up to `patience`, and
// returns its client.
Result<DbClientPtr> waitForDatabase(Database &database, std::chrono::seconds patience);

}  // namespace pageviews
