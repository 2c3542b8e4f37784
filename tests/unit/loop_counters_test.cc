#include "loop_counters.h"

#include <gtest/gtest.h>
#include <trantor/net/EventLoopThread.h>

#include <future>
#include <thread>

#include "counter_fakes.h"

namespace pageviews {
namespace {

// Two I/O loops, like Drogon's with PAGEVIEWS_THREADS=2, and a main loop
// that receives the idle reports.
class LoopCountersTest : public ::testing::Test {
  protected:
    void SetUp() override {
        for (auto *thread : {&first_, &second_, &main_}) thread->run();
    }
    void TearDown() override {
        for (auto *thread : {&first_, &second_, &main_}) {
            thread->getLoop()->quit();
            thread->wait();
        }
    }
    // Replaces the counters before the test uses them.
    void use(Counter::Limits limits) { counters_ = make(limits); }
    void start() { counters_->start({first_.getLoop(), second_.getLoop()}); }
    // Counts one view from inside `thread`'s loop, as a request handler does.
    void countOn(trantor::EventLoopThread &thread, Counter::Done done) {
        thread.getLoop()->runInLoop([this, done = std::move(done)]() mutable { counters_->count(std::move(done)); });
    }
    bool idle() {
        std::promise<bool> report;
        counters_->whenIdle(*main_.getLoop(), [&](bool idle, auto) { report.set_value(idle); });
        return report.get_future().get();
    }

    trantor::EventLoopThread first_, second_, main_;
    std::shared_ptr<ManualStore> store_ = std::make_shared<ManualStore>();
    std::unique_ptr<LoopCounters> make(Counter::Limits limits) {
        return std::make_unique<LoopCounters>([store = store_](trantor::EventLoop &) { return store; }, limits);
    }
    // Destroyed after TearDown stopped the loops, as the contract asks.
    std::unique_ptr<LoopCounters> counters_ = make({});
    Replies replies_;
};

TEST_F(LoopCountersTest, RefusesViewsAsNotCountedBeforeStart) {
    counters_->count(replies_.collector());
    const auto replies = replies_.waitFor(1);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(std::get<CountError>(replies[0]).kind, CountFailure::NotCounted);
    EXPECT_EQ(store_->statements(), 0u);
}

TEST_F(LoopCountersTest, AnswersEachViewOnTheLoopThatReceivedIt) {
    start();
    std::promise<std::thread::id> answeredOn;
    countOn(second_, [&](StoreReply) { answeredOn.set_value(std::this_thread::get_id()); });
    ASSERT_EQ(store_->amountOf(0), 1);
    store_->commit(0);
    std::promise<std::thread::id> secondThread;
    second_.getLoop()->runInLoop([&] { secondThread.set_value(std::this_thread::get_id()); });
    EXPECT_EQ(answeredOn.get_future().get(), secondThread.get_future().get());
}

TEST_F(LoopCountersTest, BatchingLoopsKeepOneStatementInFlightBetweenThem) {
    start();
    countOn(first_, replies_.collector());
    ASSERT_EQ(store_->amountOf(0), 1);
    countOn(second_, replies_.collector());
    // Absence can only be sampled: a slow machine makes this pass, never fail.
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(store_->statements(), 1u) << "the second loop sent while the first loop's statement was in flight";
    store_->commit(0);
    EXPECT_EQ(store_->amountOf(1), 1) << "the turn did not pass to the second loop";
}

TEST_F(LoopCountersTest, ViewsWaitingForTheTurnGoInOneStatement) {
    start();
    countOn(first_, replies_.collector());
    ASSERT_EQ(store_->amountOf(0), 1);
    for (int i = 0; i < 3; ++i) countOn(second_, replies_.collector());
    std::this_thread::sleep_for(100ms);
    store_->commit(0);
    EXPECT_EQ(store_->amountOf(1), 3);
}

TEST_F(LoopCountersTest, AStatementPastItsDeadlinePassesTheTurn) {
    Counter::Limits limits;
    limits.timeout = 200ms;
    use(limits);
    start();
    countOn(first_, replies_.collector());
    ASSERT_EQ(store_->amountOf(0), 1);  // never answered
    // Well inside the first deadline, so this view outlives it.
    std::this_thread::sleep_for(100ms);
    countOn(second_, replies_.collector());
    EXPECT_EQ(store_->amountOf(1), 1) << "the second loop never got the turn";
}

TEST_F(LoopCountersTest, PerRequestLoopsSendWithoutWaitingForEachOther) {
    Counter::Limits limits;
    limits.maxBatch = 1;
    limits.maxInFlight = limits.maxQueued;
    use(limits);
    start();
    countOn(first_, replies_.collector());
    ASSERT_EQ(store_->amountOf(0), 1);
    countOn(second_, replies_.collector());
    EXPECT_EQ(store_->amountOf(1), 1);  // not queued behind the first loop's statement
}

TEST_F(LoopCountersTest, NumbersFromBothLoopsAreDistinctAndGapFree) {
    start();
    countOn(first_, replies_.collector());
    ASSERT_EQ(store_->amountOf(0), 1);
    countOn(second_, replies_.collector());
    store_->commit(0);
    ASSERT_EQ(store_->amountOf(1), 1);
    store_->commit(1);
    const auto replies = replies_.waitFor(2);
    ASSERT_EQ(replies.size(), 2u);
    EXPECT_EQ(numberOf(replies[0]) + numberOf(replies[1]), 1 + 2);
    EXPECT_NE(numberOf(replies[0]), numberOf(replies[1]));
}

TEST_F(LoopCountersTest, DrainingRefusesViewsOnEveryLoop) {
    start();
    counters_->startDraining();
    countOn(first_, replies_.collector());
    countOn(second_, replies_.collector());
    const auto replies = replies_.waitFor(2);
    ASSERT_EQ(replies.size(), 2u);
    for (const auto &reply : replies) EXPECT_EQ(std::get<CountError>(reply).reason, "shutting down");
    EXPECT_EQ(store_->statements(), 0u);
}

TEST_F(LoopCountersTest, CountersStartedDuringDrainingRefuseViews) {
    counters_->startDraining();
    start();
    countOn(first_, replies_.collector());
    const auto replies = replies_.waitFor(1);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(std::get<CountError>(replies[0]).reason, "shutting down");
}

TEST_F(LoopCountersTest, IsIdleOnlyWhenNoLoopHasAViewInFlight) {
    start();
    EXPECT_TRUE(idle());
    countOn(second_, replies_.collector());
    ASSERT_EQ(store_->amountOf(0), 1);
    EXPECT_FALSE(idle());
    store_->commit(0);
    replies_.waitFor(1);
    EXPECT_TRUE(idle());
}

}  // namespace
}  // namespace pageviews
