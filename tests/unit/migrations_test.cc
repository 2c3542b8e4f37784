#include "migrations.h"

#include <gtest/gtest.h>

namespace pageviews {
namespace {

TEST(Migrations, VersionsStartAtOneAndRiseWithoutGaps) {
    int expected = 1;
    for (const auto &migration : allMigrations()) EXPECT_EQ(migration.version, expected++);
    EXPECT_EQ(latestSchemaVersion(), expected - 1);
}

TEST(Migrations, EveryMigrationHasAStatementForEveryBackend) {
    for (const auto &migration : allMigrations()) {
        for (const auto backend : {Backend::Postgres, Backend::Mysql, Backend::Sqlite}) {
            EXPECT_FALSE(statementFor(migration, backend).empty()) << migration.version;
        }
    }
}

TEST(Migrations, PendingAreTheUnappliedInVersionOrder) {
    const Migration unordered[] = {{3, "c", "", "", ""}, {1, "a", "", "", ""}, {2, "b", "", "", ""}};
    const auto pending = pendingMigrations(unordered, {2});
    ASSERT_EQ(pending.size(), 2u);
    EXPECT_EQ(pending[0]->version, 1);
    EXPECT_EQ(pending[1]->version, 3);
}

TEST(Migrations, NothingPendingWhenAllApplied) {
    std::set<int> applied;
    for (const auto &migration : allMigrations()) applied.insert(migration.version);
    EXPECT_TRUE(pendingMigrations(allMigrations(), applied).empty());
}

// Known values of MariaDB's PASSWORD() (mysql_native_password).
TEST(Migrations, MysqlPasswordHashMatchesMariadb) {
    EXPECT_EQ(mysqlNativePasswordHash("password"), "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
    EXPECT_EQ(mysqlNativePasswordHash("mypass"), "*6C8989366EAF75BB670AD8EA7A7FC1176A95CEF4");
}

TEST(Migrations, TheAppRoleMayOnlyReadAndUpdateTheCount) {
    std::string grants;
    for (const auto grant : kAppRoleGrants) grants += std::string(grant) + "|";
    EXPECT_EQ(grants, "GRANT SELECT, UPDATE ON page_views TO |GRANT SELECT ON schema_migrations TO |");
}

}  // namespace
}  // namespace pageviews
