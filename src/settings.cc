#include "settings.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace pageviews {
namespace {

// A whole-number setting: its variable, its key in the startup line, its
// range and meaning, and the Settings member it sets. Its default is that
// member's value in a default Settings (defaults.h), so parsing, --help and
// the startup line all come from this one row.
struct NumberSetting {
    std::string_view name;
    std::string_view key;
    std::size_t low;
    std::size_t high;
    std::string_view meaning;
    std::size_t (*get)(const Settings &);
    void (*set)(Settings &, std::size_t);
    // For a default that depends on the machine; empty: the number itself.
    std::string_view defaultText = {};
};

template <typename Rep, typename Period>
std::size_t count(std::chrono::duration<Rep, Period> duration) {
    return static_cast<std::size_t>(duration.count());
}

constexpr std::array kNumberSettings{
    NumberSetting{"PAGEVIEWS_METRICS_PORT", "metrics_port", 1, 65535,
                  "port for GET /metrics (Prometheus), on the PAGEVIEWS_LISTEN address; never served on the HTTP port",
                  [](const Settings &s) -> std::size_t { return s.metricsPort; },
                  [](Settings &s, std::size_t v) { s.metricsPort = static_cast<std::uint16_t>(v); }},
    NumberSetting{"PAGEVIEWS_THREADS", "threads", 1, 256, "HTTP I/O threads",
                  [](const Settings &s) { return s.threads; }, [](Settings &s, std::size_t v) { s.threads = v; },
                  "number of CPUs"},
    NumberSetting{"PAGEVIEWS_DB_CONNECTIONS", "db_connections", 1, 64,
                  "connections for reads (SQLite: always 1); PostgreSQL counts on one of its own per I/O thread, or "
                  "this many per thread in per-request mode",
                  [](const Settings &s) { return s.dbConnections; },
                  [](Settings &s, std::size_t v) { s.dbConnections = v; }},
    NumberSetting{"PAGEVIEWS_DB_TIMEOUT_MS", "db_timeout_ms", 100, 60000, "longest a request waits for the database",
                  [](const Settings &s) { return count(s.dbTimeout); },
                  [](Settings &s, std::size_t v) { s.dbTimeout = std::chrono::milliseconds(v); }},
    NumberSetting{"PAGEVIEWS_BATCH_MAX_SIZE", "batch_max_size", 1, 100000, "most views added by one statement",
                  [](const Settings &s) { return s.batchMaxSize; },
                  [](Settings &s, std::size_t v) { s.batchMaxSize = v; }},
    NumberSetting{"PAGEVIEWS_BATCH_MAX_WAIT_US", "batch_max_wait_us", 0, 100000,
                  "how long an idle counter lingers to fill a batch",
                  [](const Settings &s) { return count(s.batchMaxWait); },
                  [](Settings &s, std::size_t v) { s.batchMaxWait = std::chrono::microseconds(v); }},
    NumberSetting{"PAGEVIEWS_DRAIN_QUIET_MS", "drain_quiet_ms", 0, 10000,
                  "on SIGTERM, exit after this long without a request",
                  [](const Settings &s) { return count(s.drainQuiet); },
                  [](Settings &s, std::size_t v) { s.drainQuiet = std::chrono::milliseconds(v); }},
    NumberSetting{"PAGEVIEWS_SHUTDOWN_TIMEOUT_MS", "shutdown_timeout_ms", 0, 60000,
                  "on SIGTERM, exit after this long at the latest",
                  [](const Settings &s) { return count(s.shutdownTimeout); },
                  [](Settings &s, std::size_t v) { s.shutdownTimeout = std::chrono::milliseconds(v); }},
};

// The settings that are not whole numbers, for --help.
struct TextSetting {
    std::string_view name;
    std::string fallback;
    std::string_view meaning;
};

std::vector<TextSetting> textSettings() {
    return {
        {"DATABASE_URL", "sqlite://" + std::string(defaults::kSqliteFile),
         "postgres://user[:pass]@host[:port]/db[?sslmode=...], mysql://..., sqlite:///abs/path"},
        {"DATABASE_URL_FILE", "unset", "read DATABASE_URL from this file (Docker secrets)"},
        {"DATABASE_PASSWORD_FILE", "unset", "read the database password from this file"},
        {"DATABASE_APP_USER", "unset",
         "migrate only: create or update this role for the app, allowed only to read and update the count"},
        {"DATABASE_APP_PASSWORD_FILE", "unset", "migrate only: the app role's password, read from this file"},
        {"PAGEVIEWS_LISTEN", std::string(defaults::kListen), "address:port to serve HTTP on"},
        {"PAGEVIEWS_COUNT_MODE", "batched", "batched | per-request (one statement per view)"},
        {"PAGEVIEWS_LOG_LEVEL", std::string(defaults::kLogLevel), "trace | debug | info | warn | error"},
    };
}

Error settingError(std::string_view name, std::string_view problem) {
    return Error{std::string(name) + ": " + std::string(problem)};
}

// A non-empty value, or nullopt for unset and empty alike.
std::optional<std::string> nonEmpty(const EnvLookup &env, std::string_view name) {
    auto value = env(name);
    if (value && value->empty()) return std::nullopt;
    return value;
}

Result<std::size_t> integerSetting(const EnvLookup &env, std::string_view name, std::size_t fallback, std::size_t low,
                                   std::size_t high) {
    const auto text = nonEmpty(env, name);
    if (!text) return fallback;
    std::size_t value = 0;
    const auto *first = text->data();
    const auto *last = first + text->size();
    const auto [end, ec] = std::from_chars(first, last, value);
    if (ec != std::errc{} || end != last || value < low || value > high) {
        return settingError(name,
                            "expected a whole number from " + std::to_string(low) + " to " + std::to_string(high));
    }
    return value;
}

// One trailing newline is what editors and `echo` add to a secret file.
std::string withoutTrailingNewline(std::string text) {
    if (text.ends_with('\n')) text.pop_back();
    if (text.ends_with('\r')) text.pop_back();
    return text;
}

Result<std::string> secretFromFile(const FileReader &readFile, std::string_view name, const std::string &path) {
    auto content = readFile(path);
    if (!content) return settingError(name, content.error().message);
    auto secret = withoutTrailingNewline(std::move(content).value());
    if (secret.empty()) return settingError(name, "file " + path + " is empty");
    return secret;
}

Result<DatabaseConfig> databaseSetting(const EnvLookup &env, const FileReader &readFile) {
    const auto url = nonEmpty(env, "DATABASE_URL");
    const auto urlFile = nonEmpty(env, "DATABASE_URL_FILE");
    const auto passwordFile = nonEmpty(env, "DATABASE_PASSWORD_FILE");
    if (url && urlFile) return settingError("DATABASE_URL_FILE", "set only one of DATABASE_URL and DATABASE_URL_FILE");

    std::string text = "sqlite://" + std::string(defaults::kSqliteFile);
    if (url) text = *url;
    if (urlFile) {
        auto fromFile = secretFromFile(readFile, "DATABASE_URL_FILE", *urlFile);
        if (!fromFile) return fromFile.error();
        text = std::move(fromFile).value();
    }
    auto config = parseDatabaseUrl(text);
    if (!config) return config;
    if (!passwordFile) return config;

    auto &database = config.value();
    if (database.backend == Backend::Sqlite) return settingError("DATABASE_PASSWORD_FILE", "sqlite takes no password");
    if (!database.password.empty()) {
        return settingError("DATABASE_PASSWORD_FILE", "DATABASE_URL already holds a password; give it in one place");
    }
    auto password = secretFromFile(readFile, "DATABASE_PASSWORD_FILE", *passwordFile);
    if (!password) return password.error();
    database.password = std::move(password).value();
    if (auto problem = checkConnectionFields(database)) return settingError("DATABASE_PASSWORD_FILE", problem->message);
    return config;
}

Result<Settings> listenSetting(const EnvLookup &env, Settings settings) {
    const auto text = nonEmpty(env, "PAGEVIEWS_LISTEN");
    if (!text) return settings;
    const std::string_view listen = *text;
    const auto colon = listen.rfind(':');
    if (colon == std::string_view::npos) return settingError("PAGEVIEWS_LISTEN", "expected address:port");
    std::string_view host = listen.substr(0, colon);
    if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
    const auto portText = listen.substr(colon + 1);
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (portText.empty() || ec != std::errc{} || end != portText.data() + portText.size() || port == 0 ||
        port > 65535) {
        return settingError("PAGEVIEWS_LISTEN", "port must be a number from 1 to 65535");
    }
    if (host.empty()) return settingError("PAGEVIEWS_LISTEN", "expected address:port, e.g. 0.0.0.0:8000");
    settings.listenHost = std::string(host);
    settings.listenPort = static_cast<std::uint16_t>(port);
    return settings;
}

Result<Settings> metricsPortSetting(Settings settings) {
    if (settings.metricsPort == settings.listenPort) {
        return settingError("PAGEVIEWS_METRICS_PORT", "must differ from the PAGEVIEWS_LISTEN port");
    }
    return settings;
}

// A role name that needs no quoting in PostgreSQL or MariaDB and fits both.
bool plainRoleName(std::string_view name) {
    constexpr std::size_t kMaxRoleName = 63;
    if (name.empty() || name.size() > kMaxRoleName || (name[0] >= '0' && name[0] <= '9')) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

bool hasControlCharacter(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

// The app's role, which `migrate` (connected as the owner) creates or updates.
std::optional<Error> appRoleSettings(const EnvLookup &env, const FileReader &readFile, Settings &s) {
    const auto user = nonEmpty(env, "DATABASE_APP_USER");
    const auto passwordFile = nonEmpty(env, "DATABASE_APP_PASSWORD_FILE");
    if (!user && !passwordFile) return std::nullopt;
    if (!user) return settingError("DATABASE_APP_USER", "required with DATABASE_APP_PASSWORD_FILE");
    if (!passwordFile) return settingError("DATABASE_APP_PASSWORD_FILE", "required with DATABASE_APP_USER");
    if (s.database.backend == Backend::Sqlite) return settingError("DATABASE_APP_USER", "sqlite has no roles");
    if (!plainRoleName(*user)) {
        return settingError("DATABASE_APP_USER",
                            "expected 1-63 lowercase letters, digits and _, not starting with a digit");
    }
    if (*user == s.database.user) {
        return settingError("DATABASE_APP_USER",
                            "must differ from the DATABASE_URL user, the owner migrate connects as");
    }
    auto password = secretFromFile(readFile, "DATABASE_APP_PASSWORD_FILE", *passwordFile);
    if (!password) return password.error();
    if (hasControlCharacter(password.value())) {
        return settingError("DATABASE_APP_PASSWORD_FILE", "the password must not contain control characters");
    }
    // The app will pass this password in its own connection string.
    DatabaseConfig asApp = s.database;
    asApp.user = *user;
    asApp.password = password.value();
    if (checkConnectionFields(asApp)) {
        return settingError("DATABASE_APP_PASSWORD_FILE", "a mysql password must not contain spaces, quotes, \\ or =");
    }
    s.appDbUser = *user;
    s.appDbPassword = std::move(password).value();
    return std::nullopt;
}

Result<CountMode> countModeSetting(const EnvLookup &env) {
    const auto text = nonEmpty(env, "PAGEVIEWS_COUNT_MODE");
    if (!text || *text == "batched") return CountMode::Batched;
    if (*text == "per-request") return CountMode::PerRequest;
    return settingError("PAGEVIEWS_COUNT_MODE", "expected batched or per-request");
}

Result<std::string> logLevelSetting(const EnvLookup &env) {
    constexpr std::array<std::string_view, 5> levels{"trace", "debug", "info", "warn", "error"};
    const auto text = nonEmpty(env, "PAGEVIEWS_LOG_LEVEL");
    if (!text) return std::string(defaults::kLogLevel);
    if (std::find(levels.begin(), levels.end(), *text) == levels.end()) {
        return settingError("PAGEVIEWS_LOG_LEVEL", "expected trace, debug, info, warn or error");
    }
    return *text;
}

// Reads every whole-number setting; the first bad one is the error.
std::optional<Error> numberSettings(const EnvLookup &env, Settings &s) {
    for (const auto &setting : kNumberSettings) {
        const auto value = integerSetting(env, setting.name, setting.get(s), setting.low, setting.high);
        if (!value) return value.error();
        setting.set(s, value.value());
    }
    return std::nullopt;
}

}  // namespace

Result<Settings> loadSettings(const EnvLookup &env, const FileReader &readFile, unsigned hardwareThreads) {
    Settings settings;
    settings.threads = std::max(1u, hardwareThreads);
    auto database = databaseSetting(env, readFile);
    if (!database) return database.error();
    settings.database = std::move(database).value();
    if (auto problem = numberSettings(env, settings)) return *problem;
    // One SQLite file, one writer: more connections would only contend.
    if (settings.database.backend == Backend::Sqlite) settings.dbConnections = 1;
    auto mode = countModeSetting(env);
    if (!mode) return mode.error();
    settings.countMode = mode.value();
    auto level = logLevelSetting(env);
    if (!level) return level.error();
    settings.logLevel = std::move(level).value();
    if (auto problem = appRoleSettings(env, readFile, settings)) return *problem;
    auto listening = listenSetting(env, std::move(settings));
    if (!listening) return listening;
    return metricsPortSetting(std::move(listening).value());
}

std::string describe(const Settings &s) {
    std::ostringstream out;
    out << "database=" << redactedUrl(s.database) << " listen=" << s.listenHost << ':' << s.listenPort;
    for (const auto &setting : kNumberSettings) out << ' ' << setting.key << '=' << setting.get(s);
    out << " count_mode=" << (s.countMode == CountMode::Batched ? "batched" : "per-request")
        << " log_level=" << s.logLevel;
    if (!s.appDbUser.empty()) out << " app_db_user=" << s.appDbUser;
    return out.str();
}

std::string settingsHelp() {
    std::ostringstream out;
    out << "Settings (environment variables):\n";
    for (const auto &setting : textSettings()) {
        out << "  " << setting.name << "\n      " << setting.meaning << " (default: " << setting.fallback << ")\n";
    }
    const Settings fallback;
    for (const auto &setting : kNumberSettings) {
        out << "  " << setting.name << "\n      " << setting.meaning << ", " << setting.low << "-" << setting.high
            << " (default: ";
        if (setting.defaultText.empty()) {
            out << setting.get(fallback);
        } else {
            out << setting.defaultText;
        }
        out << ")\n";
    }
    return out.str();
}

std::optional<std::string> processEnv(std::string_view name) {
    const char *value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
}

Result<std::string> readSecretFile(const std::string &path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) return Error{"cannot read file " + path};
    constexpr std::streamsize kMaxSecretSize = 64 * 1024;
    std::string content(static_cast<std::size_t>(kMaxSecretSize) + 1, '\0');
    file.read(content.data(), kMaxSecretSize + 1);
    if (file.bad()) return Error{"cannot read file " + path};
    if (file.gcount() > kMaxSecretSize) return Error{"file " + path + " is larger than 64 KiB"};
    content.resize(static_cast<std::size_t>(file.gcount()));
    return content;
}

}  // namespace pageviews
