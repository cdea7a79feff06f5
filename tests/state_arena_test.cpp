#include "state_arena.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

using lel::StateArena;

TEST(StateArena, ANewNameGetsAZeroedSliceOfTheSizeAskedFor) {
    StateArena arena(1024);
    const auto s = arena.acquire("a", 128);
    ASSERT_NE(s->data(), nullptr);
    EXPECT_EQ(s->size(), 128u);
    for (uint32_t i = 0; i < s->size(); ++i) EXPECT_EQ(s->data()[i], 0.0);
    EXPECT_EQ(arena.used(), 128u);
}

TEST(StateArena, ANameKeepsItsSliceAndItsValues) {
    StateArena arena(1024);
    auto s = arena.acquire("osc", 128);
    s->data()[0] = 0.25;
    const auto again = arena.acquire("osc", 64);
    EXPECT_EQ(again, s);
    EXPECT_EQ(again->data()[0], 0.25);
    EXPECT_EQ(arena.used(), 128u);
}

TEST(StateArena, GrowingASliceMovesItAndKeepsTheOldValues) {
    StateArena arena(1024);
    auto s = arena.acquire("echo", 4);
    s->data()[3] = 7.0;
    const auto big = arena.acquire("echo", 100);
    EXPECT_NE(big->data(), s->data());
    EXPECT_EQ(big->size(), 100u);
    EXPECT_EQ(big->index(), s->index());
    EXPECT_EQ(big->data()[3], 7.0);
    EXPECT_EQ(big->data()[50], 0.0);
}

TEST(StateArena, AFullArenaThrowsAndChangesNothing) {
    StateArena arena(100);
    const auto a = arena.acquire("a", 60);
    EXPECT_THROW(arena.acquire("b", 60), lel::ArenaFull);
    EXPECT_FALSE(arena.find("b"));
    EXPECT_EQ(arena.used(), 60u);
}

TEST(StateArena, RollbackForgetsNewNamesAndRestoresGrownOnes) {
    StateArena arena(1024);
    auto kept = arena.acquire("kept", 4);
    kept->data()[0] = 1.5;
    arena.commit();
    const auto mark = arena.mark();
    {
        auto fresh = arena.acquire("fresh", 8);
        fresh->data()[0] = 9.0;
        arena.acquire("kept", 16);
        arena.rollback(mark);
    }
    EXPECT_FALSE(arena.find("fresh"));
    ASSERT_TRUE(arena.find("kept"));
    EXPECT_EQ(arena.find("kept")->data(), kept->data());
    EXPECT_EQ(arena.find("kept")->data()[0], 1.5);
    EXPECT_EQ(arena.used(), 4u);  // what the rollback dropped came back
    const auto again = arena.acquire("other", 8);
    for (uint32_t i = 0; i < again->size(); ++i) EXPECT_EQ(again->data()[i], 0.0);
}

TEST(StateArena, AReplacedSliceComesBackZeroedOnlyWhenItsLastHolderLetsGo) {
    StateArena arena(1024);
    auto old = arena.acquire("x", 100);  // as a program would hold it
    old->data()[5] = 3.0;
    double* const old_data = old->data();
    arena.acquire_fresh("x", 100);
    arena.commit();
    EXPECT_EQ(arena.used(), 200u);
    EXPECT_EQ(old->data()[5], 3.0);  // still readable by the voice fading out
    old.reset();
    EXPECT_EQ(arena.used(), 100u);
    const auto reuse = arena.acquire("y", 100);
    EXPECT_EQ(reuse->data(), old_data);  // first fit: the lowest free run
    EXPECT_EQ(reuse->data()[5], 0.0);
}

namespace {

// Three slices of 100 filling an arena of 300, forgotten by the name table,
// so that each returns when the test drops it.
struct ThreeSlices {
    StateArena arena{300};
    StateArena::LeasePtr a = arena.acquire("a", 100);
    StateArena::LeasePtr b = arena.acquire("b", 100);
    StateArena::LeasePtr c = arena.acquire("c", 100);
    ThreeSlices() { arena.forget_all(); }
};

}  // namespace

TEST(StateArena, FreedNeighboursCoalesceIntoOneRun) {
    ThreeSlices t;
    auto& arena = t.arena;
    t.a.reset();
    t.c.reset();
    t.b.reset();  // between two free runs: all three merge
    EXPECT_EQ(arena.used(), 0u);
    EXPECT_NO_THROW(arena.acquire("whole", 300));
}

