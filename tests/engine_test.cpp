// The engine's control side without JACK: failed loads, the state arena
// giving space back after crossfades, growth and resets, and resets that
// never wait for the producer. Sessions are compiled into the test and
// rendered into plain buffers, as the producer would.
#include "engine.hpp"
#include "load_options.hpp"

#include <lel/lel.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <vector>

using namespace lel;

namespace {

using lel::test::crossfading;
using lel::test::quantized;


// The defaults leld runs with: a 2^22-double arena, 5 ms fades.
const EngineConfig defaults{};
constexpr std::size_t fade_frames = 240;  // 5 ms at 48 kHz

// examples/echo.cpp's state: 8 doubles of variables and a 1 s line at 48 kHz.
constexpr uint32_t echo_state = 8 + 48000;

void render(Engine& e, std::size_t frames) {
    std::vector<StereoFrame> out(frames);
    e.renderer().render(out);
    e.collect();
}

double tone(Context& s) {
    s.state[0] += 440.0 * s.dt;
    if (s.state[0] >= 1.0) s.state[0] -= 1.0;
    return 0.25 * std::sin(2.0 * M_PI * s.state[0]);
}

void tone_session(const lel_host* h) {
    detail::run_session(h, [](Session& s) { s.add("tone", tone); });
}

// A delay line as big as echo.cpp's, written and read every sample.
void echo_sized_session(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.clear();
        s.add("echo", [](Context& c) {
            auto line = c.state.subspan(8, 48000);
            const auto w = static_cast<std::size_t>(c.state[0]);
            const double wet = line[(w + 1) % line.size()];
            line[w] = 0.1 * std::sin(0.05 * static_cast<double>(c.frame)) + 0.5 * wet;
            c.state[0] = static_cast<double>((w + 1) % line.size());
            return wet;
        }, SignalOptions{.state = echo_state});
    });
}

// The state size the growing session asks for (a session is a plain
// function, so the size comes from here).
uint32_t grow_to = 0;

void growing_session(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("grows", [](Context& c) {
            c.state[0] += 1.0;  // samples since the name was first seen: must survive growth
            return 0.0;
        }, SignalOptions{.state = grow_to});
    });
}

void fails_without_a_message(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.clear().add("half-built", tone);
        s.fail("");
    });
}

void throws_without_a_message(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.clear().add("half-built", tone);
        throw std::runtime_error("");
    });
}

