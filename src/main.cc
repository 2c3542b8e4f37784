// pageviews: a page-view counter. `pageviews serve` runs the web app,
// `pageviews migrate` brings the database schema up to date.
#include <cstdio>
#include <iostream>
#include <string_view>
#include <thread>

#include <trantor/utils/Logger.h>

#include "database.h"
#include "healthcheck.h"
#include "migrations.h"
#include "server.h"
#include "settings.h"
#include "version.h"

namespace {

using namespace pageviews;

constexpr int kExitUsage = 2;
constexpr auto kMigratePatience = std::chrono::seconds(30);

void printUsage(std::ostream &out) {
    out << "usage: pageviews [serve | migrate | healthcheck | --version | --help]\n\n"
        << "  serve        serve HTTP (default)\n"
        << "  migrate      apply pending database migrations, then exit\n"
        << "  healthcheck  exit 0 if the local server answers /healthz\n\n"
        << settingsHelp();
}

int runMigrate(const Settings &settings) {
    LOG_INFO << "migrating " << redactedUrl(settings.database);
    Database database(settings.database, 1, settings.dbTimeout);
    auto client = waitForDatabase(database, kMigratePatience);
    if (!client) {
        std::cerr << "pageviews: " << client.error().message << '\n';
        return 1;
    }
    const AppRole appRole{settings.appDbUser, settings.appDbPassword};
    auto applied = migrate(client.value(), settings.database.backend, appRole.user.empty() ? nullptr : &appRole);
    client.value()->closeAll();
    if (!applied) {
        std::cerr << "pageviews: " << applied.error().message << '\n';
        return 1;
    }
    LOG_INFO << "schema at version " << latestSchemaVersion() << " (" << applied.value() << " applied now)";
    return 0;
}

}  // namespace

int main(int argc, char *argv[]) {
    // One log line reaches `docker logs` as it is written, and survives a kill.
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    const std::string_view command = argc > 1 ? argv[1] : "serve";
    if (argc > 2) {
        std::cerr << "pageviews: too many arguments (see pageviews --help)\n";
        return kExitUsage;
    }
    if (command == "--help" || command == "-h" || command == "help") {
        printUsage(std::cout);
        return 0;
    }
    if (command == "--version" || command == "version") {
        std::cout << "pageviews " << versionLine() << '\n';
        return 0;
    }
    if (command != "serve" && command != "migrate" && command != "healthcheck") {
        std::cerr << "pageviews: unknown command \"" << command << "\" (see pageviews --help)\n";
        return kExitUsage;
    }

    auto settings = loadSettings(processEnv, readSecretFile, std::thread::hardware_concurrency());
    if (!settings) {
        std::cerr << "pageviews: " << settings.error().message << '\n';
        return kExitUsage;
    }
    if (command == "healthcheck") return probeHealth(settings.value().listenHost, settings.value().listenPort) ? 0 : 1;
    if (command == "migrate") return runMigrate(settings.value());
    return serve(settings.value());
}
