#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "counter_store.h"

namespace pageviews {

// The routes metrics are labelled with; every other path is "other", so a
// client cannot grow the label set.
inline constexpr std::array<std::string_view, 6> kMetricRoutes{"/",          "/healthz", "/readyz",
                                                               "/api/views", "/metrics", "other"};
std::string_view routeLabel(std::string_view path);

// The app's metrics in the Prometheus text exposition format, kept with
// prometheus-cpp (Debian's prometheus-cpp-dev). Every method is thread-safe.
class Metrics {
  public:
    explicit Metrics(std::string_view version);

    void observeRequest(std::string_view path, int status, double seconds);
    void observeBatch(std::size_t views);
    void observeFailure(CountFailure kind);
    void setDatabaseUp(bool up);
    std::string render() const;

  private:
    static constexpr std::array<int, 6> kCommonStatuses{200, 404, 405, 503, 504, 400};

    prometheus::Counter &requestCounter(std::size_t route, int status);

    std::shared_ptr<prometheus::Registry> registry_;
    prometheus::Family<prometheus::Counter> &requests_;
    prometheus::Family<prometheus::Histogram> &latency_;
    prometheus::Histogram &batchSize_;
    prometheus::Family<prometheus::Counter> &failures_;
    prometheus::Counter &notCounted_;
    prometheus::Counter &unknownOutcome_;
    prometheus::Gauge &databaseUp_;
    // Looked up once: Family::Add takes a lock and hashes labels.
    std::array<std::array<prometheus::Counter *, kCommonStatuses.size()>, kMetricRoutes.size()> commonRequests_{};
    std::array<prometheus::Histogram *, kMetricRoutes.size()> routeLatency_{};
};

}  // namespace pageviews
