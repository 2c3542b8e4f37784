#include "metrics.h"

#include <gtest/gtest.h>

namespace pageviews {
namespace {

bool has(const std::string &text, std::string_view line) { return text.find(line) != std::string::npos; }

TEST(Metrics, KnownRoutesKeepTheirLabelAndTheRestAreOther) {
    EXPECT_EQ(routeLabel("/"), "/");
    EXPECT_EQ(routeLabel("/api/views"), "/api/views");
    EXPECT_EQ(routeLabel("/wp-login.php"), "other");
    EXPECT_EQ(routeLabel(""), "other");
}

TEST(Metrics, CountsRequestsByRouteAndStatus) {
    Metrics metrics("1.2.3");
    metrics.observeRequest("/", 200, 0.001);
    metrics.observeRequest("/", 200, 0.002);
    metrics.observeRequest("/nope", 404, 0.0001);
    metrics.observeRequest("/", 418, 0.0001);
    const auto text = metrics.render();
    EXPECT_TRUE(has(text, "pageviews_http_requests_total{route=\"/\",status=\"200\"} 2")) << text;
    EXPECT_TRUE(has(text, "pageviews_http_requests_total{route=\"other\",status=\"404\"} 1")) << text;
    EXPECT_TRUE(has(text, "pageviews_http_requests_total{route=\"/\",status=\"418\"} 1")) << text;
    EXPECT_TRUE(has(text, "pageviews_http_request_duration_seconds_count{route=\"/\"} 3")) << text;
}

TEST(Metrics, RecordsBatchSizesFailuresAndDatabaseState) {
    Metrics metrics("1.2.3");
    metrics.observeBatch(3);
    metrics.observeBatch(100);
    metrics.observeFailure(CountFailure::Unknown);
    metrics.setDatabaseUp(true);
    const auto text = metrics.render();
    EXPECT_TRUE(has(text, "pageviews_count_batch_views_sum 103")) << text;
    EXPECT_TRUE(has(text, "pageviews_count_batch_views_bucket{le=\"4\"} 1")) << text;
    EXPECT_TRUE(has(text, "pageviews_count_failures_total{outcome=\"unknown\"} 1")) << text;
    EXPECT_TRUE(has(text, "pageviews_count_failures_total{outcome=\"not_counted\"} 0")) << text;
    EXPECT_TRUE(has(text, "pageviews_database_up 1")) << text;
    EXPECT_TRUE(has(text, "pageviews_build_info{version=\"1.2.3\"} 1")) << text;
}

}  // namespace
}  // namespace pageviews
