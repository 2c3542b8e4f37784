#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "database_url.h"
#include "defaults.h"
#include "result.h"

namespace pageviews {

enum class CountMode {
    Batched,     // concurrent views share one statement (the default)
    PerRequest,  // one statement per view: the benchmark baseline
};

// Everything the process can be told, read once from the environment
// (the counterpart of a Django settings.py).
struct Settings {
    DatabaseConfig database;
    std::string listenHost{defaults::kListenHost};
    std::uint16_t listenPort = defaults::kListenPort;
    // Prometheus metrics are served here only, on listenHost, never on
    // listenPort: nginx proxies listenPort alone, so no spelling of a path
    // reaches them from outside.
    std::uint16_t metricsPort = defaults::kMetricsPort;
    std::size_t threads = 1;
    std::size_t dbConnections = defaults::kDbConnections;
    std::chrono::milliseconds dbTimeout = defaults::kDbTimeout;
    CountMode countMode = CountMode::Batched;
    std::size_t batchMaxSize = defaults::kBatchMaxSize;
    std::chrono::microseconds batchMaxWait = defaults::kBatchMaxWait;
    std::chrono::milliseconds drainQuiet = defaults::kDrainQuiet;
    std::chrono::milliseconds shutdownTimeout = defaults::kShutdownTimeout;
    std::string logLevel{defaults::kLogLevel};
    // The restricted role `migrate` creates or updates for the app; empty
    // when migrate manages no role (SQLite, or a role managed by hand).
    std::string appDbUser;
    std::string appDbPassword;
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
using FileReader = std::function<Result<std::string>(const std::string &path)>;

// Reads the settings. `hardwareThreads` is the default thread count.
Result<Settings> loadSettings(const EnvLookup &env, const FileReader &readFile, unsigned hardwareThreads);

// One line with the effective settings, the password masked.
std::string describe(const Settings &settings);

// The --help text: every setting with its default.
std::string settingsHelp();

// The process environment and file system, for loadSettings.
std::optional<std::string> processEnv(std::string_view name);
Result<std::string> readSecretFile(const std::string &path);

}  // namespace pageviews
