// lel::sine, the fast oscillator (include/lel/dsp/sine_table.hpp), and the block loop
// every module compiles (include/lel/detail/block.hpp).
#include <lel/lel.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace {

constexpr double two_pi = 6.283185307179586476925;
constexpr double turn = 4294967296.0;  // 2^32: one turn of the fixed-point phase

double exact(uint32_t phase) { return std::sin(two_pi * (phase / turn)); }

/// A context over `state`, at 48 kHz.
struct Fixture {
    std::vector<double> state = std::vector<double>(4, 0.0);
    lel::Context s;
    Fixture() {
        s.sr = 48000.0;
        s.dt = 1.0 / s.sr;
        s.state = state;
    }
};

TEST(SineTable, HoldsTheSineAtEveryPoint) {
    constexpr uint32_t size = lel::detail::SineTable::size;
    for (uint32_t i = 0; i < size; ++i) {
        EXPECT_NEAR(lel::detail::sine_table.points[i].value, std::sin(two_pi * i / size), 1e-15) << i;
    }
}

TEST(SineOfPhase, IsWithinTheDocumentedErrorEverywhere) {
    // Every table interval at its start, its middle (where linear
    // interpolation is worst) and at pseudo-random points in between.
    double worst = 0.0;
    uint32_t x = 12345;
    for (uint64_t i = 0; i < (1u << 20); ++i) {
        const auto start = static_cast<uint32_t>(i << 12);
        x = x * 1664525u + 1013904223u;  // an LCG: any phase, every bit exercised
        for (const uint32_t phase : {start, start + (1u << 20), x}) {
            worst = std::max(worst, std::fabs(lel::sine_of_phase(phase) - exact(phase)));
        }
    }
    EXPECT_LE(worst, 1.2e-6);  // the figure sine_table.hpp documents (-118 dB)
    EXPECT_GT(worst, 1e-7);    // and linear interpolation of 2048 points is not better than that
}

TEST(Sine, StartsAtZeroAndAdvancesByTheFrequencyExactly) {
    Fixture f;
    const uint32_t step = lel::detail::phase_increment(440.0, f.s.dt);
    EXPECT_EQ(step, static_cast<uint32_t>(440.0 / 48000.0 * turn));
    EXPECT_EQ(lel::sine(f.s, 440.0, 0), 0.0);
    uint32_t expected = step;
    for (int i = 1; i < 48000; ++i) {
        const double y = lel::sine(f.s, 440.0, 0);
        ASSERT_NEAR(y, exact(expected), 1.2e-6) << i;
        expected += step;
    }
    EXPECT_EQ(lel::detail::phase_bits(f.state[0]), expected);  // no drift: integer arithmetic
}

TEST(Sine, PlaysItsFrequency) {
    Fixture f;
    int rising = 0;
    double previous = lel::sine(f.s, 440.0, 0);
    for (int i = 1; i < 48000; ++i) {  // one second
        const double y = lel::sine(f.s, 440.0, 0);
        rising += previous < 0.0 && y >= 0.0;
        previous = y;
    }
    EXPECT_NEAR(rising, 440, 1);
}

TEST(Sine, KeepsOnePhasePerSlotAndANegativeFrequencyRunsBackwards) {
    Fixture f;
    for (int i = 0; i < 100; ++i) {
        const double a = lel::sine(f.s, 1000.0, 0);
        const double b = lel::sine(f.s, -1000.0, 1);
        ASSERT_NEAR(a, -b, 1e-12) << i;
    }
    EXPECT_EQ(f.state[2], 0.0);
}

TEST(Sine, PhaseCanBeReadAndSet) {
    Fixture f;
    lel::set_sine_phase(f.s, 0.25);
    EXPECT_DOUBLE_EQ(lel::sine_phase(f.s), 0.25);
    EXPECT_NEAR(lel::sine(f.s, 0.0, 0), 1.0, 1e-12);
    lel::set_sine_phase(f.s, -0.25, 1);  // only the fractional part: 0.75
    EXPECT_DOUBLE_EQ(lel::sine_phase(f.s, 1), 0.75);
    EXPECT_NEAR(lel::sine(f.s, 0.0, 1), -1.0, 1e-12);
}

