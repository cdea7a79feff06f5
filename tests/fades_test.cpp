// Reloads that never click: fades in, fades out, crossfades, clear and
// reset, each measured by the pop ratio (tests/pop_ratio.hpp) on the
// engine's own output, rendered without JACK.
#include "engine.hpp"
#include "load_options.hpp"
#include "pop_ratio.hpp"

#include <lel/lel.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

using namespace lel;
using lel::test::PopRatio;
using lel::test::pop_ratio;
using namespace std::chrono_literals;

namespace {

using lel::test::crossfading;
using lel::test::quantized;


constexpr double sr = 48000.0;
constexpr double fade_ms = 5.0;
constexpr std::size_t fade = 240;  // 5 ms at 48 kHz

template <int Hz, int Centi = 30>
double sine(Context& s) {
    s.state[0] += Hz * s.dt;
    if (s.state[0] >= 1.0) s.state[0] -= 1.0;
    return Centi / 100.0 * std::sin(2.0 * M_PI * s.state[0]);
}

// The same tone written another way (phase in state[7], cycles counted in
// state[0]): a changed state layout, where only a crossfade avoids a jump.
template <int Hz>
double sine_other_layout(Context& s) {
    s.state[7] += Hz * s.dt;
    if (s.state[7] >= 1.0) {
        s.state[7] -= 1.0;
        s.state[0] += 1.0;
    }
    return 0.3 * std::sin(2.0 * M_PI * s.state[7]);
}

void a_440(const lel_host* h) { detail::run_session(h, [](Session& s) { s.add("a", sine<440>); }); }
void a_220(const lel_host* h) { detail::run_session(h, [](Session& s) { s.add("a", sine<220>); }); }
void a_660(const lel_host* h) { detail::run_session(h, [](Session& s) { s.add("a", sine<660>); }); }
void a_440_b_660(const lel_host* h) {
    detail::run_session(h, [](Session& s) { s.add("a", sine<440>).add("b", sine<660>); });
}
void add_b_660(const lel_host* h) { detail::run_session(h, [](Session& s) { s.add("b", sine<660>); }); }
void a_440_other_layout(const lel_host* h) {
    detail::run_session(h, [](Session& s) { s.add("a", sine_other_layout<440>); });
}
void only_b_660(const lel_host* h) {
    detail::run_session(h, [](Session& s) { s.clear().add("b", sine<660>); });
}

// Prints the figure (the closing notes quote it) and records it in the XML.
void report(const PopRatio& p) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::printf("pop ratio %-60s %.3f (jump %.5f, steady %.5f)\n", info->name(), p.ratio(), p.around_swap, p.steady);
    ::testing::Test::RecordProperty("pop_ratio", std::to_string(p.ratio()));
}

EngineConfig rig_config() {
    EngineConfig c;
    c.sample_rate = sr;
    c.max_block = 64;
    c.state_doubles = 1 << 16;
    c.max_names = 256;
    c.fade_ms = fade_ms;
    return c;
}

struct Rig {
    Engine engine{rig_config()};
    std::vector<StereoFrame> out;

    void play(std::size_t frames) {
        const std::size_t at = out.size();
        out.resize(at + frames);
        engine.renderer().render(std::span<StereoFrame>(out.data() + at, frames));
        engine.collect();
    }
    // Applies a command and returns the frame it took effect at.
    std::size_t swap(const CommandResult& r) {
        EXPECT_TRUE(r) << r.message;
        play(64);
        const auto frame = engine.wait_swapped(r.program_id, 0ms);
        EXPECT_TRUE(frame);
        return frame ? static_cast<std::size_t>(*frame) : 0;
    }
    std::size_t load(lel_entry_fn session, LoadOptions options = {}) {
        return swap(engine.run_session(session, nullptr, "test", options));
    }
};

}  // namespace

TEST(Fades, ASignalThatAppearsFadesInWithoutAPop) {
    Rig run;
    run.load(a_440);
    run.play(9600);
    const std::size_t at = run.load(add_b_660);
    run.play(9600);
    const PopRatio p = pop_ratio(run.out, at, fade);
    report(p);
    EXPECT_LE(p.ratio(), 1.1) << "jump " << p.around_swap << " steady " << p.steady;
    // and it really fades: one sample in, b is far below its full level
    EXPECT_LT(std::fabs(run.out[at].left - run.out[at - 1].left), 0.06);
}

