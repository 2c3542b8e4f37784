#include "request_policy.h"

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pageviews {
namespace {

RequestShape ordinary() {
    RequestShape request;
    request.hasHost = true;
    request.targetBytes = 1;
    request.headerBytes = 200;
    return request;
}

int statusOf(const RequestShape &request) {
    const auto refusal = refuseRequest(request);
    return refusal ? refusal->status : 0;
}

TEST(RequestPolicy, AcceptsAnOrdinaryGet) { EXPECT_FALSE(refuseRequest(ordinary()).has_value()); }

// Drogon 1.9 presents an empty chunked body as "Content-Length: 0", so a 0
// is refused like any other length (issue 15).
TEST(RequestPolicy, RefusesAContentLengthOfZero) {
    auto request = ordinary();
    request.contentLength = "0";
    EXPECT_EQ(statusOf(request), 400);
}

TEST(RequestPolicy, AcceptsOrdinaryHeaderNames) {
    auto request = ordinary();
    request.headerNames = {"host", "user-agent", "x-request-id", "accept-encoding", "x-a!#$%&'*+.^_`|~9"};
    EXPECT_EQ(statusOf(request), 0);
}

// "Content-Length : 36" reaches the app as the name "content-length ", and
// Drogon read the 36 bytes that followed as a second request (issue 15).
TEST(RequestPolicy, RefusesHeaderNamesThatAreNotTokens) {
    const std::vector<std::string> names = {
        "content-length ",      " host", "x y", "x\ty", "x\x7f", "x(y)", "x/y", "x\"y", "x\xc3\xa9",
        std::string("x\0y", 3), ""};
    for (const auto &name : names) {
        auto request = ordinary();
        request.headerNames = {"host", name};
        const auto refusal = refuseRequest(request);
        ASSERT_TRUE(refusal.has_value()) << '"' << name << '"';
        EXPECT_EQ(refusal->status, 400);
        EXPECT_EQ(refusal->reason, "malformed header field name");
    }
}

TEST(RequestPolicy, RefusesAMissingHost) {
    auto request = ordinary();
    request.hasHost = false;
    EXPECT_EQ(statusOf(request), 400);
}

TEST(RequestPolicy, RefusesABody) {
    auto withLength = ordinary();
    withLength.contentLength = "5";
    EXPECT_EQ(statusOf(withLength), 400);
    auto chunked = ordinary();
    chunked.hasTransferEncoding = true;
    EXPECT_EQ(statusOf(chunked), 400);
}

TEST(RequestPolicy, RefusesTargetsAndHeadersBeyondNginxsLimits) {
    auto longTarget = ordinary();
    longTarget.targetBytes = kMaxTargetBytes + 1;
    EXPECT_EQ(statusOf(longTarget), 414);
    auto bigHeaders = ordinary();
    bigHeaders.headerBytes = kMaxHeaderBytes + 1;
    EXPECT_EQ(statusOf(bigHeaders), 431);
    auto atLimits = ordinary();
    atLimits.targetBytes = kMaxTargetBytes;
    atLimits.headerBytes = kMaxHeaderBytes;
    EXPECT_EQ(statusOf(atLimits), 0);
}

using Clock = RefusedConnections::Clock;

TEST(RefusedConnections, RemembersARefusedConnectionAndNoOther) {
    RefusedConnections refused(4, std::chrono::seconds(10));
    const auto t0 = Clock::now();
    EXPECT_TRUE(refused.empty());
    EXPECT_FALSE(refused.contains("10.0.0.2:40000 10.0.0.3:8000", t0));
    refused.add("10.0.0.2:40000 10.0.0.3:8000", t0);
    EXPECT_FALSE(refused.empty());
    EXPECT_TRUE(refused.contains("10.0.0.2:40000 10.0.0.3:8000", t0 + std::chrono::seconds(9)));
    EXPECT_FALSE(refused.contains("10.0.0.2:40001 10.0.0.3:8000", t0));
}

// A later connection may reuse the same ports: it is refused only until the
// first refusal's memory ends, however often it is refused meanwhile.
TEST(RefusedConnections, ForgetsAfterItsMemoryAndRefusalsDoNotExtendIt) {
    RefusedConnections refused(4, std::chrono::seconds(10));
    const auto t0 = Clock::now();
    refused.add("a", t0);
    refused.add("a", t0 + std::chrono::seconds(5));
    EXPECT_TRUE(refused.contains("a", t0 + std::chrono::seconds(9)));
    EXPECT_FALSE(refused.contains("a", t0 + std::chrono::seconds(10)));
    EXPECT_TRUE(refused.empty());
}

TEST(RefusedConnections, KeepsAtMostItsCapacityDroppingTheOldest) {
    RefusedConnections refused(2, std::chrono::seconds(10));
    const auto t0 = Clock::now();
    refused.add("a", t0);
    refused.add("b", t0);
    refused.add("c", t0);
    EXPECT_FALSE(refused.contains("a", t0));
    EXPECT_TRUE(refused.contains("b", t0));
    EXPECT_TRUE(refused.contains("c", t0));
}

}  // namespace
}  // namespace pageviews
