#include "metrics.h"

#include <algorithm>

#include <prometheus/text_serializer.h>

namespace pageviews {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

// 100 µs .. 5 s: a counted view takes about a millisecond, a database
// timeout two seconds.
const Histogram::BucketBoundaries kLatencyBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                  0.05,   0.1,     0.25,   0.5,   1,      2.5,   5};
const Histogram::BucketBoundaries kBatchBuckets{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

std::size_t routeIndex(std::string_view path) {
    const auto label = routeLabel(path);
    return static_cast<std::size_t>(std::find(kMetricRoutes.begin(), kMetricRoutes.end(), label) -
                                    kMetricRoutes.begin());
}

}  // namespace

std::string_view routeLabel(std::string_view path) {
    const auto known = std::find(kMetricRoutes.begin(), kMetricRoutes.end() - 1, path);
    return known == kMetricRoutes.end() - 1 ? kMetricRoutes.back() : *known;
}

Metrics::Metrics(std::string_view version)
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(BuildCounter()
                    .Name("pageviews_http_requests_total")
                    .Help("HTTP requests answered, by route and status")
                    .Register(*registry_)),
      latency_(BuildHistogram()
                   .Name("pageviews_http_request_duration_seconds")
                   .Help("Time from reading a request to sending its response, by route")
                   .Register(*registry_)),
      batchSize_(BuildHistogram()
                     .Name("pageviews_count_batch_views")
                     .Help("Views added by one counting statement")
                     .Register(*registry_)
                     .Add({}, kBatchBuckets)),
      failures_(BuildCounter()
                    .Name("pageviews_count_failures_total")
                    .Help("Views answered with an error: not_counted (503) or unknown outcome (504)")
                    .Register(*registry_)),
      notCounted_(failures_.Add({{"outcome", "not_counted"}})),
      unknownOutcome_(failures_.Add({{"outcome", "unknown"}})),
      databaseUp_(BuildGauge()
                      .Name("pageviews_database_up")
                      .Help("1 when the app holds a live database connection")
                      .Register(*registry_)
                      .Add({})) {
    BuildGauge()
        .Name("pageviews_build_info")
        .Help("The running build; always 1")
        .Register(*registry_)
        .Add({{"version", std::string(version)}})
        .Set(1);
    for (std::size_t r = 0; r < kMetricRoutes.size(); ++r) {
        const std::string route(kMetricRoutes[r]);
        routeLatency_[r] = &latency_.Add({{"route", route}}, kLatencyBuckets);
        for (std::size_t s = 0; s < kCommonStatuses.size(); ++s) {
            commonRequests_[r][s] = &requests_.Add({{"route", route}, {"status", std::to_string(kCommonStatuses[s])}});
        }
    }
}

prometheus::Counter &Metrics::requestCounter(std::size_t route, int status) {
    const auto common = std::find(kCommonStatuses.begin(), kCommonStatuses.end(), status);
    if (common != kCommonStatuses.end()) return *commonRequests_[route][common - kCommonStatuses.begin()];
    return requests_.Add({{"route", std::string(kMetricRoutes[route])}, {"status", std::to_string(status)}});
}

void Metrics::observeRequest(std::string_view path, int status, double seconds) {
    const auto route = routeIndex(path);
    requestCounter(route, status).Increment();
    routeLatency_[route]->Observe(seconds);
}

void Metrics::observeBatch(std::size_t views) { batchSize_.Observe(static_cast<double>(views)); }

void Metrics::observeFailure(CountFailure kind) {
    (kind == CountFailure::NotCounted ? notCounted_ : unknownOutcome_).Increment();
}

void Metrics::setDatabaseUp(bool up) { databaseUp_.Set(up ? 1 : 0); }

std::string Metrics::render() const { return prometheus::TextSerializer().Serialize(registry_->Collect()); }

}  // namespace pageviews
