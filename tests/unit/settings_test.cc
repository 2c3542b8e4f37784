#include "settings.h"

#include <gtest/gtest.h>

#include <map>

namespace pageviews {
namespace {

// A fake environment and file system, so each test states all its inputs.
struct World {
    std::map<std::string, std::string, std::less<>> env = {};
    std::map<std::string, std::string> files = {};

    Result<Settings> load(unsigned cpus = 4) const {
        return loadSettings(
            [this](std::string_view name) -> std::optional<std::string> {
                const auto it = env.find(name);
                if (it == env.end()) return std::nullopt;
                return it->second;
            },
            [this](const std::string &path) -> Result<std::string> {
                const auto it = files.find(path);
                if (it == files.end()) return Error{"cannot read file " + path};
                return it->second;
            },
            cpus);
    }

    std::string error() const {
        auto result = load();
        EXPECT_FALSE(result.ok());
        return result.ok() ? "" : result.error().message;
    }
};

TEST(Settings, DefaultsToAnSqliteFileInTheWorkingDirectory) {
    const auto settings = World{}.load();
    ASSERT_TRUE(settings.ok());
    EXPECT_EQ(settings.value().database.backend, Backend::Sqlite);
    EXPECT_EQ(settings.value().database.name, "pageviews.sqlite3");
    EXPECT_EQ(settings.value().listenHost, "0.0.0.0");
    EXPECT_EQ(settings.value().listenPort, 8000);
    EXPECT_EQ(settings.value().threads, 4u);
    EXPECT_EQ(settings.value().countMode, CountMode::Batched);
    EXPECT_EQ(settings.value().dbTimeout, std::chrono::milliseconds(2000));
}

TEST(Settings, SqliteAlwaysUsesOneConnection) {
    const auto settings = World{{{"PAGEVIEWS_DB_CONNECTIONS", "8"}}}.load();
    ASSERT_TRUE(settings.ok());
    EXPECT_EQ(settings.value().dbConnections, 1u);
}

TEST(Settings, ReadsEveryVariable) {
    const World world{{
        {"DATABASE_URL", "postgres://u:p@db/v"},
        {"PAGEVIEWS_LISTEN", "[::]:9000"},
        {"PAGEVIEWS_THREADS", "3"},
        {"PAGEVIEWS_DB_CONNECTIONS", "5"},
        {"PAGEVIEWS_DB_TIMEOUT_MS", "750"},
        {"PAGEVIEWS_COUNT_MODE", "per-request"},
        {"PAGEVIEWS_BATCH_MAX_SIZE", "64"},
        {"PAGEVIEWS_BATCH_MAX_WAIT_US", "200"},
        {"PAGEVIEWS_DRAIN_QUIET_MS", "100"},
        {"PAGEVIEWS_SHUTDOWN_TIMEOUT_MS", "3000"},
        {"PAGEVIEWS_LOG_LEVEL", "debug"},
        {"PAGEVIEWS_METRICS_PORT", "9100"},
    }};
    const auto result = world.load();
    ASSERT_TRUE(result.ok()) << result.error().message;
    const auto &s = result.value();
    EXPECT_EQ(s.database.host, "db");
    EXPECT_EQ(s.listenHost, "::");
    EXPECT_EQ(s.listenPort, 9000);
    EXPECT_EQ(s.threads, 3u);
    EXPECT_EQ(s.dbConnections, 5u);
    EXPECT_EQ(s.dbTimeout, std::chrono::milliseconds(750));
    EXPECT_EQ(s.countMode, CountMode::PerRequest);
    EXPECT_EQ(s.batchMaxSize, 64u);
    EXPECT_EQ(s.batchMaxWait, std::chrono::microseconds(200));
    EXPECT_EQ(s.drainQuiet, std::chrono::milliseconds(100));
    EXPECT_EQ(s.shutdownTimeout, std::chrono::milliseconds(3000));
    EXPECT_EQ(s.logLevel, "debug");
    EXPECT_EQ(s.metricsPort, 9100);
}

TEST(Settings, PasswordFileSuppliesThePasswordWithoutItsNewline) {
    const World world{{{"DATABASE_URL", "postgres://u@db/v"}, {"DATABASE_PASSWORD_FILE", "/run/secrets/pw"}},
                      {{"/run/secrets/pw", "hunter2\n"}}};
    const auto settings = world.load();
    ASSERT_TRUE(settings.ok()) << settings.error().message;
    EXPECT_EQ(settings.value().database.password, "hunter2");
}

TEST(Settings, UrlFileSuppliesTheWholeUrl) {
    const World world{{{"DATABASE_URL_FILE", "/run/secrets/url"}}, {{"/run/secrets/url", "postgres://u:p@db/v\r\n"}}};
    const auto settings = world.load();
    ASSERT_TRUE(settings.ok()) << settings.error().message;
    EXPECT_EQ(settings.value().database.name, "v");
}

TEST(Settings, EmptyVariablesCountAsUnset) {
    const auto settings = World{{{"DATABASE_URL", ""}, {"PAGEVIEWS_THREADS", ""}}}.load(2);
    ASSERT_TRUE(settings.ok());
    EXPECT_EQ(settings.value().database.backend, Backend::Sqlite);
    EXPECT_EQ(settings.value().threads, 2u);
}

TEST(Settings, EachBadValueNamesItsVariable) {
    const std::pair<const char *, const char *> cases[] = {
        {"PAGEVIEWS_THREADS", "0"},
        {"PAGEVIEWS_THREADS", "many"},
        {"PAGEVIEWS_THREADS", "-1"},
        {"PAGEVIEWS_THREADS", "4x"},
        {"PAGEVIEWS_DB_CONNECTIONS", "65"},
        {"PAGEVIEWS_DB_TIMEOUT_MS", "99"},
        {"PAGEVIEWS_BATCH_MAX_SIZE", "0"},
        {"PAGEVIEWS_BATCH_MAX_WAIT_US", "1e3"},
        {"PAGEVIEWS_COUNT_MODE", "fast"},
        {"PAGEVIEWS_LOG_LEVEL", "loud"},
        {"PAGEVIEWS_LISTEN", "8000"},
        {"PAGEVIEWS_LISTEN", "0.0.0.0:http"},
        {"PAGEVIEWS_LISTEN", ":8000"},
        {"PAGEVIEWS_LISTEN", "0.0.0.0:65536"},
        {"PAGEVIEWS_DRAIN_QUIET_MS", "99999999999999999999999"},
        {"PAGEVIEWS_METRICS_PORT", "0"},
    };
    for (const auto &[name, value] : cases) {
        const auto message = World{{{name, value}}}.error();
        EXPECT_TRUE(message.starts_with(std::string(name) + ": ")) << name << "=" << value << " -> " << message;
    }
}

bool contains(const std::string &text, std::string_view part) { return text.find(part) != std::string::npos; }

TEST(Settings, DatabaseProblemsAreErrors) {
    const World unknownScheme{{{"DATABASE_URL", "oracle://x"}}};
    EXPECT_TRUE(unknownScheme.error().starts_with("DATABASE_URL: "));

    const World missingFile{{{"DATABASE_URL_FILE", "/missing"}}};
    EXPECT_EQ(missingFile.error(), "DATABASE_URL_FILE: cannot read file /missing");

    const World both{{{"DATABASE_URL", "sqlite://a"}, {"DATABASE_URL_FILE", "/f"}}};
    EXPECT_TRUE(both.error().starts_with("DATABASE_URL_FILE: set only one"));

    const World sqlitePassword{{{"DATABASE_PASSWORD_FILE", "/f"}}, {{"/f", "pw"}}};
    EXPECT_TRUE(contains(sqlitePassword.error(), "sqlite takes no password"));

    const World twoPasswords{{{"DATABASE_URL", "postgres://u:a@db/v"}, {"DATABASE_PASSWORD_FILE", "/f"}},
                             {{"/f", "pw"}}};
    EXPECT_TRUE(contains(twoPasswords.error(), "one place"));

    const World emptyPassword{{{"DATABASE_URL", "postgres://u@db/v"}, {"DATABASE_PASSWORD_FILE", "/f"}},
                              {{"/f", "\n"}}};
    EXPECT_TRUE(contains(emptyPassword.error(), "is empty"));
}

TEST(Settings, MetricsHaveTheirOwnPort) {
    const auto defaults = World{}.load();
    ASSERT_TRUE(defaults.ok());
    EXPECT_NE(defaults.value().metricsPort, defaults.value().listenPort);

    const auto chosen = World{{{"PAGEVIEWS_METRICS_PORT", "9100"}}}.load();
    ASSERT_TRUE(chosen.ok()) << chosen.error().message;
    EXPECT_EQ(chosen.value().metricsPort, 9100);

    for (const auto *bad : {"0", "65536", "http", "9100 ", "-1"}) {
        const World world{{{"PAGEVIEWS_METRICS_PORT", bad}}};
        EXPECT_EQ(world.error(), "PAGEVIEWS_METRICS_PORT: expected a whole number from 1 to 65535") << bad;
    }
    // Sharing the HTTP port would put the metrics behind nginx again.
    const World samePort{{{"PAGEVIEWS_METRICS_PORT", "8000"}}};
    EXPECT_EQ(samePort.error(), "PAGEVIEWS_METRICS_PORT: must differ from the PAGEVIEWS_LISTEN port");
    const World listenOnMetricsPort{{{"PAGEVIEWS_LISTEN", "0.0.0.0:" + std::to_string(Settings{}.metricsPort)}}};
    EXPECT_EQ(listenOnMetricsPort.error(), "PAGEVIEWS_METRICS_PORT: must differ from the PAGEVIEWS_LISTEN port");
}

// The owner (in DATABASE_URL) and the app role, as compose gives them to migrate.
World migrateWorld(std::string url = "postgres://owner@db/v") {
    return World{{{"DATABASE_URL", std::move(url)},
                  {"DATABASE_PASSWORD_FILE", "/run/secrets/owner"},
                  {"DATABASE_APP_USER", "pageviews_app"},
                  {"DATABASE_APP_PASSWORD_FILE", "/run/secrets/app"}},
                 {{"/run/secrets/owner", "owner-secret\n"}, {"/run/secrets/app", "app-secret\n"}}};
}

TEST(Settings, MigrateReadsTheAppRoleAndItsPassword) {
    const auto settings = migrateWorld().load();
    ASSERT_TRUE(settings.ok()) << settings.error().message;
    EXPECT_EQ(settings.value().database.user, "owner");
    EXPECT_EQ(settings.value().database.password, "owner-secret");
    EXPECT_EQ(settings.value().appDbUser, "pageviews_app");
    EXPECT_EQ(settings.value().appDbPassword, "app-secret");
    const auto line = describe(settings.value());
    EXPECT_NE(line.find("app_db_user=pageviews_app"), std::string::npos) << line;
    EXPECT_EQ(line.find("app-secret"), std::string::npos) << line;
}

TEST(Settings, NoAppRoleUnlessAsked) {
    const auto settings = World{{{"DATABASE_URL", "postgres://u@db/v"}}}.load();
    ASSERT_TRUE(settings.ok());
    EXPECT_EQ(settings.value().appDbUser, "");
    EXPECT_EQ(settings.value().appDbPassword, "");
}

TEST(Settings, AppRoleProblemsAreOneLineErrorsWithoutThePassword) {
    auto userOnly = migrateWorld();
    userOnly.env.erase("DATABASE_APP_PASSWORD_FILE");
    EXPECT_EQ(userOnly.error(), "DATABASE_APP_PASSWORD_FILE: required with DATABASE_APP_USER");

    auto fileOnly = migrateWorld();
    fileOnly.env.erase("DATABASE_APP_USER");
    EXPECT_EQ(fileOnly.error(), "DATABASE_APP_USER: required with DATABASE_APP_PASSWORD_FILE");

    for (const auto *name : {"Pageviews", "1app", "app-role", "app role", "app;drop", "\"app\"",
                             "a234567890123456789012345678901234567890123456789012345678901234"}) {
        auto bad = migrateWorld();
        bad.env["DATABASE_APP_USER"] = name;
        EXPECT_TRUE(bad.error().starts_with("DATABASE_APP_USER: expected 1-63 lowercase")) << name;
    }

    auto sameAsOwner = migrateWorld();
    sameAsOwner.env["DATABASE_APP_USER"] = "owner";
    EXPECT_TRUE(sameAsOwner.error().starts_with("DATABASE_APP_USER: must differ from the DATABASE_URL user"));

    auto sqlite = migrateWorld("sqlite://x.db");
    sqlite.env.erase("DATABASE_PASSWORD_FILE");
    EXPECT_EQ(sqlite.error(), "DATABASE_APP_USER: sqlite has no roles");

    auto missing = migrateWorld();
    missing.files.erase("/run/secrets/app");
    EXPECT_EQ(missing.error(), "DATABASE_APP_PASSWORD_FILE: cannot read file /run/secrets/app");

    auto empty = migrateWorld();
    empty.files["/run/secrets/app"] = "\n";
    EXPECT_EQ(empty.error(), "DATABASE_APP_PASSWORD_FILE: file /run/secrets/app is empty");

    auto control = migrateWorld();
    control.files["/run/secrets/app"] = "se\ncret\n";
    const auto controlError = control.error();
    EXPECT_EQ(controlError, "DATABASE_APP_PASSWORD_FILE: the password must not contain control characters");

    // Drogon's MySQL client cannot quote, so the app could never log in.
    auto mysqlQuote = migrateWorld("mysql://owner@db/v");
    mysqlQuote.files["/run/secrets/app"] = "it's secret";
    const auto mysqlError = mysqlQuote.error();
    EXPECT_TRUE(mysqlError.starts_with("DATABASE_APP_PASSWORD_FILE: ")) << mysqlError;
    EXPECT_EQ(mysqlError.find("it's secret"), std::string::npos) << mysqlError;
    EXPECT_EQ(mysqlError.find('\n'), std::string::npos) << mysqlError;

    // PostgreSQL passes it as a parameter: quotes are fine there.
    auto postgresQuote = migrateWorld();
    postgresQuote.files["/run/secrets/app"] = "it's secret";
    const auto quoted = postgresQuote.load();
    ASSERT_TRUE(quoted.ok()) << quoted.error().message;
    EXPECT_EQ(quoted.value().appDbPassword, "it's secret");
}

TEST(Settings, DescriptionMasksThePassword) {
    const World world{{{"DATABASE_URL", "postgres://u@db/v"}, {"DATABASE_PASSWORD_FILE", "/f"}}, {{"/f", "hunter2"}}};
    const auto settings = world.load();
    ASSERT_TRUE(settings.ok());
    const auto line = describe(settings.value());
    EXPECT_EQ(line.find("hunter2"), std::string::npos) << line;
    EXPECT_NE(line.find("postgres://u:***@db/v"), std::string::npos) << line;
}

TEST(Settings, HelpListsEveryVariableWithItsDefault) {
    const auto help = settingsHelp();
    for (const auto *name :
         {"DATABASE_URL", "DATABASE_URL_FILE", "DATABASE_PASSWORD_FILE", "PAGEVIEWS_LISTEN", "PAGEVIEWS_THREADS",
          "PAGEVIEWS_DB_CONNECTIONS", "PAGEVIEWS_DB_TIMEOUT_MS", "PAGEVIEWS_COUNT_MODE", "PAGEVIEWS_BATCH_MAX_SIZE",
          "PAGEVIEWS_BATCH_MAX_WAIT_US", "PAGEVIEWS_DRAIN_QUIET_MS", "PAGEVIEWS_SHUTDOWN_TIMEOUT_MS",
          "PAGEVIEWS_LOG_LEVEL", "PAGEVIEWS_METRICS_PORT", "DATABASE_APP_USER", "DATABASE_APP_PASSWORD_FILE"}) {
        EXPECT_NE(help.find(name), std::string::npos) << name;
    }
    EXPECT_NE(help.find("(default: 0.0.0.0:8000)"), std::string::npos);
    // The help states the default the code uses.
    EXPECT_NE(help.find("(default: " + std::to_string(Settings{}.metricsPort) + ")"), std::string::npos);
}

}  // namespace
}  // namespace pageviews