TEST(StateArena, FragmentedSpaceIsReportedAsSuch) {
    ThreeSlices t;
    auto& arena = t.arena;
    t.a.reset();
    t.c.reset();
    try {
        arena.acquire("big", 150);
        FAIL() << "150 doubles do not fit in two runs of 100";
    } catch (const lel::ArenaFull& e) {
        EXPECT_NE(std::string(e.what()).find("longest free run is 100"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(arena.find("big"));
}

TEST(StateArena, PoisonedStateIsReplacedByAFreshSliceUnderTheSameIndex) {
    StateArena arena(1024);
    auto s = arena.acquire("filter", 8);
    s->data()[1] = 0.5;
    s->poisoned.store(1);
    const auto fresh = arena.acquire("filter", 8);
    EXPECT_NE(fresh, s);
    EXPECT_EQ(fresh->index(), s->index());
    EXPECT_EQ(fresh->data()[1], 0.0);  // nothing copied from poisoned state
    EXPECT_EQ(fresh->poisoned.load(), 0u);
}

TEST(StateArena, ForgetAllForgetsEveryNameAtOnceAndTheSpaceReturnsWithTheLastHolder) {
    StateArena arena(1024);
    auto s = arena.acquire("a", 8);
    s->data()[0] = 3.0;
    arena.forget_all();
    EXPECT_EQ(arena.names(), 0u);
    EXPECT_EQ(arena.used(), 8u);  // a program still holds it
    const auto again = arena.acquire("a", 8);
    EXPECT_EQ(again->data()[0], 0.0);
    EXPECT_NE(again->index(), s->index());  // the old name may still fade out under its index
    s.reset();
    EXPECT_EQ(arena.used(), 8u);
}

TEST(StateArena, AnIndexGoesToANewNameOnlyOnceEveryLeaseOfItsOldNameIsGone) {
    StateArena arena(1024, 2);
    auto a = arena.acquire("a", 1);
    auto b = arena.acquire("b", 1);
    EXPECT_THROW(arena.acquire("c", 1), lel::ArenaFull);  // two names at most
    arena.forget_all();
    EXPECT_THROW(arena.acquire("c", 1), lel::ArenaFull);  // a and b still held
    const uint32_t freed = a->index();
    a.reset();
    const auto c = arena.acquire("c", 1);
    EXPECT_EQ(c->index(), freed);
}

TEST(StateArena, ALeaseMayOutliveItsArena) {
    StateArena::LeasePtr kept;
    {
        StateArena arena(64);
        kept = arena.acquire("a", 8);
    }
    kept->data()[0] = 1.0;  // the array lives as long as a lease does
    kept.reset();
}

// ------------------------------------------------- restore (state_store.hpp)

namespace {

/// An arena over memory the test owns, as the state file's mapping is.
struct Outside {
    explicit Outside(std::size_t n) : doubles(std::make_shared<std::vector<double>>(n, 0.0)) {}
    lel::ArenaStorage storage() const { return {doubles->data(), doubles->size(), doubles}; }
    std::shared_ptr<std::vector<double>> doubles;
};

}  // namespace

TEST(StateArenaRestore, EveryNameGetsItsSliceIndexAndLayoutBackAndTheRestIsZeroed) {
    Outside memory(1000);
    std::vector<StateArena::Entry> saved;
    {
        StateArena first(memory.storage(), 16);
        const auto a = first.acquire("a", 10);
        const auto b = first.acquire("b", 20);
        a->data()[3] = 1.5;
        b->data()[19] = -2.0;
        b->layout.laid_out = true;
        b->layout.raw = 4;
        b->layout.blocks.push_back({7, 3, "lp"});
        saved = first.entries();
        // What no name holds may be anything in the file: restore zeroes it.
        (*memory.doubles)[500] = 9.0;
    }
    ASSERT_EQ(saved.size(), 2u);
    (*memory.doubles)[500] = 9.0;
    (*memory.doubles)[3] = 1.5;  // a's slice was zeroed when its lease went: the file keeps what the process wrote
    (*memory.doubles)[10 + 19] = -2.0;
    StateArena again(memory.storage(), 16);
    again.restore(saved);
    EXPECT_EQ(again.names(), 2u);
    EXPECT_EQ(again.used(), 30u);
    const StateArena::Lease* a = again.find("a");
    const StateArena::Lease* b = again.find("b");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->data()[3], 1.5);
    EXPECT_EQ(b->data()[19], -2.0);
    EXPECT_EQ(b->index(), saved[1].index);
    EXPECT_EQ(b->layout, saved[1].layout);
    EXPECT_EQ((*memory.doubles)[500], 0.0);
    // acquire() finds them, with their values; a new name gets a new index.
    EXPECT_EQ(again.acquire("a", 10)->data()[3], 1.5);
    const auto c = again.acquire("c", 5);
    EXPECT_NE(c->index(), a->index());
    EXPECT_NE(c->index(), b->index());
}

TEST(StateArenaRestore, EntriesThatDoNotFitTheArenaAreRefusedAndLeaveItEmptyAndZeroed) {
    const auto entry = [](std::string name, std::size_t offset, uint32_t size, uint32_t index) {
        StateArena::Entry e;
        e.name = std::move(name);
        e.offset = offset;
        e.size = size;
        e.index = index;
        return e;
    };
    const std::vector<std::vector<StateArena::Entry>> bad = {
        {entry("outside", 990, 20, 0)},
        {entry("a", 0, 10, 0), entry("overlap", 5, 10, 1)},
        {entry("a", 0, 10, 3), entry("same index", 20, 10, 3)},
        {entry("index too big", 0, 10, 16)},
        {entry("twice", 0, 10, 0), entry("twice", 20, 10, 1)},
    };
    for (const auto& entries : bad) {
        SCOPED_TRACE(entries.back().name);
        Outside memory(1000);
        (*memory.doubles)[2] = 4.0;
        StateArena arena(memory.storage(), 16);
        EXPECT_THROW(arena.restore(entries), std::runtime_error);
        EXPECT_EQ(arena.names(), 0u);
        EXPECT_EQ(arena.used(), 0u);
        EXPECT_EQ((*memory.doubles)[2], 0.0);
        EXPECT_EQ(arena.acquire("fresh", 1000)->size(), 1000u);  // the whole arena is free again
    }
    // A helper layout larger than its slice.
    Outside memory(100);
    StateArena arena(memory.storage(), 16);
    StateArena::Entry e = entry("layout", 0, 4, 0);
    e.layout.raw = 2;
    e.layout.blocks.push_back({1, 8, ""});
    EXPECT_THROW(arena.restore({e}), std::runtime_error);
}
