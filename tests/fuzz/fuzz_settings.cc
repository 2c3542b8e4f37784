// libFuzzer target: loadSettings (src/settings.h), the whole environment
// reader: DATABASE_URL and DATABASE_URL_FILE / DATABASE_PASSWORD_FILE /
// DATABASE_APP_PASSWORD_FILE (with fuzzed file contents), DATABASE_APP_USER,
// every PAGEVIEWS_* variable.
//
// Input format: records separated by NUL bytes (the one byte no environment
// variable can hold; values may hold newlines). A record's first byte picks what
// it sets (byte % 19: one of the 16 variables, or the content of the file
// DATABASE_URL_FILE, DATABASE_PASSWORD_FILE or DATABASE_APP_PASSWORD_FILE
// names); the rest is the value. A file no record provides cannot be read.
// Kinds 0-14 kept their meaning when 15-18 were added, so older corpus
// entries still say what they said.
//
// Checks: no crash or undefined behaviour; accepted settings lie within the
// documented ranges; describe() is one line and depends on neither password
// (so never shows them); an error is one line, names a setting, and never
// contains a password.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "settings.h"

using namespace pageviews;

namespace {

constexpr std::array<std::string_view, 13> kNames{
    "DATABASE_URL",
    "DATABASE_URL_FILE",
    "DATABASE_PASSWORD_FILE",
    "PAGEVIEWS_LISTEN",
    "PAGEVIEWS_THREADS",
    "PAGEVIEWS_DB_CONNECTIONS",
    "PAGEVIEWS_DB_TIMEOUT_MS",
    "PAGEVIEWS_COUNT_MODE",
    "PAGEVIEWS_BATCH_MAX_SIZE",
    "PAGEVIEWS_BATCH_MAX_WAIT_US",
    "PAGEVIEWS_DRAIN_QUIET_MS",
    "PAGEVIEWS_SHUTDOWN_TIMEOUT_MS",
    "PAGEVIEWS_LOG_LEVEL",
};
constexpr std::size_t kUrlFileContent = 13;
constexpr std::size_t kPasswordFileContent = 14;
constexpr std::array<std::string_view, 3> kLaterNames{"PAGEVIEWS_METRICS_PORT", "DATABASE_APP_USER",
                                                      "DATABASE_APP_PASSWORD_FILE"};
constexpr std::size_t kLaterNamesFirst = 15;
constexpr std::size_t kAppPasswordFileContent = 18;
constexpr std::size_t kKinds = 19;

bool startsWithSettingName(const std::string &message) {
    for (const auto names :
         {std::span<const std::string_view>(kNames), std::span<const std::string_view>(kLaterNames)}) {
        for (const auto name : names) {
            if (message.starts_with(std::string(name) + ": ")) return true;
        }
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
    FUZZ_REQUIRE(s.metricsPort >= 1 && s.metricsPort != s.listenPort);
    FUZZ_REQUIRE(s.appDbUser.empty() == s.appDbPassword.empty());
    if (!s.appDbUser.empty()) {
        FUZZ_REQUIRE(s.database.backend != Backend::Sqlite && s.appDbUser != s.database.user);
        FUZZ_REQUIRE(!fuzz::hasControlCharacter(s.appDbPassword));
    }
    FUZZ_REQUIRE(!s.listenHost.empty());
    FUZZ_REQUIRE(s.logLevel == "trace" || s.logLevel == "debug" || s.logLevel == "info" || s.logLevel == "warn" ||
                 s.logLevel == "error");
    if (s.database.backend == Backend::Sqlite) FUZZ_REQUIRE(s.database.password.empty());

    const auto line = describe(s);
    if (!s.database.password.empty() || !s.appDbPassword.empty()) {
        auto other = s;
        if (!other.database.password.empty()) other.database.password = "\x01-other-password-\x02";
        if (!other.appDbPassword.empty()) other.appDbPassword = "\x01-other-app-password-\x02";
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
    std::optional<std::string> appPasswordFileContent;
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
        } else if (kind == kAppPasswordFileContent) {
            appPasswordFileContent = value;
        } else if (kind >= kLaterNamesFirst) {
            env[std::string(kLaterNames[kind - kLaterNamesFirst])] = value;
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
        if (appPasswordFileContent && pathOf("DATABASE_APP_PASSWORD_FILE") == path) return *appPasswordFileContent;
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
    // Echoed values may hold any byte, so a secret may straddle fixed text
    // and an echoed path ("...read file <path>") without being echoed: look
    // for secrets only in the text between echoed values.
    std::vector<std::string> unechoed{message};
    for (const auto &[name, value] : env) {
        if (name == "DATABASE_URL" || value.empty()) continue;
        std::vector<std::string> pieces;
        for (const auto &text : unechoed) {
            std::size_t from = 0;
            for (auto at = text.find(value); at != std::string::npos; at = text.find(value, from)) {
                pieces.push_back(text.substr(from, at - from));
                from = at + value.size();
            }
            pieces.push_back(text.substr(from));
        }
        unechoed = std::move(pieces);
    }
    // A secret file's one trailing newline is not part of the secret.
    auto secretShown = [&](std::string secret) {
        if (secret.ends_with('\n')) secret.pop_back();
        if (secret.ends_with('\r')) secret.pop_back();
        return fuzz::distinctiveSecret(secret) && echoed.find(secret) == std::string::npos &&
               std::any_of(unechoed.begin(), unechoed.end(),
                           [&](const std::string &text) { return text.find(secret) != std::string::npos; });
    };
    if (passwordFileContent) FUZZ_REQUIRE(!secretShown(*passwordFileContent));
    if (appPasswordFileContent) FUZZ_REQUIRE(!secretShown(*appPasswordFileContent));
    if (const auto url = pathOf("DATABASE_URL")) FUZZ_REQUIRE(!secretShown(fuzz::naivePassword(*url)));
    if (urlFileContent) FUZZ_REQUIRE(!secretShown(fuzz::naivePassword(*urlFileContent)));
    // One line, unless it quotes a file path that itself holds a newline.
    FUZZ_REQUIRE(message.find('\n') == std::string::npos || echoedNewline);
    return 0;
}
