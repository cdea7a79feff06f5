#include "state_arena.hpp"

#include <gtest/gtest.h>

using lel::StateArena;

TEST(StateArena, ANewNameGetsAZeroedSliceOfTheSizeAskedFor) {
    StateArena arena(1024);
    const auto s = arena.acquire("a", 128);
    ASSERT_NE(s.data, nullptr);
    EXPECT_EQ(s.size, 128u);
    for (uint32_t i = 0; i < s.size; ++i) EXPECT_EQ(s.data[i], 0.0);
    EXPECT_EQ(arena.used(), 128u);
}

TEST(StateArena, ANameKeepsItsSliceAndItsValues) {
    StateArena arena(1024);
    auto s = arena.acquire("osc", 128);
    s.data[0] = 0.25;
    const auto again = arena.acquire("osc", 64);
    EXPECT_EQ(again.data, s.data);
    EXPECT_EQ(again.data[0], 0.25);
    EXPECT_EQ(arena.used(), 128u);
}

TEST(StateArena, GrowingASliceMovesItAndKeepsTheOldValues) {
    StateArena arena(1024);
    auto s = arena.acquire("echo", 4);
    s.data[3] = 7.0;
    const auto big = arena.acquire("echo", 100);
    EXPECT_NE(big.data, s.data);
    EXPECT_EQ(big.size, 100u);
    EXPECT_EQ(big.data[3], 7.0);
    EXPECT_EQ(big.data[50], 0.0);
}

TEST(StateArena, AFullArenaThrowsAndChangesNothing) {
    StateArena arena(100);
    arena.acquire("a", 60);
    EXPECT_THROW(arena.acquire("b", 60), lel::ArenaFull);
    EXPECT_FALSE(arena.find("b"));
    EXPECT_EQ(arena.used(), 60u);
}

TEST(StateArena, RollbackForgetsNewNamesRestoresGrownOnesAndZeroesTheirSpace) {
    StateArena arena(1024);
    auto kept = arena.acquire("kept", 4);
    kept.data[0] = 1.5;
    arena.commit();
    const auto mark = arena.mark();
    auto fresh = arena.acquire("fresh", 8);
    fresh.data[0] = 9.0;
    arena.acquire("kept", 16);
    arena.rollback(mark);
    EXPECT_FALSE(arena.find("fresh"));
    ASSERT_TRUE(arena.find("kept"));
    EXPECT_EQ(arena.find("kept")->data, kept.data);
    EXPECT_EQ(arena.used(), 4u);
    const auto again = arena.acquire("other", 8);
    for (uint32_t i = 0; i < again.size; ++i) EXPECT_EQ(again.data[i], 0.0);
}

TEST(StateArena, WipeZeroesEverythingAndForgetsEveryName) {
    StateArena arena(1024);
    auto s = arena.acquire("a", 8);
    s.data[0] = 3.0;
    arena.wipe();
    EXPECT_EQ(arena.names(), 0u);
    EXPECT_EQ(arena.used(), 0u);
    const auto again = arena.acquire("a", 8);
    EXPECT_EQ(again.data[0], 0.0);
}
