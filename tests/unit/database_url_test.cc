#include "database_url.h"

#include <gtest/gtest.h>

namespace pageviews {
namespace {

DatabaseConfig parsed(std::string_view url) {
    auto result = parseDatabaseUrl(url);
    EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
    return result.ok() ? result.value() : DatabaseConfig{};
}

std::string errorOf(std::string_view url) {
    auto result = parseDatabaseUrl(url);
    EXPECT_FALSE(result.ok());
    return result.ok() ? "" : result.error().message;
}

TEST(DatabaseUrl, ParsesEveryPartOfAPostgresUrl) {
    const auto config = parsed("postgres://counter:s3cret@db.internal:6543/views");
    EXPECT_EQ(config.backend, Backend::Postgres);
    EXPECT_EQ(config.user, "counter");
    EXPECT_EQ(config.password, "s3cret");
    EXPECT_EQ(config.host, "db.internal");
    EXPECT_EQ(config.port, 6543);
    EXPECT_EQ(config.name, "views");
}

TEST(DatabaseUrl, AcceptsPostgresqlSchemeAndNoPortOrPassword) {
    const auto config = parsed("postgresql://counter@db/views");
    EXPECT_EQ(config.backend, Backend::Postgres);
    EXPECT_FALSE(config.port.has_value());
    EXPECT_TRUE(config.password.empty());
}

TEST(DatabaseUrl, DecodesPercentEscapesInCredentials) {
    const auto config = parsed("postgres://us%40er:p%3Ass%2Fw%27d@db/views");
    EXPECT_EQ(config.user, "us@er");
    EXPECT_EQ(config.password, "p:ss/w'd");
}

TEST(DatabaseUrl, PassesQueryOptionsThroughToLibpq) {
    const auto config = parsed("postgres://u@db/v?sslmode=require&connect_timeout=3");
    ASSERT_EQ(config.options.size(), 2u);
    EXPECT_EQ(config.options[0], (std::pair<std::string, std::string>{"sslmode", "require"}));
    EXPECT_EQ(config.options[1], (std::pair<std::string, std::string>{"connect_timeout", "3"}));
}

TEST(DatabaseUrl, ParsesBracketedIpv6Hosts) {
    const auto config = parsed("postgres://u@[::1]:5432/v");
    EXPECT_EQ(config.host, "::1");
    EXPECT_EQ(config.port, 5432);
}

TEST(DatabaseUrl, SqliteTakesAbsoluteAndRelativePaths) {
    EXPECT_EQ(parsed("sqlite:///var/lib/pv.db").name, "/var/lib/pv.db");
    EXPECT_EQ(parsed("sqlite://data/pv.db").name, "data/pv.db");
    EXPECT_EQ(parsed("sqlite://data/pv.db").backend, Backend::Sqlite);
}

TEST(DatabaseUrl, MysqlAndMariadbSchemesSelectMysql) {
    EXPECT_EQ(parsed("mysql://u:p@db:3306/v").backend, Backend::Mysql);
    EXPECT_EQ(parsed("mariadb://u:p@db/v").backend, Backend::Mysql);
}

TEST(DatabaseUrl, RejectsBadInputWithAMessageNamingTheProblem) {
    EXPECT_NE(errorOf("").find("empty"), std::string::npos);
    EXPECT_NE(errorOf("db.example:5432").find("scheme"), std::string::npos);
    EXPECT_NE(errorOf("redis://u@h/0").find("unsupported scheme"), std::string::npos);
    EXPECT_NE(errorOf("postgres://u@db").find("database name"), std::string::npos);
    EXPECT_NE(errorOf("postgres://u@db/").find("database name"), std::string::npos);
    EXPECT_NE(errorOf("postgres://u@/v").find("host"), std::string::npos);
    EXPECT_NE(errorOf("postgres://u@db:0/v").find("port"), std::string::npos);
    EXPECT_NE(errorOf("postgres://u@db:70000/v").find("port"), std::string::npos);
    EXPECT_NE(errorOf("postgres://u@db:54x/v").find("port"), std::string::npos);
    EXPECT_NE(errorOf("postgres://u:%zz@db/v").find("percent-encoding"), std::string::npos);
    EXPECT_NE(errorOf("postgres://u:%4@db/v").find("percent-encoding"), std::string::npos);
    EXPECT_NE(errorOf("postgres://u:%00@db/v").find("control character"), std::string::npos);
    EXPECT_NE(errorOf("postgres://u@[::1/v").find("["), std::string::npos);
    EXPECT_NE(errorOf("postgres://u@db/v?Bad-Name=1").find("option name"), std::string::npos);
    EXPECT_NE(errorOf("mysql://u@db/v?ssl=1").find("postgres only"), std::string::npos);
    EXPECT_NE(errorOf("mysql://u:a%20b@db/v").find("mysql fields"), std::string::npos);
    EXPECT_NE(errorOf("sqlite://").find("path"), std::string::npos);
}

TEST(DatabaseUrl, ErrorsNeverContainThePassword) {
    for (const auto *url : {"postgres://u:hunter2@db:99999/v", "postgres://u:hunter2@db", "mysql://u:hunter2@db/v?x=1",
                            "postgres://u:hunter2@/v", "postgres://u:hunter2%zz@db/v"}) {
        const auto message = errorOf(url);
        EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
    }
}

TEST(DatabaseUrl, ConnectionStringQuotesLibpqValues) {
    auto config = parsed("postgres://u:it%27s%20a%5Cpw@db:5433/v?sslmode=disable");
    EXPECT_EQ(connectionString(config),
              "host='db' port='5433' dbname='v' user='u' password='it\\'s a\\\\pw' sslmode='disable'");
}

TEST(DatabaseUrl, ConnectionStringConnectsToTheResolvedAddress) {
    auto postgres = parsed("postgres://u@db/v");
    postgres.hostAddress = "172.18.0.2";
    EXPECT_EQ(connectionString(postgres), "host='db' hostaddr='172.18.0.2' dbname='v' user='u'");
    auto mysql = parsed("mysql://u@db/v");
    mysql.hostAddress = "172.18.0.3";
    EXPECT_EQ(connectionString(mysql), "host=172.18.0.3 dbname=v user=u");
}

TEST(DatabaseUrl, ConnectionStringForSqliteIsTheFilename) {
    EXPECT_EQ(connectionString(parsed("sqlite:///tmp/x.db")), "filename=/tmp/x.db");
}

TEST(DatabaseUrl, RedactedUrlMasksThePassword) {
    const auto text = redactedUrl(parsed("postgres://u:hunter2@db:5432/v"));
    EXPECT_EQ(text, "postgres://u:***@db:5432/v");
}

TEST(PercentDecode, DecodesAndRejectsTruncatedEscapes) {
    EXPECT_EQ(percentDecode("a%20b%2F"), "a b/");
    EXPECT_FALSE(percentDecode("%").has_value());
    EXPECT_FALSE(percentDecode("%2").has_value());
    EXPECT_FALSE(percentDecode("%g0").has_value());
}

}  // namespace
}  // namespace pageviews
