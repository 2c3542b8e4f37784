#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include <drogon/HttpAppFramework.h>

#include "loop_counters.h"
#include "database.h"
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
};

// Routes: GET / (counted), HEAD / (not counted), /healthz, /readyz,
// /api/views, /metrics; 405 for other methods on /, 404 for everything else.
void registerViews(drogon::HttpAppFramework &app, const std::shared_ptr<ViewContext> &context);

}  // namespace pageviews