TEST(Sine, StaysFiniteForAnyFrequency) {
    Fixture f;
    for (const double freq : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                              -std::numeric_limits<double>::infinity(), 1e300, -1e300, 24000.0, 96000.0}) {
        for (int i = 0; i < 10; ++i) {
            const double y = lel::sine(f.s, freq, 0);
            ASSERT_TRUE(std::isfinite(y)) << freq;
            ASSERT_LE(std::fabs(y), 1.0 + 1e-6) << freq;
        }
    }
}

// --------------------------------------------------------- the block loop

/// Renders `blocks` blocks of `frames` through detail::render_block, the
/// function a module exports for F; returns the mono bus.
template <class F>
std::vector<double> render(F& fn, std::vector<double>& state, uint32_t frames, int blocks,
                           int32_t* status = nullptr) {
    std::vector<double> mono(frames * blocks), left(frames), right(frames);
    for (int b = 0; b < blocks; ++b) {
        lel_block block{static_cast<uint64_t>(b) * frames, frames, static_cast<uint32_t>(state.size()), 48000.0,
                        1.0 / 48000.0, "x", mono.data() + b * frames, left.data(), right.data(), nullptr,
                        nullptr, 0, 0, 0.0, 0.0, nullptr, nullptr, nullptr, 0, 0};
        const int32_t r = lel::detail::render_block<F>(&fn, &block, state.data());
        if (status) *status = r;
    }
    return mono;
}

TEST(BlockLoop, CarriesStateAcrossBlocksLikeOneLoop) {
    auto fn = [](lel::Context& s) { return lel::sine(s, 440.0, 0); };
    std::vector<double> state(4, 0.0);
    const std::vector<double> blocks = render(fn, state, 64, 10);
    Fixture f;
    for (std::size_t i = 0; i < blocks.size(); ++i) ASSERT_EQ(blocks[i], lel::sine(f.s, 440.0, 0)) << i;
}

TEST(BlockLoop, AMutableCallableKeepsWhatItChangedAcrossBlocks) {
    // Trivially copyable, so it runs from a copy on the stack: the copy
    // must come back.
    auto fn = [count = 0.0](lel::Context&) mutable { return count += 1.0; };
    static_assert(lel::detail::copy_to_stack<decltype(fn)>);
    std::vector<double> state(1, 0.0);
    const std::vector<double> out = render(fn, state, 64, 3);
    EXPECT_EQ(out.back(), 192.0);
    EXPECT_EQ(render(fn, state, 64, 1).back(), 256.0);
}

TEST(BlockLoop, MixesNonFiniteSamplesAsZeroAndSaysSo) {
    auto fn = [](lel::Context& s) { return s.idx == 10 ? std::numeric_limits<double>::quiet_NaN() : 0.5; };
    std::vector<double> state(1, 0.0);
    int32_t status = -1;
    const std::vector<double> out = render(fn, state, 64, 1, &status);
    EXPECT_EQ(status, LEL_RENDER_NOT_FINITE);
    EXPECT_EQ(out[10], 0.0);
    EXPECT_EQ(out[11], 0.5);
}

TEST(BlockLoop, MixesNothingWhenTheCallableThrows) {
    auto fn = [](lel::Context& s) -> double {
        if (s.idx == 20) throw std::runtime_error("no");
        return 0.5;
    };
    std::vector<double> state(1, 0.0);
    int32_t status = -1;
    const std::vector<double> out = render(fn, state, 64, 1, &status);
    EXPECT_EQ(status, LEL_RENDER_THREW);
    for (const double v : out) ASSERT_EQ(v, 0.0);
}

}  // namespace