TEST(Fades, ASignalThatIsRemovedFadesOutWithoutAPop) {
    Rig run;
    run.load(a_440_b_660);
    run.play(9600);
    const std::size_t at = run.swap(run.engine.remove("b"));
    run.play(9600);
    const PopRatio p = pop_ratio(run.out, at, fade);
    report(p);
    EXPECT_LE(p.ratio(), 1.1) << "jump " << p.around_swap << " steady " << p.steady;
    EXPECT_EQ(run.engine.renderer().fading(), 0u);  // the tail ended and went back
}

TEST(Fades, ReplacingCodeUnderTheSameNameContinuesWithoutAPop) {
    Rig run;
    run.load(a_440);
    run.play(9600);
    const std::size_t at = run.load(a_660);
    run.play(9600);
    const PopRatio p = pop_ratio(run.out, at, 0);
    report(p);
    EXPECT_LE(p.ratio(), 1.1) << "jump " << p.around_swap << " steady " << p.steady;
}

TEST(Fades, ASessionThatClearsFadesOutWhatItDropsWithoutAPop) {
    Rig run;
    run.load(a_440_b_660);
    run.play(9600);
    const std::size_t at = run.load(only_b_660);
    run.play(9600);
    const PopRatio p = pop_ratio(run.out, at, fade);
    report(p);
    EXPECT_LE(p.ratio(), 1.1) << "jump " << p.around_swap << " steady " << p.steady;
}

TEST(Fades, ClearFadesEverythingOutWithoutAPop) {
    Rig run;
    run.load(a_440_b_660);
    run.play(9600);
    const std::size_t at = run.swap(run.engine.clear());
    run.play(4800);
    const PopRatio p = pop_ratio(run.out, at, fade);
    report(p);
    EXPECT_LE(p.ratio(), 1.1) << "jump " << p.around_swap << " steady " << p.steady;
    for (std::size_t i = at + fade; i < run.out.size(); ++i) ASSERT_EQ(run.out[i].left, 0.0f) << i;
}

TEST(Fades, ResetFadesEverythingOutWithoutAPopAndThenGivesTheStateBack) {
    Rig run;
    run.load(a_440_b_660);
    run.play(9600);
    const std::size_t at = run.swap(run.engine.reset());
    EXPECT_EQ(run.engine.arena().names(), 0u);  // forgotten at once, ...
    run.play(4800);
    const PopRatio p = pop_ratio(run.out, at, fade, 256, 4000);
    report(p);
    EXPECT_LE(p.ratio(), 1.1) << "jump " << p.around_swap << " steady " << p.steady;
    for (std::size_t i = at + fade; i < run.out.size(); ++i) ASSERT_EQ(run.out[i].left, 0.0f) << i;
    EXPECT_EQ(run.engine.arena().used(), 0u);  // ... the space back once the fade ended
}

TEST(Fades, ACrossfadeRunsOldAndNewCodeOnSeparateStateWithoutAPop) {
    Rig run;
    run.load(a_220);
    run.play(9600);
    const double old_phase = run.engine.arena().find("a")->data()[0];
    const std::size_t at = run.load(a_440_other_layout, crossfading());
    run.play(9600);
    const PopRatio p = pop_ratio(run.out, at, fade);
    report(p);
    EXPECT_LE(p.ratio(), 1.1) << "jump " << p.around_swap << " steady " << p.steady;
    // the new code started from zeroed state: it has counted whole cycles
    // since the swap only (9600+64 frames at 440 Hz ~ 88), not the old phase
    const auto slice = run.engine.arena().find("a");
    EXPECT_NE(slice->data()[0], old_phase);
    EXPECT_NEAR(slice->data()[0], 88.0, 1.0);
}

