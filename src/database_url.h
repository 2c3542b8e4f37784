#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "result.h"

namespace pageviews {

enum class Backend { Postgres, Mysql, Sqlite };

std::string_view backendName(Backend backend);

// Where the data lives, parsed from a DATABASE_URL. For SQLite only `name`
// (the file path) is set.
struct DatabaseConfig {
    Backend backend = Backend::Sqlite;
    std::string host;
    // A numeric address for `host`, resolved by the app itself (see Database).
    std::string hostAddress;
    std::optional<std::uint16_t> port;
    std::string user;
    std::string password;
    std::string name;
    // Query parameters, passed to libpq as connection keywords (sslmode, ...).
    std::vector<std::pair<std::string, std::string>> options;
};

// Parses postgres://, postgresql://, mysql://, mariadb:// and sqlite:// URLs.
// Errors name the problem, never the URL itself (it may hold a password).
Result<DatabaseConfig> parseDatabaseUrl(std::string_view url);

// A problem that would keep the fields from reaching the backend's client
// intact (Drogon's MySQL client cannot quote), or nullopt.
std::optional<Error> checkConnectionFields(const DatabaseConfig &config);

// The connection string Drogon's client for the backend expects.
std::string connectionString(const DatabaseConfig &config);

// The URL with the password masked, for logs.
std::string redactedUrl(const DatabaseConfig &config);

// Decodes %XX escapes; nullopt for a malformed escape. Callers reject
// decoded control characters, NUL among them.
std::optional<std::string> percentDecode(std::string_view text);

}  // namespace pageviews