template <class F>
double seconds(F&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

// ----------------------------------------------------------- failed loads

namespace {

// Loads the tone, then `session`, which must fail with a message and leave
// the tone playing and no state behind.
void expect_failure_keeps_the_old_program(lel_entry_fn session) {
    Engine e(defaults);
    ASSERT_TRUE(e.run_session(tone_session, nullptr, "test"));
    render(e, 640);
    const CommandResult r = e.run_session(session, nullptr, "test");
    EXPECT_FALSE(r);
    EXPECT_FALSE(r.message.empty());
    ASSERT_EQ(e.signals(), 1u);
    EXPECT_EQ(e.registry().entries()[0].name, "tone");
    EXPECT_FALSE(e.arena().find("half-built"));  // its state was given back
}

}  // namespace

TEST(Engine, ASessionFailingWithAnEmptyMessageFailsTheLoadAndTheOldProgramStays) {
    expect_failure_keeps_the_old_program(fails_without_a_message);
}

TEST(Engine, ASessionThrowingAnEmptyMessageFailsTheLoadAndTheOldProgramStays) {
    expect_failure_keeps_the_old_program(throws_without_a_message);
}

// ------------------------------------------------- the arena gives space back

TEST(Engine, TenThousandCrossfadeLoadsOfAnEchoSizedSignalFitTheDefaultArena) {
    Engine e(defaults);
    std::size_t peak = 0;
    for (int i = 0; i < 10'000; ++i) {
        const CommandResult r = e.run_session(echo_sized_session, nullptr, "test", crossfading());
        ASSERT_TRUE(r) << "load " << i << ": " << r.message;
        peak = std::max(peak, e.arena().used());
        render(e, 5 * 64);  // past the fade: the old code's program retires
    }
    EXPECT_LE(peak, 2u * echo_state);  // the new slice, and the old one until its fade ends
    EXPECT_EQ(e.arena().used(), echo_state);
    EXPECT_EQ(e.muted(), 0u);
}

TEST(Engine, GrowingAStateGivesTheOldSliceBackAndKeepsItsValues) {
    Engine e(defaults);
    double samples = 0.0;
    for (uint32_t k = 1; k <= 100; ++k) {  // 10,000 to 1,000,000 doubles: 50.5 million in all
        grow_to = 10'000 * k;
        const CommandResult r = e.run_session(growing_session, nullptr, "test");
        ASSERT_TRUE(r) << "growth " << k << ": " << r.message;
        EXPECT_LE(e.arena().used(), 2u * grow_to) << "growth " << k;  // the new slice and the old one
        render(e, 64);
        samples += 64;
    }
    render(e, 64);
    EXPECT_EQ(e.arena().used(), grow_to);
    // every copy kept the count (the samples between a copy and its swap are lost)
    EXPECT_GT(e.arena().find("grows")->data()[0], samples / 2);
}

// ------------------------------------------------------------------ reset

TEST(Engine, ResetAnswersAtOnceForgetsEveryNameAndGivesTheSpaceBackAfterTheFade) {
    Engine e(defaults);
    ASSERT_TRUE(e.run_session(tone_session, nullptr, "test"));
    render(e, 640);
    CommandResult r;
    // No producer runs now: reset must not wait for one.
    EXPECT_LT(seconds([&] { r = e.reset(); }), 0.1);
    ASSERT_TRUE(r) << r.message;
    EXPECT_NE(r.program_id, 0u);
    EXPECT_EQ(e.signals(), 0u);
    EXPECT_EQ(e.arena().names(), 0u);
    EXPECT_EQ(e.arena().used(), default_state_size);  // the tone still fades out on it
    render(e, fade_frames + 128);
    EXPECT_EQ(e.arena().used(), 0u);
    EXPECT_EQ(e.renderer().fading(), 0u);
}

TEST(Engine, ThreeThousandResetsDoNotHoldTheControlThread) {
    Engine e(defaults);
    ASSERT_TRUE(e.run_session(tone_session, nullptr, "test"));
    render(e, 640);
    CommandResult first;
    ASSERT_LT(seconds([&] { first = e.reset(); }), 0.1);
    ASSERT_TRUE(first) << first.message;
    const double all = seconds([&] {
        for (int i = 0; i < 3000; ++i) {
            ASSERT_TRUE(e.run_session(tone_session, nullptr, "test"));
            ASSERT_TRUE(e.reset());
        }
    });
    // A reset used to wait up to 2 s for the producer: 3,000 would take 100
    // minutes. Without waiting they take milliseconds each, also under the
    // sanitizers (9 s under ThreadSanitizer on a loaded 2-core machine).
    EXPECT_LT(all, 60.0);
    render(e, fade_frames + 128);
    EXPECT_EQ(e.arena().used(), 0u);
}

TEST(Engine, ALoadRightAfterAResetGetsFreshZeroedStateUnderANewName) {
    Engine e(defaults);
    ASSERT_TRUE(e.run_session(tone_session, nullptr, "test"));
    render(e, 1000);
    const auto* before = e.arena().find("tone");
    ASSERT_TRUE(before);
    ASSERT_GT(before->data()[0], 0.0);
    const uint32_t old_index = before->index();
    ASSERT_TRUE(e.reset());
    ASSERT_TRUE(e.run_session(tone_session, nullptr, "test"));  // before the producer saw the reset
    const auto* after = e.arena().find("tone");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->data()[0], 0.0);
    EXPECT_NE(after->index(), old_index);  // the old name still fades out under its own index
    render(e, fade_frames + 128);
    EXPECT_EQ(e.arena().used(), default_state_size);
    EXPECT_EQ(e.signals(), 1u);
}
