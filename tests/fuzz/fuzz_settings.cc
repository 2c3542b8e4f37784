// libFuzzer target: loadSettings (src/settings.h), the whole environment
// reader: DATABASE_URL and DATABASE_URL_FILE / DATABASE_PASSWORD_FILE (with
// fuzzed file contents), every PAGEVIEWS_* variable.
//
// Input format: records separated by NUL bytes (the one byte no environment
// variable can hold; values may hold newlines). A record's first byte picks what
// it sets (byte % 15: one of the 13 variables, the content of the file
// DATABASE_URL_FILE names, or the content of the file DATABASE_PASSWORD_FILE
// names); the rest is the value. A file no record provides cannot be read.
//
// Checks: no crash or undefined behaviour; accepted settings lie within the
// documented ranges; describe() is one line and does not depend on the
// password (so never shows it); an error is one line, names a setting, and
// never contains the password.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "settings.h"

using namespace pageviews;

namespace {

constexpr std::array<std::string_view, 13> kNames{
    "DATABASE_URL",           "DATABASE_URL_FILE",           "DATABASE_PASSWORD_FILE",
    "PAGEVIEWS_LISTEN",       "PAGEVIEWS_THREADS",           "PAGEVIEWS_DB_CONNECTIONS",
    "PAGEVIEWS_DB_TIMEOUT_MS", "PAGEVIEWS_COUNT_MODE",       "PAGEVIEWS_BATCH_MAX_SIZE",
    "PAGEVIEWS_BATCH_MAX_WAIT_US", "PAGEVIEWS_DRAIN_QUIET_MS", "PAGEVIEWS_SHUTDOWN_TIMEOUT_MS",
    "PAGEVIEWS_LOG_LEVEL",
};
constexpr std::size_t kUrlFileContent = 13;
constexpr std::size_t kPasswordFileContent = 14;
constexpr std::size_t kKinds = 15;

bool startsWithSettingName(const std::string &message) {
    for (const auto name : kNames) {
        if (message.starts_with(std::string(name) + ": ")) return true;
    }
    return false;
}

void checkAccepted(const Settings &s, bool threadsSet, unsigned hardwareThreads) {
    // A PAGEVIEWS_THREADS value must be 1-256; the default is the number of
    // hardware threads, whatever it is (at least 1).
    FUZZ_REQUIRE(s.threads >= 1);
    FUZZ_REQUIRE(threadsSet ? s.threads <= 256 : s.threads == std::max(1u, hardwareThreads));
    FUZZ_REQUIRE(s.dbConnections >= 1 && s.dbConnections <= 64);
    if (s.database.backend == Backend::Sqlite) FUZZ_REQUIRE(s.dbConnections == 1);
    FUZZ_REQUIRE(s.dbTimeout.count() >= 100 && s.dbTimeout.count() <= 60000);
    FUZZ_REQUIRE(s.batchMaxSize >= 1 && s.batchMaxSize <= 100000);
    FUZZ_REQUIRE(s.batchMaxWait.count() >= 0 && s.batchMaxWait.count() <= 100000);
    FUZZ_REQUIRE(s.drainQuiet.count() >= 0 && s.drainQuiet.count() <= 10000);
    FUZZ_REQUIRE(s.shutdownTimeout.count() >= 0 && s.shutdownTimeout.count() <= 60000);
    FUZZ_REQUIRE(s.listenPort >= 1);
    FUZZ_REQUIRE(!s.listenHost.empty());
    FUZZ_REQUIRE(s.logLevel == "trace" || s.logLevel == "debug" || s.logLevel == "info" || s.logLevel == "warn" ||
                 s.logLevel == "error");
    if (s.database.backend == Backend::Sqlite) FUZZ_REQUIRE(s.database.password.empty());

    const auto line = describe(s);
    if (!s.database.password.empty()) {
        auto other = s;
        other.database.password = "\x01-other-password-\x02";
        FUZZ_REQUIRE(describe(other) == line);
    }
    // The database part is the URL as parsed, so only a control character
    // from the listen address could break the line; those are accepted as
    // given (the address must then fail to bind), but never a newline from
    // the database fields.
    if (!fuzz::hasControlCharacter(s.listenHost)) FUZZ_REQUIRE(line.find('\n') == std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    std::map<std::string, std::string, std::less<>> env;
    std::optional<std::string> urlFileContent;
    std::optional<std::string> passwordFileContent;
    // 0 to 1020: std::thread::hardware_concurrency() may return 0, and big
    // machines have more than 256 hardware threads.
    const unsigned hardwareThreads = size > 0 ? data[0] * 4u : 1u;
    std::size_t start = 0;
    while (start < input.size()) {
        const auto end = std::min(input.find('\0', start), input.size());
        const auto record = input.substr(start, end - start);
        start = end + 1;
        if (record.empty()) continue;
        const auto kind = static_cast<unsigned char>(record[0]) % kKinds;
        const std::string value(record.substr(1));
        if (kind == kUrlFileContent) {
            urlFileContent = value;
        } else if (kind == kPasswordFileContent) {
            passwordFileContent = value;
        } else {
            env[std::string(kNames[kind])] = value;
        }
    }

    const EnvLookup lookup = [&env](std::string_view name) -> std::optional<std::string> {
        const auto found = env.find(name);
        if (found == env.end()) return std::nullopt;
        return found->second;
    };
    const auto pathOf = [&env](std::string_view name) -> std::optional<std::string> {
        const auto found = env.find(name);
        if (found == env.end()) return std::nullopt;
        return found->second;
    };
    const FileReader readFile = [&](const std::string &path) -> Result<std::string> {
        if (passwordFileContent && pathOf("DATABASE_PASSWORD_FILE") == path) return *passwordFileContent;
        if (urlFileContent && pathOf("DATABASE_URL_FILE") == path) return *urlFileContent;
        return Error{"cannot read file " + path};
    };

    const auto settings = loadSettings(lookup, readFile, hardwareThreads);
    if (settings) {
        const auto threads = env.find(std::string_view("PAGEVIEWS_THREADS"));
        checkAccepted(settings.value(), threads != env.end() && !threads->second.empty(), hardwareThreads);
        return 0;
    }
    const auto &message = settings.error().message;
    FUZZ_REQUIRE(startsWithSettingName(message));
    // File paths are echoed in errors; secrets never are.
    std::string echoed;
    bool echoedNewline = false;
    for (const auto &[name, value] : env) {
        if (name == "DATABASE_URL") continue;
        echoed += value + '\0';
        echoedNewline = echoedNewline || value.find('\n') != std::string::npos;
    }
    auto secretShown = [&](const std::string &secret) {
        return fuzz::distinctiveSecret(secret) && echoed.find(secret) == std::string::npos &&
               message.find(secret) != std::string::npos;
    };
    if (passwordFileContent) FUZZ_REQUIRE(!secretShown(*passwordFileContent));
    if (const auto url = pathOf("DATABASE_URL")) FUZZ_REQUIRE(!secretShown(fuzz::naivePassword(*url)));
    if (urlFileContent) FUZZ_REQUIRE(!secretShown(fuzz::naivePassword(*urlFileContent)));
    // One line, unless it quotes a file path that itself holds a newline.
    FUZZ_REQUIRE(message.find('\n') == std::string::npos || echoedNewline);
    return 0;
}
