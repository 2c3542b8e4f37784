#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include <drogon/HttpAppFramework.h>

#include "database.h"
#include "loop_counters.h"
#include "metrics.h"

namespace pageviews {

// What the HTTP handlers share: the counters, a client for reads, and
// whether the process is shutting down.
struct ViewContext {
    LoopCounters &counters;
    std::shared_ptr<Database> database;
    std::chrono::milliseconds timeout;
    std::atomic<bool> &draining;
    Metrics &metrics;
    // The only port /metrics is served on, and the only path served there.
    std::uint16_t metricsPort;
};

// Routes: GET / (counted), HEAD / (not counted), /healthz, /readyz,
// /api/views; 405 for other methods on /, 404 for everything else. On the
// metrics port: GET /metrics and nothing else.
void registerViews(drogon::HttpAppFramework &app, const std::shared_ptr<ViewContext> &context);

}  // namespace pageviews
