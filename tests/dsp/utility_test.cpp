// The stateless utilities: the pan law measured in dB, mixing, decibels,
// MIDI pitch, and the soft clip's error against std::tanh.
#include <lel/dsp/utility.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>

namespace lel {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// ---------------------------------------------------------------- pan

TEST(Pan, the_centre_is_minus_3_db_on_each_side) {
    const Frame f = pan(1.0, 0.0);
    EXPECT_NEAR(to_db(f.left), -3.0103, 0.0001);
    EXPECT_NEAR(to_db(f.right), -3.0103, 0.0001);
}

TEST(Pan, the_ends_are_hard_left_and_hard_right) {
    EXPECT_NEAR(pan(0.8, -1.0).left, 0.8, 1e-12);
    EXPECT_NEAR(pan(0.8, -1.0).right, 0.0, 1e-12);
    EXPECT_NEAR(pan(0.8, 1.0).left, 0.0, 1e-12);
    EXPECT_NEAR(pan(0.8, 1.0).right, 0.8, 1e-12);
}

TEST(Pan, follows_the_sine_cosine_law_so_the_power_is_the_same_at_every_position) {
    double worst_law = 0.0, worst_power = 0.0, last_right = -1.0;
    for (int i = 0; i <= 2000; ++i) {
        const double pos = -1.0 + i / 1000.0;
        const Frame f = pan(1.0, pos);
        const double theta = (pos + 1.0) * std::numbers::pi / 4.0;
        worst_law = std::max({worst_law, std::abs(f.left - std::cos(theta)), std::abs(f.right - std::sin(theta))});
        worst_power = std::max(worst_power, std::abs(to_db(f.left * f.left + f.right * f.right)));
        ASSERT_GT(f.right, last_right);  // moves right monotonically
        last_right = f.right;
    }
    EXPECT_LT(worst_law, 1e-10);
    EXPECT_LT(worst_power, 1e-8);  // dB
}

TEST(Pan, clamps_its_position_and_centres_a_nan) {
    EXPECT_EQ(pan(1.0, 7.0).right, pan(1.0, 1.0).right);
    EXPECT_EQ(pan(1.0, -inf).left, pan(1.0, -1.0).left);
    EXPECT_EQ(pan(1.0, nan).left, pan(1.0, 0.0).left);
    EXPECT_EQ(pan(1.0, nan).right, pan(1.0, 0.0).right);
}

// ---------------------------------------------------------------- mix

TEST(Mix, sums_numbers_to_a_number_and_anything_with_a_frame_to_a_frame) {
    static_assert(std::is_same_v<decltype(mix(1.0, 2.0f, 3)), double>);
    static_assert(std::is_same_v<decltype(mix(1.0, Frame{})), Frame>);
    EXPECT_EQ(mix(), 0.0);
    EXPECT_EQ(mix(0.25), 0.25);
    EXPECT_EQ(mix(0.25, 0.5, -1), -0.25);
    const Frame f = mix(Frame{0.1, 0.2}, 0.5, Frame{1.0, -1.0});
    EXPECT_DOUBLE_EQ(f.left, 1.6);
    EXPECT_DOUBLE_EQ(f.right, -0.3);
    constexpr Frame c = mix(Frame{1, 2}, 1.0);  // usable in constant expressions
    static_assert(c.left == 2.0 && c.right == 3.0);
}

TEST(Frame, subtracts_negates_and_accumulates_channel_by_channel) {
    Frame a{1.0, 2.0};
    a += Frame{0.5, 0.5};
    a -= Frame{1.0, 0.0};
    a *= 2.0;
    EXPECT_EQ(a.left, 1.0);
    EXPECT_EQ(a.right, 5.0);
    const Frame n = -(a - Frame{1.0, 1.0});
    EXPECT_EQ(n.left, 0.0);
    EXPECT_EQ(n.right, -4.0);
}

// ---------------------------------------------------------------- decibels

TEST(Decibels, convert_both_ways) {
    EXPECT_DOUBLE_EQ(db(0.0), 1.0);
    EXPECT_NEAR(db(-6.0206), 0.5, 1e-5);
    EXPECT_NEAR(db(20.0), 10.0, 1e-12);
    EXPECT_NEAR(db(-60.0), 0.001, 1e-15);
    EXPECT_EQ(db(-inf), 0.0);
    EXPECT_NEAR(to_db(0.5), -6.0206, 1e-4);
    EXPECT_NEAR(to_db(-10.0), 20.0, 1e-12);  // of the magnitude
    EXPECT_EQ(to_db(0.0), -inf);
    for (double d = -120.0; d <= 24.0; d += 0.37) ASSERT_NEAR(to_db(db(d)), d, 1e-10);
}

TEST(Gain, scales_numbers_and_frames_by_decibels) {
    EXPECT_NEAR(gain(0.8, -6.0206), 0.4, 1e-5);
    const Frame f = gain(Frame{1.0, -0.5}, 6.0206);
    EXPECT_NEAR(f.left, 2.0, 1e-4);
    EXPECT_NEAR(f.right, -1.0, 1e-4);
    EXPECT_EQ(gain(1.0, -inf), 0.0);
}

// ---------------------------------------------------------------- pitch

TEST(Mtof, puts_a4_at_440_hz_in_equal_temperament) {
    EXPECT_DOUBLE_EQ(mtof(69.0), 440.0);
    EXPECT_NEAR(mtof(81.0), 880.0, 1e-9);
    EXPECT_NEAR(mtof(57.0), 220.0, 1e-9);
    EXPECT_NEAR(mtof(60.0), 261.6255653, 1e-6);  // middle C
    EXPECT_NEAR(mtof(0.0), 8.1757989, 1e-6);
    EXPECT_NEAR(mtof(69.5) / 440.0, std::pow(2.0, 1.0 / 24.0), 1e-12);  // a quarter tone
}

// ---------------------------------------------------------------- tanh

TEST(Tanh, is_within_1e_minus_4_of_std_tanh_everywhere) {
    double worst = 0.0, worst_small = 0.0, at = 0.0;
    for (int i = -200000; i <= 200000; ++i) {
        const double x = i * 1e-4;  // [-20, 20]
        const double e = std::abs(lel::tanh(x) - std::tanh(x));
        if (e > worst) {
            worst = e;
            at = x;
        }
        if (std::abs(x) < 2.5) worst_small = std::max(worst_small, e);
    }
    EXPECT_LT(worst, 1e-4) << "at " << at;
    EXPECT_LT(worst_small, 1e-6);
    std::printf("tanh: max error %.3g at x = %.3f; %.3g for |x| < 2.5\n", worst, at, worst_small);
}

TEST(Tanh, is_odd_monotonic_and_bounded_for_any_input) {
    double last = -2.0;
    for (int i = -100000; i <= 100000; ++i) {
        const double x = i * 1e-4;
        const double y = lel::tanh(x);
        ASSERT_GE(y, last);
        ASSERT_EQ(y, -lel::tanh(-x));
        last = y;
    }
    for (const double x : {inf, 1e308, 5.0, 1e6}) EXPECT_EQ(lel::tanh(x), 1.0) << x;
    for (const double x : {-inf, -1e308, -5.0}) EXPECT_EQ(lel::tanh(x), -1.0) << x;
    EXPECT_EQ(lel::tanh(nan), 0.0);
    EXPECT_EQ(lel::tanh(-nan), 0.0);
    EXPECT_EQ(lel::tanh(0.0), 0.0);
    const Frame f = lel::tanh(Frame{inf, nan});
    EXPECT_EQ(f.left, 1.0);
    EXPECT_EQ(f.right, 0.0);
}

}  // namespace
}  // namespace lel
