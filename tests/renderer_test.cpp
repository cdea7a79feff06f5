// The engine without JACK: sessions compiled into the test, rendered into
// plain buffers, commands issued as the OSC layer would.
#include "engine.hpp"
#include "fault_guard.hpp"

#include <lel/lel.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

using namespace lel;
using namespace std::chrono_literals;

namespace {

constexpr double sr = 48000.0;
// No fades: these tests look at exact sample values around swaps (fades
// have their own tests in fades_test.cpp).
EngineConfig small_engine(double fade_ms) {
    EngineConfig c;
    c.sample_rate = sr;
    c.max_block = 64;
    c.state_doubles = 1024;
    c.max_names = 256;
    c.fade_ms = fade_ms;
    return c;
}
const EngineConfig instant = small_engine(0.0);

template <int Hz>
double sine(Context& s) {
    s.state[0] += Hz * s.dt;
    if (s.state[0] >= 1.0) s.state[0] -= 1.0;
    return 0.5 * std::sin(2.0 * M_PI * s.state[0]);
}

void sine_440_session(const lel_host* h) {
    detail::run_session(h, [](Session& s) { s.add("tone", sine<440>); });
}
void sine_660_session(const lel_host* h) {
    detail::run_session(h, [](Session& s) { s.add("tone", sine<660>); });
}
void nan_and_tone_session(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("tone", sine<440>);
        s.add("bad", [](Context& c) { return c.frame >= 100 ? std::nan("") : 0.0; });
    });
}
void thrower_session(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("thrower", [](Context& c) -> double {
            if (c.frame == 10) throw std::runtime_error("boom");
            return 0.1;
        });
    });
}
void stereo_session(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.clear();
        s.add("wide", [](auto&) { return Frame{0.25, -0.25}; });
    });
}
void context_session(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        const double gain = 0.125;  // a capture: control-time data
        s.add("ctx", [gain](Context& c) {
            return c.idx == 0 ? gain + c.t - static_cast<double>(c.frame) / c.sr : gain;
        });
    });
}

std::vector<StereoFrame> render(Engine& e, std::size_t frames) {
    std::vector<StereoFrame> out(frames);
    e.renderer().render(out);
    e.collect();
    return out;
}

double max_jump(const std::vector<StereoFrame>& v, std::size_t from, std::size_t to) {
    double m = 0.0;
    for (std::size_t i = std::max<std::size_t>(from, 1); i < to && i < v.size(); ++i) {
        m = std::max(m, std::fabs(double(v[i].left) - v[i - 1].left));
    }
    return m;
}

int zero_crossings(const std::vector<StereoFrame>& v, std::size_t from, std::size_t to) {
    int n = 0;
    for (std::size_t i = from + 1; i < to; ++i) n += (v[i - 1].left < 0.0f) != (v[i].left < 0.0f);
    return n;
}

}  // namespace

TEST(Renderer, PlaysSilenceWithNoProgram) {
    Engine e(instant);
    for (const StereoFrame f : render(e, 256)) {
        EXPECT_EQ(f.left, 0.0f);
        EXPECT_EQ(f.right, 0.0f);
    }
    EXPECT_EQ(e.renderer().frame_approx(), 256u);
}

TEST(Renderer, ASineSessionHasTheRightFrequencyAndAmplitude) {
    Engine e(instant);
    ASSERT_TRUE(e.run_session(sine_440_session, nullptr, "test"));
    const auto out = render(e, 48000);
    EXPECT_NEAR(zero_crossings(out, 0, out.size()) / 2.0, 440.0, 1.0);
    float peak = 0.0f;
    for (const StereoFrame f : out) peak = std::max(peak, std::fabs(f.left));
    EXPECT_NEAR(peak, 0.5f, 0.001f);
    EXPECT_EQ(out[1234].left, out[1234].right);  // mono goes to both channels
}

TEST(Renderer, AStereoSignalFillsEachChannelWithItsOwnValue) {
    Engine e(instant);
    ASSERT_TRUE(e.run_session(stereo_session, nullptr, "test"));
    const auto out = render(e, 64);
    EXPECT_FLOAT_EQ(out[5].left, 0.25f);
    EXPECT_FLOAT_EQ(out[5].right, -0.25f);
}

void mono_and_stereo_session(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.clear();
        s.add("narrow", [](auto&) { return 0.125; });
        s.add("wide", [](auto&) { return Frame{0.25, -0.25}; });
    });
}

// The output pass reads and zeroes only the buses the block wrote: a mono
// and a stereo signal sum, block after block, and once the stereo one is
// gone its channels are silent (nothing is left over from it).
TEST(Renderer, MonoAndStereoSignalsSumInEveryBlockAndALeavingOneLeavesNothingBehind) {
    Engine e(instant);
    ASSERT_TRUE(e.run_session(mono_and_stereo_session, nullptr, "test"));
    auto out = render(e, 640);
    for (std::size_t i : {0u, 63u, 64u, 639u}) {
        EXPECT_FLOAT_EQ(out[i].left, 0.375f) << i;
        EXPECT_FLOAT_EQ(out[i].right, -0.125f) << i;
    }
    ASSERT_TRUE(e.remove("wide"));
    out = render(e, 640);
    for (std::size_t i : {0u, 63u, 64u, 639u}) {
        EXPECT_FLOAT_EQ(out[i].left, 0.125f) << i;
        EXPECT_FLOAT_EQ(out[i].right, 0.125f) << i;
    }
    ASSERT_TRUE(e.remove("narrow"));
    out = render(e, 640);
    for (std::size_t i : {0u, 63u, 64u, 639u}) {
        EXPECT_EQ(out[i].left, 0.0f) << i;
        EXPECT_EQ(out[i].right, 0.0f) << i;
    }
}

