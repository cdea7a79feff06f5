#include "program.hpp"

#include <lel/lel.hpp>

#include <gtest/gtest.h>

#include <memory>

using namespace lel;

namespace {

double silence(Context&) { return 0.0; }

// A callable that counts how many copies of it are alive.
struct Counted {
    std::shared_ptr<int> alive;
    explicit Counted(std::shared_ptr<int> a) : alive(std::move(a)) { ++*alive; }
    Counted(const Counted& o) : alive(o.alive) { ++*alive; }
    ~Counted() { --*alive; }
    double operator()(Context&) const { return 0.0; }
};

std::vector<std::string> names(const Registry& r) {
    std::vector<std::string> out;
    for (const auto& e : r.entries()) out.push_back(e.name);
    return out;
}

}  // namespace

TEST(ProgramBuilder, StartsAsTheCurrentRegistryAndAddsByName) {
    StateArena arena(4096);
    Registry current;
    {
        ProgramBuilder b(current, arena, nullptr);
        Session(b.host()).add("a", silence).add("b", silence);
        current = b.commit();
    }
    ProgramBuilder b(current, arena, nullptr);
    Session(b.host()).add("c", silence);
    const Registry next = b.commit();
    EXPECT_EQ(names(next), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(ProgramBuilder, AddingAnExistingNameReplacesItInPlaceAndKeepsItsState) {
    StateArena arena(4096);
    Registry current;
    {
        ProgramBuilder b(current, arena, nullptr);
        Session(b.host()).add("a", silence).add("b", silence);
        current = b.commit();
    }
    const double* state_before = current.find("a")->state->data();
    const Callable* code_before = current.find("a")->callable.get();
    ProgramBuilder b(current, arena, nullptr);
    Session(b.host()).add("a", [](Context&) { return 1.0; });
    const Registry next = b.commit();
    EXPECT_EQ(names(next), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(next.find("a")->state->data(), state_before);
    EXPECT_NE(next.find("a")->callable.get(), code_before);
}

TEST(ProgramBuilder, ClearDropsSignalsButTheirNamesKeepTheirState) {
    StateArena arena(4096);
    Registry current;
    {
        ProgramBuilder b(current, arena, nullptr);
        Session(b.host()).add("a", silence);
        current = b.commit();
    }
    current.find("a")->state->data()[0] = 0.5;
    {
        ProgramBuilder b(current, arena, nullptr);
        Session(b.host()).clear();
        current = b.commit();
    }
    EXPECT_EQ(current.size(), 0u);
    ProgramBuilder b(current, arena, nullptr);
    Session(b.host()).add("a", silence);
    EXPECT_EQ(b.commit().find("a")->state->data()[0], 0.5);
}

TEST(ProgramBuilder, RemovingANameThatIsNotThereIsNotAnError) {
    StateArena arena(4096);
    ProgramBuilder b(Registry{}, arena, nullptr);
    Session(b.host()).remove("old-drone").add("x", silence).remove("x");
    EXPECT_FALSE(b.failed());
    EXPECT_EQ(b.commit().size(), 0u);
}

TEST(ProgramBuilder, AFailedLoadRollsBackTheStateItTookAndDestroysItsCallables) {
    StateArena arena(1000);
    auto alive = std::make_shared<int>(0);
    {
        ProgramBuilder b(Registry{}, arena, nullptr);
        Session s(b.host());
        s.add("fits", Counted(alive), {.state = 600});
        s.add("too-big", Counted(alive), {.state = 600});
        EXPECT_TRUE(b.failed());
        EXPECT_NE(b.error().find("state arena full"), std::string::npos);
    }
    EXPECT_EQ(*alive, 0);
    EXPECT_EQ(arena.used(), 0u);
    EXPECT_FALSE(arena.find("fits"));
}

TEST(ProgramBuilder, AnInvalidNameFailsTheLoad) {
    StateArena arena(4096);
    ProgramBuilder b(Registry{}, arena, nullptr);
    Session(b.host()).add("", silence);
    EXPECT_TRUE(b.failed());
}

TEST(ProgramBuilder, ASessionThatThrowsFailsWithItsMessage) {
    StateArena arena(4096);
    ProgramBuilder b(Registry{}, arena, nullptr);
    detail::run_session(b.host(), [](Session& s) {
        s.add("a", silence);
        throw std::runtime_error("tempo must be positive");
    });
    EXPECT_TRUE(b.failed());
    EXPECT_EQ(b.error(), "tempo must be positive");
}

namespace {

// Runs `body` as a session: it must fail, with a message.
void expect_failure_with_a_message(void (*body)(Session&)) {
    StateArena arena(4096);
    ProgramBuilder b(Registry{}, arena, nullptr);
    detail::run_session(b.host(), body);
    EXPECT_TRUE(b.failed());
    EXPECT_FALSE(b.error().empty());
}

}  // namespace

TEST(ProgramBuilder, FailingWithAnEmptyMessageStillFailsAndSaysSo) {
    expect_failure_with_a_message([](Session& s) {
        s.add("a", silence);
        s.fail("");
    });
}

TEST(ProgramBuilder, ThrowingAnExceptionWithAnEmptyMessageStillFailsAndSaysSo) {
    expect_failure_with_a_message([](Session& s) {
        s.add("a", silence);
        throw std::runtime_error("");
    });
}

TEST(Program, FlattensTheRegistryIntoVoicesAndKeepsCallablesAlive) {
    StateArena arena(4096);
    auto alive = std::make_shared<int>(0);
    Registry reg;
    {
        ProgramBuilder b(Registry{}, arena, nullptr);
        Session(b.host()).add("mono", Counted(alive)).add("stereo", [](Context&) { return Frame{1, 2}; });
        reg = b.commit();
    }
    auto program = std::make_unique<Program>(reg, 7);
    reg.clear();
    EXPECT_EQ(*alive, 1);  // the program still holds the callable
    ASSERT_EQ(program->voices().size(), 2u);
    EXPECT_STREQ(program->voices()[0].name, "mono");
    EXPECT_EQ(program->voices()[0].channels, 1u);
    EXPECT_EQ(program->voices()[1].channels, 2u);
    EXPECT_EQ(program->voices()[0].state_size, default_state_size);
    EXPECT_EQ(program->id(), 7u);
    program.reset();
    EXPECT_EQ(*alive, 0);
}
