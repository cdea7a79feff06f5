// The measurements the integration tests rely on, checked on synthetic
// signals whose answers are known.
#include "analysis.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <span>
#include <vector>

namespace lel::test {
namespace {

constexpr double sr = 48000.0;

std::vector<float> sine(double hz, double amplitude, std::size_t n, double phase = 0.0) {
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = static_cast<float>(amplitude * std::sin(2.0 * M_PI * hz * static_cast<double>(i) / sr + phase));
    }
    return x;
}

TEST(Analysis, zero_crossings_and_the_dft_peak_find_a_sines_frequency) {
    const auto x = sine(440.0, 0.5, 48000, 0.3);
    EXPECT_NEAR(zero_crossing_frequency(x, sr), 440.0, 0.01);
    EXPECT_NEAR(dft_peak_frequency(x, sr, 400.0, 480.0), 440.0, 0.05);
    EXPECT_NEAR(dft_peak_frequency(sine(661.3, 0.5, 24000), sr, 600.0, 700.0), 661.3, 0.05);
}

TEST(Analysis, tone_amplitude_separates_the_tones_of_a_mix) {
    auto x = sine(220.0, 0.3, 48000);
    const auto high = sine(880.0, 0.2, 48000, 1.0);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] += high[i];
    EXPECT_NEAR(tone_amplitude(x, sr, 220.0), 0.3, 1e-3);
    EXPECT_NEAR(tone_amplitude(x, sr, 880.0), 0.2, 1e-3);
    EXPECT_LT(tone_amplitude(x, sr, 550.0), 1e-3);
}

TEST(Analysis, level_helpers_measure_peak_rms_and_steps) {
    const auto x = sine(440.0, 0.5, 48000);
    EXPECT_NEAR(peak(x), 0.5, 1e-3);
    EXPECT_NEAR(rms(x), 0.5 / std::sqrt(2.0), 1e-3);
    EXPECT_NEAR(max_jump(x), 2.0 * 0.5 * std::sin(M_PI * 440.0 / sr), 1e-4);
}

TEST(Analysis, zero_runs_and_nonzero_bounds_are_exact) {
    std::vector<float> x(100, 0.0f);
    x[10] = 1.0f;
    x[50] = -1.0f;
    EXPECT_EQ(longest_zero_run(x), 49u);
    EXPECT_EQ(first_nonzero(x), 10u);
    EXPECT_EQ(last_nonzero(x), 50u);
    EXPECT_FALSE(first_nonzero(std::vector<float>(8, 0.0f)));
}

TEST(Analysis, a_pure_sine_never_breaks_its_recurrence) {
    EXPECT_FALSE(sine_break(sine(440.0, 0.5, 96000, 2.0), sr, 440.0));
    // Silence, then a sine from phase 0: from the last zero on, it is one
    // sine (that zero is its sin(0)); leld's tests check from there.
    auto x = sine(440.0, 0.5, 1000);
    x.insert(x.begin(), 50, 0.0f);
    const auto first = first_nonzero(x);
    ASSERT_EQ(first, 51u);
    EXPECT_FALSE(sine_break(std::span<const float>(x).subspan(*first - 1), sr, 440.0));
    EXPECT_EQ(sine_break(x, sr, 440.0), 50u) << "the silence before is not part of it";
}

TEST(Analysis, a_phase_jump_a_gap_or_a_new_frequency_breaks_the_recurrence) {
    auto jump = sine(440.0, 0.5, 2000);
    const auto later = sine(440.0, 0.5, 2000, 1.0);
    std::copy(later.begin() + 1000, later.end(), jump.begin() + 1000);
    EXPECT_NEAR(static_cast<double>(sine_break(jump, sr, 440.0).value_or(0)), 999.0, 1.0);

    auto gap = sine(440.0, 0.5, 2000, 0.5);
    std::fill(gap.begin() + 700, gap.begin() + 764, 0.0f);
    EXPECT_TRUE(sine_break(gap, sr, 440.0));

    // The recurrence tells 0.5-amplitude sines apart from ~2 Hz on.
    EXPECT_TRUE(sine_break(sine(443.0, 0.5, 2000, 0.5), sr, 440.0));
    EXPECT_TRUE(sine_break(sine(660.0, 0.5, 2000, 0.5), sr, 440.0));
}

}  // namespace
}  // namespace lel::test