// A module declares its channel count; the engine hands a voice only those
// buses. One that writes a stereo bus after declaring mono faults on the
// null bus and is muted; the others play on.
int32_t writes_left(void*, const lel_block* b, double*) noexcept {
    for (uint32_t i = 0; i < b->frames; ++i) b->mix_left[i] += 0.5;
    return LEL_RENDER_OK;
}
void lying_session(const lel_host* h) {
    detail::run_session(h, [](Session& s) { s.add("tone", sine<440>); });
    const lel_signal_desc desc{"liar", &writes_left, [](void*) noexcept {}, nullptr, 1, 1, nullptr, 0, 0};
    h->add(h->self, &desc);
}

TEST(Renderer, AModuleWritingABusItDidNotDeclareIsMutedAndTheOthersPlayOn) {
    fault::install();
    fault::prepare_this_thread();
    Engine e(instant);
    const CommandResult loaded = e.run_session(lying_session, nullptr, "test");
    ASSERT_TRUE(loaded) << loaded.message;
    const auto out = render(e, 4800);
    EXPECT_EQ(e.muted(), 1u);
    EXPECT_NEAR(zero_crossings(out, 0, out.size()), 2 * 44, 2);  // the tone still plays
    for (const StereoFrame f : out) ASSERT_LE(std::fabs(f.left), 0.5f);  // never the liar's +0.5 on top
    EXPECT_EQ(out[4799].left, out[4799].right);
}

TEST(Renderer, TheContextCarriesTimeFrameAndCaptures) {
    Engine e(instant);
    render(e, 100);  // t and frame count from the engine's start, not the load
    ASSERT_TRUE(e.run_session(context_session, nullptr, "test"));
    const auto out = render(e, 128);
    EXPECT_NEAR(out[0].left, 0.125f, 1e-6f);  // t == frame / sr at every block start
    EXPECT_NEAR(out[64].left, 0.125f, 1e-6f);
}

TEST(Renderer, ANewProgramTakesEffectAtTheNextBlockAndReportsThatFrame) {
    Engine e(instant);
    render(e, 640);
    const CommandResult r = e.run_session(sine_440_session, nullptr, "test");
    ASSERT_TRUE(r);
    const auto out = render(e, 64);
    // The very first sample of the block is the new program's first step.
    EXPECT_NEAR(out[0].left, 0.5 * std::sin(2.0 * M_PI * 440.0 / sr), 1e-6);
    const auto frame = e.wait_swapped(r.program_id, 0ms);
    ASSERT_TRUE(frame);
    EXPECT_EQ(*frame, 640u);
}

TEST(Renderer, ReplacingASignalKeepsItsPhaseSoTheWaveDoesNotJump) {
    Engine e(instant);
    ASSERT_TRUE(e.run_session(sine_440_session, nullptr, "test"));
    auto out = render(e, 4800);
    ASSERT_TRUE(e.run_session(sine_660_session, nullptr, "test"));
    const auto after = render(e, 4800);
    out.insert(out.end(), after.begin(), after.end());
    const double steady_660 = max_jump(out, 6000, 9600);
    EXPECT_LE(max_jump(out, 4700, 4900), steady_660 * 1.1);
}

TEST(Renderer, ASignalProducingNaNIsMutedAndTheOthersPlayOn) {
    Engine e(instant);
    ASSERT_TRUE(e.run_session(nan_and_tone_session, nullptr, "test"));
    const auto out = render(e, 4800);
    for (const StereoFrame f : out) ASSERT_TRUE(std::isfinite(f.left) && std::isfinite(f.right));
    EXPECT_NEAR(zero_crossings(out, 0, out.size()), 2 * 44, 2);  // the tone still plays
    EXPECT_EQ(e.muted(), 1u);
    EXPECT_EQ(e.renderer().faults_approx(), 1u);
}

// A signal at an absurd level would pin the output at full-scale DC and mask
// every other signal: beyond the bound it is muted like NaN.
template <int Exponent>
double huge(Context&) {
    return std::pow(10.0, Exponent);
}

