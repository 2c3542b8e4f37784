#include "page.h"

#include <gtest/gtest.h>

#include <limits>

namespace pageviews {
namespace {

TEST(Page, ShowsTheCountInTheViewsElement) {
    const auto html = renderCountPage("/", 42);
    EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
    EXPECT_NE(html.find("<span id=\"views\" data-views=\"42\">42</span>"), std::string::npos);
    EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
}

TEST(Page, UsesSingularForOneView) {
    EXPECT_NE(renderCountPage("/", 1).find("1 view so far"), std::string::npos);
    EXPECT_NE(renderCountPage("/", 1234567).find("1,234,567 views so far"), std::string::npos);
}

TEST(Page, StaysWithinItsBudgetAtTheLargestCount) {
    const auto largest = renderCountPage("/", std::numeric_limits<std::int64_t>::max());
    EXPECT_LE(largest.size(), kCountPageBudget) << largest;
}

TEST(Page, NeedsNoExternalAsset) {
    const auto html = renderCountPage("/", 7);
    EXPECT_EQ(html.find("src="), std::string::npos);
    EXPECT_EQ(html.find("href="), std::string::npos);
}

TEST(Page, EscapesTextItEmbeds) {
    EXPECT_EQ(escapeHtml("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    const auto html = renderCountPage("/<script>", 1);
    EXPECT_EQ(html.find("<script>"), std::string::npos);
    EXPECT_NE(html.find("/&lt;script&gt;"), std::string::npos);
}

TEST(Page, ErrorPageEscapesItsDetail) {
    const auto html = renderErrorPage(503, "Service Unavailable", "db <down>");
    EXPECT_NE(html.find("503 Service Unavailable"), std::string::npos);
    EXPECT_NE(html.find("db &lt;down&gt;"), std::string::npos);
}

TEST(Page, GroupsThousands) {
    EXPECT_EQ(groupThousands(0), "0");
    EXPECT_EQ(groupThousands(999), "999");
    EXPECT_EQ(groupThousands(1000), "1,000");
    EXPECT_EQ(groupThousands(-1234567), "-1,234,567");
}

}  // namespace
}  // namespace pageviews
