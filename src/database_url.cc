#include "database_url.h"

#include <algorithm>
#include <charconv>

namespace pageviews {
namespace {

struct Scheme {
    std::string_view name;
    Backend backend;
};

constexpr Scheme kSchemes[] = {
    {"postgres", Backend::Postgres}, {"postgresql", Backend::Postgres}, {"mysql", Backend::Mysql},
    {"mariadb", Backend::Mysql},     {"sqlite", Backend::Sqlite},
};

Error urlError(std::string_view problem) { return Error{"DATABASE_URL: " + std::string(problem)}; }

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool hasControlCharacter(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

// Splits "text" at the first `separator`; the separator is dropped.
std::pair<std::string_view, std::string_view> splitFirst(std::string_view text, char separator) {
    const auto at = text.find(separator);
    if (at == std::string_view::npos) return {text, {}};
    return {text.substr(0, at), text.substr(at + 1)};
}

Result<std::string> decodeField(std::string_view raw, std::string_view what) {
    auto decoded = percentDecode(raw);
    if (!decoded) return urlError("invalid percent-encoding in the " + std::string(what));
    if (hasControlCharacter(*decoded)) return urlError("control character in the " + std::string(what));
    return std::move(*decoded);
}

Result<std::uint16_t> parsePort(std::string_view text) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535) {
        return urlError("port must be a number from 1 to 65535");
    }
    return static_cast<std::uint16_t>(value);
}

// host, [ipv6]:port or host:port
Result<DatabaseConfig> parseHostPort(std::string_view hostPort, DatabaseConfig config) {
    std::string_view host = hostPort;
    std::string_view port;
    if (hostPort.starts_with('[')) {
        const auto close = hostPort.find(']');
        if (close == std::string_view::npos) return urlError("unterminated [ in the host");
        host = hostPort.substr(1, close - 1);
        const auto rest = hostPort.substr(close + 1);
        if (!rest.empty()) {
            if (!rest.starts_with(':')) return urlError("unexpected text after ] in the host");
            port = rest.substr(1);
        }
    } else if (const auto colon = hostPort.rfind(':'); colon != std::string_view::npos) {
        host = hostPort.substr(0, colon);
        port = hostPort.substr(colon + 1);
    }
    auto decodedHost = decodeField(host, "host");
    if (!decodedHost) return decodedHost.error();
    if (decodedHost.value().empty()) return urlError("missing host");
    config.host = std::move(decodedHost).value();
    if (!port.empty()) {
        auto number = parsePort(port);
        if (!number) return number.error();
        config.port = number.value();
    }
    return config;
}

bool isOptionName(std::string_view name) {
    return !name.empty() &&
           std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

Result<DatabaseConfig> parseQuery(std::string_view query, DatabaseConfig config) {
    while (!query.empty()) {
        auto [pair, rest] = splitFirst(query, '&');
        query = rest;
        if (pair.empty()) continue;
        auto [name, value] = splitFirst(pair, '=');
        if (!isOptionName(name)) return urlError("invalid query option name");
        if (name == "password") return urlError("put the password in the URL's user part or DATABASE_PASSWORD_FILE");
        auto decoded = decodeField(value, "query option " + std::string(name));
        if (!decoded) return decoded.error();
        config.options.emplace_back(std::string(name), std::move(decoded).value());
    }
    if (config.backend != Backend::Postgres && !config.options.empty()) {
        return urlError("query options are supported for postgres only");
    }
    return config;
}

// Drogon's MySQL client splits its connection string at spaces and '=' and
// knows no escapes, so such characters cannot be passed through.
bool fitsMysqlConnectionString(std::string_view value) {
    return value.find_first_of(" '\\=") == std::string_view::npos;
}

Result<DatabaseConfig> parseServerUrl(std::string_view rest, DatabaseConfig config) {
    auto [beforeQuery, query] = splitFirst(rest, '?');
    const auto slash = beforeQuery.find('/');
    if (slash == std::string_view::npos) return urlError("missing database name (add /name after the host)");
    const auto authority = beforeQuery.substr(0, slash);
    const auto path = beforeQuery.substr(slash + 1);

    std::string_view hostPort = authority;
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        auto [user, password] = splitFirst(authority.substr(0, at), ':');
        auto decodedUser = decodeField(user, "user");
        if (!decodedUser) return decodedUser.error();
        auto decodedPassword = decodeField(password, "password");
        if (!decodedPassword) return decodedPassword.error();
        config.user = std::move(decodedUser).value();
        config.password = std::move(decodedPassword).value();
        hostPort = authority.substr(at + 1);
    }
    auto withHost = parseHostPort(hostPort, std::move(config));
    if (!withHost) return withHost;
    config = std::move(withHost).value();

    auto name = decodeField(path, "database name");
    if (!name) return name.error();
    if (name.value().empty()) return urlError("missing database name (add /name after the host)");
    if (name.value().find('/') != std::string::npos) return urlError("database name must not contain /");
    config.name = std::move(name).value();
    if (auto problem = checkConnectionFields(config)) return *problem;
    return parseQuery(query, std::move(config));
}

Result<DatabaseConfig> parseSqliteUrl(std::string_view rest, DatabaseConfig config) {
    if (rest.find('?') != std::string_view::npos) return urlError("query options are supported for postgres only");
    auto path = decodeField(rest, "sqlite path");
    if (!path) return path.error();
    if (path.value().empty()) return urlError("missing sqlite file path (sqlite:///absolute or sqlite://relative)");
    config.name = std::move(path).value();
    return config;
}

// libpq keyword=value syntax: values in single quotes, \ and ' escaped.
std::string quoteConnValue(std::string_view value) {
    std::string quoted = "'";
    for (const char c : value) {
        if (c == '\\' || c == '\'') quoted += '\\';
        quoted += c;
    }
    quoted += '\'';
    return quoted;
}

void appendKeyword(std::string &out, Backend backend, std::string_view key, std::string_view value) {
    if (!out.empty()) out += ' ';
    out.append(key).append("=");
    if (backend == Backend::Postgres) {
        out += quoteConnValue(value);
    } else {
        out += value;
    }
}

}  // namespace