TEST(Fades, WithoutACrossfadeAChangedStateLayoutJumps) {
    // The negative control for the crossfade test: the same change without
    // a crossfade is a click, and the pop ratio sees it.
    Rig run;
    run.load(a_220);
    run.play(9600);
    const std::size_t at = run.load(a_440_other_layout);
    run.play(9600);
    EXPECT_GT(pop_ratio(run.out, at, fade).ratio(), 1.5);
}

TEST(Fades, ASignalReturningWhileItFadesOutIsTakenOverFromItsLevel) {
    Rig run;
    run.load(a_440_b_660);
    run.play(9600);
    const std::size_t at = run.swap(run.engine.remove("b"));
    run.play(64);
    run.load(a_440_b_660);  // b back, mid-fade
    run.play(9600);
    const PopRatio p = pop_ratio(run.out, at, 3 * fade);
    EXPECT_LE(p.ratio(), 1.1) << "jump " << p.around_swap << " steady " << p.steady;
}

// A filter that goes unstable at frame 4800 and leaves NaN in its state
// (state[1]); its output then is NaN and it is muted.
double unstable_filter(Context& s) {
    const double out = sine<440>(s) + s.state[1];
    if (s.frame >= 4800) s.state[1] = std::nan("");
    return out;
}
void a_unstable(const lel_host* h) { detail::run_session(h, [](Session& s) { s.add("a", unstable_filter); }); }
// The corrected code, which reads the same state.
double fixed_filter(Context& s) { return sine<440>(s) + s.state[1]; }
void a_fixed(const lel_host* h) { detail::run_session(h, [](Session& s) { s.clear().add("a", fixed_filter); }); }

TEST(Fades, AMutedSignalReloadedUnderItsNameGetsFreshStateAndFadesIn) {
    Rig run;
    run.load(a_unstable);
    run.play(9600);
    ASSERT_EQ(run.engine.muted(), 1u);
    const std::size_t at = run.load(a_fixed);
    run.play(9600);
    EXPECT_EQ(run.engine.muted(), 0u);
    EXPECT_TRUE(std::isfinite(run.engine.arena().find("a")->data()[1]));
    // it plays: the fixed code's tone at full level once faded in ...
    float peak = 0.0f;
    for (std::size_t i = at + fade; i < run.out.size(); ++i) peak = std::max(peak, std::fabs(run.out[i].left));
    EXPECT_NEAR(peak, 0.3f, 0.001f);
    // ... from a fresh phase (0 at the swap), fading in from silence
    const double phase = std::fmod((run.out.size() - at) * 440.0 / sr, 1.0);
    EXPECT_NEAR(run.engine.arena().find("a")->data()[0], phase, 1e-6);
    EXPECT_LT(std::fabs(run.out[at].left), 0.01f);
    EXPECT_NEAR(run.out[at + fade / 2 - 1].left, 0.5 * 0.3 * std::sin(2.0 * M_PI * 440.0 * (fade / 2) / sr), 1e-4);
    const PopRatio p = pop_ratio(run.out, at, fade);
    report(p);
    EXPECT_LE(p.ratio(), 1.1) << "jump " << p.around_swap << " steady " << p.steady;
}

TEST(Quantum, AQuantizedLoadTakesEffectAtTheNextMultipleOfTheQuantum) {
    Rig run;
    run.load(a_440);
    run.play(1000);
    const CommandResult r = run.engine.run_session(a_660, nullptr, "test", quantized(4800));
    ASSERT_TRUE(r);
    run.play(9600);
    const auto frame = run.engine.swap_frame(r.program_id);
    ASSERT_TRUE(frame);
    EXPECT_EQ(*frame % 4800, 0u);
    EXPECT_EQ(*frame, 4800u);
}

TEST(Quantum, ALaterLoadSupersedesOneStillWaitingForItsFrame) {
    Rig run;
    run.play(64);
    const CommandResult first = run.engine.run_session(a_440, nullptr, "test", quantized(48000));
    const CommandResult second = run.engine.run_session(a_660, nullptr, "test");
    run.play(128);
    EXPECT_EQ(run.engine.swap_frame(first.program_id), ProgramMailbox::superseded);
    ASSERT_TRUE(run.engine.swap_frame(second.program_id));
}
