#include "counter.h"

#include <gtest/gtest.h>
#include <trantor/net/EventLoopThread.h>

#include <future>
#include <optional>

#include "counter_fakes.h"

namespace pageviews {
namespace {

class CounterTest : public ::testing::Test {
  protected:
    void SetUp() override { thread_.run(); }
    void TearDown() override {
        counter_.reset();
        thread_.getLoop()->quit();
        thread_.wait();
    }
    Counter &make(Counter::Limits limits) {
        counter_ = std::make_unique<Counter>(*thread_.getLoop(), store_, limits);
        return *counter_;
    }

    trantor::EventLoopThread thread_;
    std::shared_ptr<ManualStore> store_ = std::make_shared<ManualStore>();
    std::unique_ptr<Counter> counter_;
    Replies replies_;
};

TEST(NumbersForBatch, AreTheLastSizeNumbersUpToTheTotalInOrder) {
    EXPECT_EQ(numbersForBatch(10, 3), (std::vector<std::int64_t>{8, 9, 10}));
    EXPECT_EQ(numbersForBatch(1, 1), (std::vector<std::int64_t>{1}));
}

TEST_F(CounterTest, AnswersOnlyAfterTheStatementCommits) {
    auto &counter = make({});
    counter.count(replies_.collector());
    EXPECT_EQ(store_->amountOf(0), 1);
    EXPECT_TRUE(replies_.waitFor(1, 100ms).empty());
    store_->commit(0);
    const auto replies = replies_.waitFor(1);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(numberOf(replies[0]), 1);
}

TEST_F(CounterTest, ViewsArrivingDuringAStatementShareTheNextOne) {
    auto &counter = make({});
    counter.count(replies_.collector());
    ASSERT_EQ(store_->amountOf(0), 1);
    for (int i = 0; i < 5; ++i) counter.count(replies_.collector());
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(store_->statements(), 1u) << "a second statement went out while one was in flight";
    store_->commit(0);
    EXPECT_EQ(store_->amountOf(1), 5);
    store_->commit(1);
    const auto replies = replies_.waitFor(6);
    ASSERT_EQ(replies.size(), 6u);
    for (std::size_t i = 0; i < replies.size(); ++i) EXPECT_EQ(numberOf(replies[i]), static_cast<std::int64_t>(i + 1));
}

TEST_F(CounterTest, BatchesAreBoundedByMaxBatch) {
    auto &counter = make({.maxBatch = 2});
    counter.count(replies_.collector());
    ASSERT_EQ(store_->amountOf(0), 1);
    for (int i = 0; i < 3; ++i) counter.count(replies_.collector());
    std::this_thread::sleep_for(20ms);
    store_->commit(0);
    EXPECT_EQ(store_->amountOf(1), 2);
    store_->commit(1);
    EXPECT_EQ(store_->amountOf(2), 1);
}

TEST_F(CounterTest, LingersUpToMaxWaitToFillABatch) {
    auto &counter = make({.maxWait = std::chrono::microseconds(100'000)});
    for (int i = 0; i < 3; ++i) counter.count(replies_.collector());
    EXPECT_EQ(store_->amountOf(0), 3);
}

TEST_F(CounterTest, ALingeringCounterSendsAsSoonAsTheBatchIsFull) {
    auto &counter = make({.maxBatch = 3, .maxWait = std::chrono::microseconds(10'000'000)});
    for (int i = 0; i < 3; ++i) counter.count(replies_.collector());
    // amountOf waits 2 s at most, far below the 10 s linger.
    EXPECT_EQ(store_->amountOf(0), 3);
}

TEST_F(CounterTest, PerRequestModeSendsOneStatementPerView) {
    auto &counter = make({.maxBatch = 1, .maxInFlight = 100});
    for (int i = 0; i < 3; ++i) counter.count(replies_.collector());
    EXPECT_EQ(store_->amountOf(2), 1);
    EXPECT_EQ(store_->statements(), 3u);
}

TEST_F(CounterTest, UnreachableStoreFailsFastAsNotCounted) {
    store_->reachable_ = false;
    auto &counter = make({});
    counter.count(replies_.collector());
    const auto replies = replies_.waitFor(1, 200ms);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(std::get<CountError>(replies[0]).kind, CountFailure::NotCounted);
    EXPECT_EQ(store_->statements(), 0u);
}

TEST_F(CounterTest, AStatementPastTheDeadlineAnswersUnknownAndFreesTheCounter) {
    auto &counter = make({.timeout = 100ms});
    counter.count(replies_.collector());
    ASSERT_EQ(store_->amountOf(0), 1);
    const auto replies = replies_.waitFor(1, 1s);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(std::get<CountError>(replies[0]).kind, CountFailure::Unknown);
    counter.count(replies_.collector());
    EXPECT_EQ(store_->amountOf(1), 1) << "the hung statement still blocks new batches";
    store_->commit(0);  // the late commit of the abandoned batch answers nobody
    store_->commit(1);
    const auto after = replies_.waitFor(2);
    ASSERT_EQ(after.size(), 2u);
    EXPECT_EQ(numberOf(after[1]), 2);
}

TEST_F(CounterTest, StoreErrorsReachEveryWaiterOfTheBatch) {
    // A lingering counter gathers the three views into one statement.
    auto &counter = make({.maxWait = std::chrono::microseconds(100'000)});
    for (int i = 0; i < 3; ++i) counter.count(replies_.collector());
    ASSERT_EQ(store_->amountOf(0), 3);
    store_->answer(0, CountError{CountFailure::NotCounted, "database error"});
    const auto replies = replies_.waitFor(3);
    ASSERT_EQ(replies.size(), 3u);
    for (const auto &reply : replies) {
        ASSERT_TRUE(std::holds_alternative<CountError>(reply));
        EXPECT_EQ(std::get<CountError>(reply).reason, "database error");
    }
}

TEST_F(CounterTest, DrainingRefusesNewViewsButFinishesTheBatchInFlight) {
    auto &counter = make({});
    counter.count(replies_.collector());
    ASSERT_EQ(store_->amountOf(0), 1);
    counter.startDraining();
    counter.count(replies_.collector());
    auto replies = replies_.waitFor(1);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(std::get<CountError>(replies[0]).reason, "shutting down");
    store_->commit(0);
    replies = replies_.waitFor(2);
    ASSERT_EQ(replies.size(), 2u);
    EXPECT_EQ(numberOf(replies[1]), 1);
}

TEST_F(CounterTest, ReportsIdleOnlyWhenNothingIsQueuedOrInFlight) {
    auto &counter = make({});
    counter.count(replies_.collector());
    ASSERT_EQ(store_->amountOf(0), 1);
    std::promise<bool> busy;
    counter.whenIdle([&](bool idle, auto) { busy.set_value(idle); });
    EXPECT_FALSE(busy.get_future().get());
    store_->commit(0);
    replies_.waitFor(1);
    std::promise<bool> calm;
    counter.whenIdle([&](bool idle, auto) { calm.set_value(idle); });
    EXPECT_TRUE(calm.get_future().get());
}

}  // namespace
}  // namespace pageviews
