#include "statement_turn.h"

#include <gtest/gtest.h>

#include <vector>

namespace pageviews {
namespace {

TEST(StatementTurn, AFreeTurnIsTakenAtOnce) {
    StatementTurn turn;
    EXPECT_TRUE(turn.take([] { FAIL() << "woken for a turn taken at once"; }));
}

TEST(StatementTurn, ATakenTurnQueuesTheCallerUntilRelease) {
    StatementTurn turn;
    ASSERT_TRUE(turn.take([] {}));
    bool woken = false;
    EXPECT_FALSE(turn.take([&] { woken = true; }));
    EXPECT_FALSE(woken);
    turn.release();
    EXPECT_TRUE(woken);
}

TEST(StatementTurn, AWokenWaiterHoldsTheTurn) {
    StatementTurn turn;
    ASSERT_TRUE(turn.take([] {}));
    ASSERT_FALSE(turn.take([] {}));
    turn.release();
    EXPECT_FALSE(turn.take([] {})) << "the turn was free right after it passed to a waiter";
}

TEST(StatementTurn, PassesToWaitersInArrivalOrder) {
    StatementTurn turn;
    ASSERT_TRUE(turn.take([] {}));
    std::vector<int> order;
    for (int waiter = 1; waiter <= 3; ++waiter) ASSERT_FALSE(turn.take([&order, waiter] { order.push_back(waiter); }));
    for (int i = 0; i < 3; ++i) turn.release();
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(StatementTurn, IsFreeAgainOnceNobodyWaits) {
    StatementTurn turn;
    ASSERT_TRUE(turn.take([] {}));
    turn.release();
    EXPECT_TRUE(turn.take([] {}));
}

}  // namespace
}  // namespace pageviews