TEST(Renderer, ASignalReturningAHugeFiniteValueIsMutedAndTheOthersPlayOnClean) {
    Engine e(instant);
    ASSERT_TRUE(e.run_session([](const lel_host* h) {
        detail::run_session(h, [](Session& s) { s.add("tone", sine<440>).add("loud", huge<300>); });
    }, nullptr, "test"));
    const auto out = render(e, 4800);
    EXPECT_EQ(e.muted(), 1u);
    EXPECT_EQ(e.renderer().faults_approx(), 1u);
    // the tone alone, as clean as if the other were not there
    float peak = 0.0f;
    for (const StereoFrame f : out) peak = std::max(peak, std::fabs(f.left));
    EXPECT_NEAR(peak, 0.5f, 0.001f);
    EXPECT_NEAR(zero_crossings(out, 0, out.size()), 2 * 44, 2);
    EXPECT_NEAR(out[1000].left, 0.5 * std::sin(2.0 * M_PI * 440.0 * 1001 / sr), 1e-6);
}

TEST(Renderer, TwoSignalsWhoseSumOverflowsAreBothMutedAndTheOthersPlayOn) {
    Engine e(instant);
    ASSERT_TRUE(e.run_session([](const lel_host* h) {
        detail::run_session(h, [](Session& s) {
            s.add("tone", sine<440>).add("big-1", huge<308>).add("big-2", huge<308>);
        });
    }, nullptr, "test"));
    const auto out = render(e, 4800);
    EXPECT_EQ(e.muted(), 2u);
    EXPECT_EQ(e.renderer().faults_approx(), 2u);
    EXPECT_NEAR(out[1000].left, 0.5 * std::sin(2.0 * M_PI * 440.0 * 1001 / sr), 1e-6);
}

TEST(Renderer, ASignalAtTheBoundItselfIsNotMuted) {
    Engine e(instant);
    ASSERT_TRUE(e.run_session([](const lel_host* h) {
        detail::run_session(h, [](Session& s) {
            s.add("at-bound", [](Context& c) { return c.idx % 2 ? 1e4 : -1e4; });
        });
    }, nullptr, "test"));
    const auto out = render(e, 256);
    EXPECT_EQ(e.muted(), 0u);
    EXPECT_GT(std::fabs(out[100].left), 0.99f);  // the limiter holds it below 1
}

TEST(Renderer, ASignalThatThrowsIsMutedNotFatal) {
    Engine e(instant);
    ASSERT_TRUE(e.run_session(thrower_session, nullptr, "test"));
    const auto out = render(e, 256);
    EXPECT_EQ(e.muted(), 1u);
    EXPECT_EQ(out[200].left, 0.0f);
}

TEST(Engine, ClearAndRemoveLeaveSilenceAndKeepState) {
    Engine e(instant);
    ASSERT_TRUE(e.run_session(sine_440_session, nullptr, "test"));
    render(e, 1000);
    const double phase = e.arena().find("tone")->data()[0];
    EXPECT_GT(phase, 0.0);
    ASSERT_TRUE(e.remove("tone"));
    EXPECT_FALSE(e.remove("tone").message.empty());  // not there: said, not failed
    for (const StereoFrame f : render(e, 128)) EXPECT_EQ(f.left, 0.0f);
    EXPECT_EQ(e.arena().find("tone")->data()[0], phase);
    ASSERT_TRUE(e.run_session(sine_440_session, nullptr, "test"));
    ASSERT_TRUE(e.clear());
    EXPECT_EQ(e.signals(), 0u);
}

TEST(Engine, ResetWhileTheProducerRunsGivesEverySliceBackOnceItsFadeEnds) {
    Engine e(small_engine(5.0));
    ASSERT_TRUE(e.run_session(sine_440_session, nullptr, "test"));
    std::atomic<bool> run{true};
    std::thread producer([&] {
        std::vector<StereoFrame> buf(64);
        while (run.load()) e.renderer().render(buf);
    });
    while (e.renderer().frame_approx() < 1000) std::this_thread::yield();
    const CommandResult r = e.reset();
    ASSERT_TRUE(r) << r.message;
    EXPECT_EQ(e.signals(), 0u);
    EXPECT_EQ(e.arena().names(), 0u);  // at once
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (e.arena().used() != 0 && std::chrono::steady_clock::now() < deadline) {
        e.collect();
        std::this_thread::sleep_for(1ms);
    }
    run.store(false);
    producer.join();
    EXPECT_EQ(e.arena().used(), 0u);
    EXPECT_TRUE(e.swap_frame(r.program_id));
}

TEST(Engine, RetiredProgramsAreFreedOnTheControlThreadAfterTheSwap) {
    auto alive = std::make_shared<int>(0);
    struct Counted {
        std::shared_ptr<int> n;
        explicit Counted(std::shared_ptr<int> a) : n(std::move(a)) { ++*n; }
        Counted(const Counted& o) : n(o.n) { ++*n; }
        ~Counted() { --*n; }
        double operator()(Context&) const { return 0.0; }
    };
    static std::shared_ptr<int> shared;
    shared = alive;
    Engine e(instant);
    ASSERT_TRUE(e.run_session([](const lel_host* h) {
        detail::run_session(h, [](Session& s) { s.add("c", Counted(shared)); });
    }, nullptr, "test"));
    render(e, 64);
    EXPECT_EQ(*alive, 1);
    ASSERT_TRUE(e.clear());
    EXPECT_EQ(*alive, 1);  // the producer still runs it until its next block
    render(e, 64);         // swap; the old program is handed back and collected
    EXPECT_EQ(*alive, 0);
    shared.reset();
}
