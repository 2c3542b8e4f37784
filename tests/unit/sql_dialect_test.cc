#include "sql_dialect.h"

#include <gtest/gtest.h>

#include <string>

namespace pageviews {
namespace {

std::string parameterised(const SqlDialect &sql) {
    return std::string(sql.increment) + ' ' + std::string(sql.selectViews) + ' ' + std::string(sql.recordMigration);
}

// libpq numbers its parameters; MySQL and SQLite, through Drogon, take '?'.
TEST(SqlDialectTest, EachBackendUsesItsOwnParameterMarkers) {
    const auto postgres = parameterised(sqlDialect(Backend::Postgres));
    EXPECT_EQ(postgres.find('?'), std::string::npos) << postgres;
    EXPECT_NE(postgres.find("$2"), std::string::npos) << postgres;
    for (const auto backend : {Backend::Mysql, Backend::Sqlite}) {
        const auto text = parameterised(sqlDialect(backend));
        EXPECT_EQ(text.find('$'), std::string::npos) << text;
        EXPECT_NE(text.find('?'), std::string::npos) << text;
    }
}

TEST(SqlDialectTest, OnlyMysqlReadsTheTotalSeparately) {
    EXPECT_TRUE(sqlDialect(Backend::Postgres).incrementReturnsTotal);
    EXPECT_TRUE(sqlDialect(Backend::Sqlite).incrementReturnsTotal);
    EXPECT_FALSE(sqlDialect(Backend::Mysql).incrementReturnsTotal);
    EXPECT_EQ(std::string(sqlDialect(Backend::Mysql).increment).find("RETURNING"), std::string::npos);
}

TEST(SqlDialectTest, PostgresIncrementAddsTheAmountToTheCountedPathAndReturnsTheTotal) {
    EXPECT_EQ(postgresPrepareIncrement(),
              "PREPARE pageviews_increment(bigint) AS UPDATE page_views SET views = views + $1 WHERE path = '/' "
              "RETURNING views");
    EXPECT_EQ(postgresIncrementQuery(17), "EXECUTE pageviews_increment(17)");
}

}  // namespace
}  // namespace pageviews
