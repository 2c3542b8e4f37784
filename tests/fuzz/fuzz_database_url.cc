// libFuzzer target: parseDatabaseUrl (src/database_url.h) on arbitrary bytes.
// Beyond "no crash, no leak, no undefined behaviour" (ASan + UBSan), it checks
// what the rest of the app relies on:
//  - an error is one line starting "DATABASE_URL: " and never repeats the password;
//  - an accepted URL has the fields its backend needs, without control characters;
//  - redactedUrl() does not depend on the password's value (so never shows it);
//  - connectionString() for PostgreSQL parses back (libpq's quoting) to exactly
//    the parsed fields, so no value can inject another connection keyword;
//  - MySQL fields never carry the characters Drogon's MySQL client cannot quote.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "database_url.h"
#include "fuzz_common.h"

using namespace pageviews;

namespace {

using Keywords = std::vector<std::pair<std::string, std::string>>;

// libpq's keyword = 'value' syntax as connectionString() writes it: every
// value single-quoted, with \ escaping \ and '.
std::optional<Keywords> parseConnInfo(std::string_view text) {
    Keywords out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ') ++i;
        if (i == text.size()) break;
        const auto eq = text.find('=', i);
        if (eq == std::string_view::npos) return std::nullopt;
        std::string key(text.substr(i, eq - i));
        i = eq + 1;
        if (i >= text.size() || text[i] != '\'') return std::nullopt;
        ++i;
        std::string value;
        bool closed = false;
        while (i < text.size()) {
            const char c = text[i++];
            if (c == '\\') {
                if (i >= text.size()) return std::nullopt;
                value += text[i++];
            } else if (c == '\'') {
                closed = true;
                break;
            } else {
                value += c;
            }
        }
        if (!closed) return std::nullopt;
        if (i < text.size() && text[i] != ' ') return std::nullopt;
        out.emplace_back(std::move(key), std::move(value));
    }
    return out;
}

void checkPostgresConnectionString(const DatabaseConfig &config) {
    auto withAddress = config;  // as the app hands it over, with an address
    const DatabaseConfig &given = config;
    withAddress.hostAddress = "192.0.2.1";
    for (const DatabaseConfig *c : {&given, static_cast<const DatabaseConfig *>(&withAddress)}) {
        const auto parsed = parseConnInfo(connectionString(*c));
        FUZZ_REQUIRE(parsed.has_value());
        Keywords expected;
        expected.emplace_back("host", c->host);
        if (!c->hostAddress.empty()) expected.emplace_back("hostaddr", c->hostAddress);
        if (c->port) expected.emplace_back("port", std::to_string(*c->port));
        expected.emplace_back("dbname", c->name);
        if (!c->user.empty()) expected.emplace_back("user", c->user);
        if (!c->password.empty()) expected.emplace_back("password", c->password);
        for (const auto &option : c->options) expected.push_back(option);
        FUZZ_REQUIRE(*parsed == expected);
    }
}

void checkAccepted(const DatabaseConfig &config) {
    FUZZ_REQUIRE(!config.name.empty());
    FUZZ_REQUIRE(!fuzz::hasControlCharacter(config.name));
    if (config.backend == Backend::Sqlite) {
        FUZZ_REQUIRE(config.host.empty() && config.user.empty() && config.password.empty());
        FUZZ_REQUIRE(config.options.empty() && !config.port);
        return;
    }
    FUZZ_REQUIRE(!config.host.empty());
    FUZZ_REQUIRE(config.name.find('/') == std::string::npos);
    for (const auto *field : {&config.host, &config.user, &config.password}) {
        FUZZ_REQUIRE(!fuzz::hasControlCharacter(*field));
    }
    if (config.port) FUZZ_REQUIRE(*config.port >= 1);
    for (const auto &[name, value] : config.options) {
        FUZZ_REQUIRE(!name.empty() && name != "password");
        FUZZ_REQUIRE(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos);
        FUZZ_REQUIRE(!fuzz::hasControlCharacter(value));
    }
    if (config.backend == Backend::Mysql) {
        FUZZ_REQUIRE(config.options.empty());
        FUZZ_REQUIRE(!checkConnectionFields(config).has_value());
        for (const auto *field : {&config.host, &config.user, &config.password, &config.name}) {
            FUZZ_REQUIRE(field->find_first_of(" '\\=") == std::string::npos);
        }
    }
    if (config.backend == Backend::Postgres) checkPostgresConnectionString(config);

    // Redaction: the same text whatever the password is.
    const auto redacted = redactedUrl(config);
    FUZZ_REQUIRE(redacted.find('\n') == std::string::npos);
    if (!config.password.empty()) {
        auto other = config;
        other.password = "\x01-other-password-\x02";
        FUZZ_REQUIRE(redactedUrl(other) == redacted);
        if (!config.user.empty()) FUZZ_REQUIRE(redacted.find(":***@") != std::string::npos);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view url(reinterpret_cast<const char *>(data), size);
    const auto parsed = parseDatabaseUrl(url);
    if (!parsed) {
        const auto &message = parsed.error().message;
        FUZZ_REQUIRE(message.starts_with("DATABASE_URL: "));
        FUZZ_REQUIRE(message.find('\n') == std::string::npos);
        const auto password = fuzz::naivePassword(url);
        if (fuzz::distinctiveSecret(password)) FUZZ_REQUIRE(message.find(password) == std::string::npos);
        return 0;
    }
    checkAccepted(parsed.value());

    // percentDecode inverts percent-encoding (an accepted URL holds no NUL,
    // which the header allows it to refuse).
    std::string encoded;
    for (const unsigned char c : url) {
        static constexpr char kHex[] = "0123456789ABCDEF";
        encoded += '%';
        encoded += kHex[c >> 4];
        encoded += kHex[c & 15];
    }
    const auto decoded = percentDecode(encoded);
    FUZZ_REQUIRE(decoded.has_value() && *decoded == url);
    return 0;
}