std::string_view backendName(Backend backend) {
    switch (backend) {
        case Backend::Postgres: return "postgres";
        case Backend::Mysql: return "mysql";
        case Backend::Sqlite: return "sqlite";
    }
    return "unknown";
}

std::optional<Error> checkConnectionFields(const DatabaseConfig &config) {
    if (config.backend != Backend::Mysql) return std::nullopt;
    for (const auto *field : {&config.host, &config.user, &config.password, &config.name}) {
        if (!fitsMysqlConnectionString(*field))
            return urlError("mysql fields must not contain spaces, quotes, \\ or =");
    }
    return std::nullopt;
}

std::optional<std::string> percentDecode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        const int high = hexValue(text[i + 1]);
        const int low = hexValue(text[i + 2]);
        if (high < 0 || low < 0) return std::nullopt;
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return out;
}

Result<DatabaseConfig> parseDatabaseUrl(std::string_view url) {
    if (url.empty()) return urlError("is empty");
    if (hasControlCharacter(url)) return urlError("contains a control character");
    const auto separator = url.find("://");
    if (separator == std::string_view::npos) return urlError("expected scheme://..., e.g. postgres://user@host/db");
    const auto scheme = url.substr(0, separator);
    const auto known =
        std::find_if(std::begin(kSchemes), std::end(kSchemes), [&](const Scheme &s) { return s.name == scheme; });
    if (known == std::end(kSchemes)) return urlError("unsupported scheme (use postgres, mysql or sqlite)");

    DatabaseConfig config;
    config.backend = known->backend;
    const auto rest = url.substr(separator + 3);
    if (config.backend == Backend::Sqlite) return parseSqliteUrl(rest, std::move(config));
    return parseServerUrl(rest, std::move(config));
}

std::string connectionString(const DatabaseConfig &config) {
    if (config.backend == Backend::Sqlite) return "filename=" + config.name;
    std::string out;
    // libpq connects to hostaddr and keeps host for TLS and .pgpass; Drogon's
    // MySQL client takes the address in place of the name.
    const bool mysqlAddress = config.backend == Backend::Mysql && !config.hostAddress.empty();
    appendKeyword(out, config.backend, "host", mysqlAddress ? config.hostAddress : config.host);
    if (config.backend == Backend::Postgres && !config.hostAddress.empty()) {
        appendKeyword(out, config.backend, "hostaddr", config.hostAddress);
    }
    if (config.port) appendKeyword(out, config.backend, "port", std::to_string(*config.port));
    appendKeyword(out, config.backend, "dbname", config.name);
    if (!config.user.empty()) appendKeyword(out, config.backend, "user", config.user);
    if (!config.password.empty()) appendKeyword(out, config.backend, "password", config.password);
    for (const auto &[key, value] : config.options) appendKeyword(out, config.backend, key, value);
    return out;
}

std::string redactedUrl(const DatabaseConfig &config) {
    std::string out(backendName(config.backend));
    out += "://";
    if (config.backend == Backend::Sqlite) return out + config.name;
    if (!config.user.empty()) {
        out += config.user;
        if (!config.password.empty()) out += ":***";
        out += '@';
    }
    out += config.host.find(':') != std::string::npos ? "[" + config.host + "]" : config.host;
    if (config.port) out += ":" + std::to_string(*config.port);
    out += "/" + config.name;
    for (std::size_t i = 0; i < config.options.size(); ++i) {
        out += (i == 0 ? '?' : '&') + config.options[i].first + "=" + config.options[i].second;
    }
    return out;
}

}  // namespace pageviews
