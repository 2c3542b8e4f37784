#include "pg_counter_store.h"

#include <gtest/gtest.h>

namespace pageviews {
namespace {

PgQueryOutcome outcome(bool sent, bool finished, std::optional<std::string> error, std::optional<std::int64_t> value) {
    return PgQueryOutcome{sent, finished, std::move(error), value};
}

struct ReplyCase {
    const char *name;
    PgQueryOutcome outcome;
    std::optional<CountFailure> failure;  // nullopt: the total is the reply
};

class CounterReplyTest : public ::testing::TestWithParam<ReplyCase> {};

TEST_P(CounterReplyTest, MapsTheWireOutcomeToWhatTheViewsGet) {
    const auto &c = GetParam();
    const auto reply = counterReply(c.outcome);
    if (!c.failure) {
        ASSERT_TRUE(std::holds_alternative<std::int64_t>(reply));
        EXPECT_EQ(std::get<std::int64_t>(reply), *c.outcome.firstValue);
        return;
    }
    ASSERT_TRUE(std::holds_alternative<CountError>(reply));
    EXPECT_EQ(std::get<CountError>(reply).kind, *c.failure);
}

INSTANTIATE_TEST_SUITE_P(
    Outcomes, CounterReplyTest,
    ::testing::Values(
        ReplyCase{"Committed", outcome(true, true, std::nullopt, 42), std::nullopt},
        ReplyCase{"NeverSent", outcome(false, false, std::nullopt, std::nullopt), CountFailure::NotCounted},
        // The row arrived but the connection broke before ReadyForQuery: the
        // COMMIT may or may not have happened.
        ReplyCase{"RowThenConnectionLost", outcome(true, false, std::nullopt, 42), CountFailure::Unknown},
        ReplyCase{"SentThenConnectionLost", outcome(true, false, std::nullopt, std::nullopt), CountFailure::Unknown},
        // A deferred constraint refused the COMMIT after the row arrived.
        ReplyCase{"RowThenCommitRefused", outcome(true, true, "ERROR:  refused", 42), CountFailure::NotCounted},
        ReplyCase{"StatementRefused", outcome(true, true, "ERROR:  relation does not exist", std::nullopt),
                  CountFailure::NotCounted},
        ReplyCase{"CounterRowMissing", outcome(true, true, std::nullopt, std::nullopt), CountFailure::NotCounted}),
    [](const ::testing::TestParamInfo<ReplyCase> &info) { return std::string(info.param.name); });

}  // namespace
}  // namespace pageviews
