#include "request_policy.h"

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

TEST(RequestPolicy, AcceptsAnEmptyContentLength) {
    auto request = ordinary();
    request.contentLength = "0";
    EXPECT_EQ(statusOf(request), 0);
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

}  // namespace
}  // namespace pageviews
