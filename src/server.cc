#include "server.h"

#include <atomic>
#include <memory>
#include <vector>

#include <drogon/HttpAppFramework.h>
#include <trantor/utils/Logger.h>

#include "counter.h"
#include "database.h"
#include "loop_counters.h"
#include "metrics.h"
#include "migrations.h"
#include "pg_counter_store.h"
#include "request_policy.h"
#include "version.h"
#include "views.h"

namespace pageviews {
namespace {

trantor::Logger::LogLevel logLevelFrom(const std::string &name) {
    if (name == "trace") return trantor::Logger::kTrace;
    if (name == "debug") return trantor::Logger::kDebug;
    if (name == "warn") return trantor::Logger::kWarn;
    if (name == "error") return trantor::Logger::kError;
    return trantor::Logger::kInfo;
}

Counter::Limits counterLimits(const Settings &settings) {
    Counter::Limits limits;
    limits.timeout = settings.dbTimeout;
    if (settings.countMode == CountMode::Batched) {
        limits.maxBatch = settings.batchMaxSize;
        limits.maxWait = settings.batchMaxWait;
        limits.maxInFlight = 1;
    } else {
        limits.maxBatch = 1;
        limits.maxInFlight = limits.maxQueued;
    }
    return limits;
}

// SQLite is the embedded zero-setup mode, so it brings its own schema, as a
// fresh Django project would after its first migrate.
bool migrateEmbedded(const Settings &settings, const Database &database) {
    if (settings.database.backend != Backend::Sqlite) return true;
    auto applied = migrate(database.client(), Backend::Sqlite);
    if (!applied) {
        LOG_ERROR << applied.error().message;
        return false;
    }
    return true;
}

// After SIGTERM: views are refused (503, not counted) so that the proxy sends
// them to another replica; the process exits once nothing is in flight and
// no view arrived for drainQuiet, or at shutdownTimeout at the latest.
// Runs on the main loop, like LoopCounters::start.
void drainThenQuit(LoopCounters &counters, std::atomic<bool> &draining, const Settings &settings) {
    if (draining.exchange(true)) return;
    LOG_INFO << "shutdown requested: draining";
    counters.startDraining();
    const auto giveUp = Counter::Clock::now() + settings.shutdownTimeout;
    const auto quiet = settings.drainQuiet;
    auto quitting = std::make_shared<bool>(false);
    auto *mainLoop = drogon::app().getLoop();
    mainLoop->runEvery(0.05, [&counters, mainLoop, giveUp, quiet, quitting] {
        counters.whenIdle(*mainLoop, [giveUp, quiet, quitting](bool idle, Counter::Clock::time_point lastArrival) {
            const auto now = Counter::Clock::now();
            if (*quitting) return;
            if ((idle && now - lastArrival >= quiet) || now >= giveUp) {
                *quitting = true;
                LOG_INFO << (idle ? "drained; exiting" : "shutdown timeout; exiting");
                drogon::app().quit();
            }
        });
    });
}

// PostgreSQL counts on connections of each I/O loop's own, answered only
// after the commit (see PgConnection); the other backends share Drogon's
// client. A batched counter has one batch in flight, so one connection.
LoopCounters::StoreFor counterStores(const Settings &settings, const std::shared_ptr<Database> &database) {
    if (settings.database.backend != Backend::Postgres) {
        return [store = std::make_shared<DbCounterStore>(database)](trantor::EventLoop &) { return store; };
    }
    const std::size_t connections = settings.countMode == CountMode::Batched ? 1 : settings.dbConnections;
    return [database, connections, timeout = settings.dbTimeout](trantor::EventLoop &loop) {
        auto store = std::make_shared<PgCounterStore>(
            loop, [database] { return database->connectionInfo(); }, connections, timeout);
        store->start();
        return store;
    };
}

std::vector<trantor::EventLoop *> ioLoops(const drogon::HttpAppFramework &app) {
    std::vector<trantor::EventLoop *> loops;
    for (std::size_t i = 0; i < app.getThreadNum(); ++i) loops.push_back(app.getIOLoop(i));
    return loops;
}

}  // namespace

int serve(const Settings &settings) {
    // Before anything logs; Drogon's own setLogLevel sets this same level.
    trantor::Logger::setLogLevel(logLevelFrom(settings.logLevel));
    LOG_INFO << "pageviews starting: version=" << PAGEVIEWS_VERSION << " revision=" << revision() << ' '
             << describe(settings);

    auto database = std::make_shared<Database>(settings.database, settings.dbConnections, settings.dbTimeout);
    if (!migrateEmbedded(settings, *database)) return 1;
    database->watch();

    auto &app = drogon::app();
    Metrics metrics(PAGEVIEWS_VERSION);
    CounterEvents events{[&metrics](std::size_t views) { metrics.observeBatch(views); },
                         [&metrics](CountFailure kind) { metrics.observeFailure(kind); }};
    // Outlives app.run(), which returns once every I/O loop has stopped.
    LoopCounters counters(counterStores(settings, database), counterLimits(settings), std::move(events));
    std::atomic<bool> draining{false};
    registerViews(app, std::make_shared<ViewContext>(ViewContext{counters, database, settings.dbTimeout, draining,
                                                                 metrics, settings.metricsPort}));

    // The I/O loops exist once run() starts; beginning advices run on the main loop.
    app.registerBeginningAdvice([&counters, &app] { counters.start(ioLoops(app)); });
    const auto onSignal = [&] {
        drogon::app().getLoop()->queueInLoop([&] { drainThenQuit(counters, draining, settings); });
    };
    app.setTermSignalHandler(onSignal)
        .setIntSignalHandler(onSignal)
        .addListener(settings.listenHost, settings.listenPort)
        .addListener(settings.listenHost, settings.metricsPort)
        .setThreadNum(settings.threads)
        .enableServerHeader(false)
        .setIdleConnectionTimeout(60)
        .setPipeliningRequestsNumber(kMaxPipelinedRequests)
        .setClientMaxBodySize(16 * 1024)
        .setClientMaxMemoryBodySize(16 * 1024)
        .setMaxConnectionNum(100000)
        .setMaxConnectionNumPerIP(0);
    LOG_INFO << "listening on " << settings.listenHost << ':' << settings.listenPort << ", metrics on port "
             << settings.metricsPort;
    app.run();
    LOG_INFO << "stopped";
    return 0;
}

}  // namespace pageviews
