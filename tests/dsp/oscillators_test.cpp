// The oscillators (include/lel/dsp/oscillators.hpp) as a musician hears
// them: alias levels against the naive waveforms (issue 9's figures), the
// harmonics' levels, pitch, and what any typed frequency does.
#include "offline.hpp"
#include "spectrum.hpp"

#include <lel/dsp/oscillators.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

namespace lel {
namespace {

constexpr double sr = 48000.0;

double db(double a) { return 20.0 * std::log10(a); }

double amplitude_at(const std::vector<double>& x, double hz) { return test::amplitude_at(x, hz, sr); }

/// One second of a periodic signal after it settled: integer-Hz components
/// complete whole cycles, so amplitude_at is exact.
template <class F>
std::vector<double> settled_second(F fn) {
    test::Offline sig(fn);
    sig.mono(4800);
    return sig.mono(48000);
}

struct Aliases {
    double fundamental;    ///< amplitude
    double worst;          ///< the strongest alias below `below` Hz
    double worst_hz;
};

/// The fundamental and the strongest alias under `below` Hz of a periodic
/// waveform at integer `hz`: harmonics past Nyquist fold back to
/// |k hz - m sr|; those are the aliases (none lands on a harmonic when hz
/// and sr are coprime).
Aliases aliases(const std::vector<double>& x, int hz, double below) {
    Aliases a{amplitude_at(x, hz), 0.0, 0.0};
    for (long k = 1; k <= 200; ++k) {
        const long f = k * hz;
        if (f < 24000) continue;  // a harmonic, not an alias
        long folded = f % 48000;
        if (folded > 24000) folded = 48000 - folded;
        if (folded >= below) continue;
        const double level = amplitude_at(x, static_cast<double>(folded));
        if (level > a.worst) {
            a.worst = level;
            a.worst_hz = static_cast<double>(folded);
        }
    }
    return a;
}

/// A naive waveform of integer `hz` from its exact phase.
template <class Shape>
std::vector<double> naive(int hz, Shape shape) {
    std::vector<double> x(48000);
    for (long n = 0; n < 48000; ++n) x[n] = shape(static_cast<double>((n * hz) % 48000) / 48000.0);
    return x;
}

void expect_band_limited(const char* name, const std::vector<double>& x, const std::vector<double>& raw, int hz) {
    const Aliases bl = aliases(x, hz, 12000.0), nv = aliases(raw, hz, 12000.0);
    const double under_fundamental = db(bl.fundamental) - db(bl.worst);
    const double under_naive = db(nv.worst) - db(bl.worst);
    std::printf("%s %d Hz: strongest alias below 12 kHz at %.0f Hz, %.1f dB under the fundamental, "
                "%.1f dB under the naive one's strongest (%.1f dB under its fundamental, at %.0f Hz)\n",
                name, hz, bl.worst_hz, under_fundamental, under_naive, db(nv.fundamental) - db(nv.worst), nv.worst_hz);
    EXPECT_GE(under_fundamental, 45.0) << name;
    EXPECT_GE(under_naive, 20.0) << name;
}

TEST(Saw, every_alias_below_12_kHz_of_a_2489_Hz_saw_is_45_dB_under_the_fundamental_and_20_dB_under_the_naive_saws) {
    const auto x = settled_second([](Context& s) { return saw(s, 2489.0); });
    expect_band_limited("saw", x, naive(2489, [](double p) { return 2.0 * p - 1.0; }), 2489);
}

TEST(Square, every_alias_below_12_kHz_of_a_2489_Hz_square_is_45_dB_under_the_fundamental_and_20_dB_under_the_naive_squares) {
    const auto x = settled_second([](Context& s) { return square(s, 2489.0); });
    expect_band_limited("square", x, naive(2489, [](double p) { return p < 0.5 ? 1.0 : -1.0; }), 2489);
}

TEST(Square, a_narrow_pulse_is_band_limited_too) {
    const auto x = settled_second([](Context& s) { return square(s, 2489.0, 0.1); });
    expect_band_limited("pulse 0.1", x, naive(2489, [](double p) { return p < 0.1 ? 1.0 : -1.0; }), 2489);
}

TEST(Tri, every_alias_below_12_kHz_of_a_2489_Hz_triangle_is_45_dB_under_the_fundamental) {
    const auto x = settled_second([](Context& s) { return tri(s, 2489.0); });
    const auto raw = naive(2489, [](double p) { return p < 0.25 ? 4.0 * p : (p < 0.75 ? 2.0 - 4.0 * p : 4.0 * p - 4.0); });
    const Aliases bl = aliases(x, 2489, 12000.0), nv = aliases(raw, 2489, 12000.0);
    std::printf("tri 2489 Hz: strongest alias below 12 kHz %.1f dB under the fundamental (naive: %.1f dB)\n",
                db(bl.fundamental) - db(bl.worst), db(nv.fundamental) - db(nv.worst));
    EXPECT_GE(db(bl.fundamental) - db(bl.worst), 45.0);
    EXPECT_GE(db(nv.worst) - db(bl.worst), 20.0);
}

TEST(Saw, its_harmonics_fall_as_one_over_k_with_the_documented_top_octave_softening) {
    // A saw's k-th harmonic is 2/(pi k); the B-spline smoothing takes
    // sinc^4(f / sr) off it (-2.6 dB at 10 kHz, 48 kHz). 1009 Hz: no
    // alias lands on a harmonic.
    const auto x = settled_second([](Context& s) { return saw(s, 1009.0); });
    for (int k : {1, 2, 3, 5, 10, 15, 20}) {
        const double f = 1009.0 * k;
        const double sinc = std::sin(test::two_pi / 2 * f / sr) / (test::two_pi / 2 * f / sr);
        const double expected = 2.0 / (test::two_pi / 2 * k) * std::pow(sinc, 4);
        const double got = amplitude_at(x, f);
        std::printf("saw 1009 Hz harmonic %2d: %+.2f dB re 2/(pi k), expected %+.2f dB\n", k,
                    db(got) - db(2.0 / (test::two_pi / 2 * k)), db(expected) - db(2.0 / (test::two_pi / 2 * k)));
        EXPECT_NEAR(db(got), db(expected), 0.1) << k;
    }
}

TEST(Square, a_square_has_odd_harmonics_of_4_over_pi_k_and_no_dc) {
    const auto x = settled_second([](Context& s) { return square(s, 100.0); });
    EXPECT_NEAR(db(amplitude_at(x, 100.0)), db(4.0 / (test::two_pi / 2)), 0.05);
    EXPECT_NEAR(db(amplitude_at(x, 300.0)), db(4.0 / (test::two_pi / 2) / 3), 0.05);
    EXPECT_LT(amplitude_at(x, 200.0), 1e-4);
    double mean = 0.0;
    for (double v : x) mean += v;
    EXPECT_NEAR(mean / x.size(), 0.0, 1e-6);
}

TEST(Tri, a_triangle_peaks_at_1_and_has_odd_harmonics_of_8_over_pi2_k2) {
    const auto x = settled_second([](Context& s) { return tri(s, 100.0); });
    const double pi = test::two_pi / 2;
    EXPECT_NEAR(db(amplitude_at(x, 100.0)), db(8.0 / (pi * pi)), 0.05);
    EXPECT_NEAR(db(amplitude_at(x, 300.0)), db(8.0 / (pi * pi * 9)), 0.05);
    // The corner is rounded by 0.23 of the slope change per sample (8 hz/sr):
    // 0.004 at 100 Hz.
    EXPECT_NEAR(*std::max_element(x.begin(), x.end()), 1.0 - 0.2333 * 8 * 100 / sr, 1e-4);
    EXPECT_NEAR(*std::min_element(x.begin(), x.end()), -1.0 + 0.2333 * 8 * 100 / sr, 1e-4);
}

TEST(Oscillators, play_their_pitch_exactly) {
    // The fundamental's bin and no neighbour: 440 Hz and 441 Hz differ.
    for (int which = 0; which < 5; ++which) {
        const auto x = settled_second([which](Context& s) {
            switch (which) {
                case 0: return phasor(s, 440.0) - 0.5;
                case 1: return sine(s, 440.0);
                case 2: return saw(s, 440.0);
                case 3: return square(s, 440.0);
                default: return tri(s, 440.0);
            }
        });
        const double at = amplitude_at(x, 440.0);
        EXPECT_GT(at, 0.3) << which;
        EXPECT_LT(amplitude_at(x, 441.0), 1e-4 * at) << which;  // -80 dB: the table sine's error
    }
}

TEST(Phasor, ramps_from_0_below_1_and_runs_backwards_for_a_negative_hz) {
    test::Offline up([](Context& s) { return phasor(s, 1000.0); });
    const auto x = up.mono(96);
    EXPECT_EQ(x[0], 0.0);
    EXPECT_NEAR(x[1], 1000.0 / sr, 1e-15);
    EXPECT_LT(std::min(x[48], 1.0 - x[48]), 1e-12);  // a whole period later (the step is exact to 2^-53 turn)
    for (double v : x) EXPECT_TRUE(v >= 0.0 && v < 1.0);
    test::Offline down([](Context& s) { return phasor(s, -1000.0); });
    const auto y = down.mono(3);
    EXPECT_NEAR(y[1], 1.0 - 1000.0 / sr, 1e-12);
    EXPECT_LT(y[2], y[1]);
}

TEST(Sine, starts_at_zero_and_is_the_table_sine_with_its_own_block) {
    test::Offline sig([](Context& s) { return sine(s, 440.0) + sine(s, 880.0); });
    const auto x = sig.mono(480);
    EXPECT_EQ(x[0], 0.0);
    for (std::size_t n = 0; n < x.size(); ++n) {
        const double t = static_cast<double>(n) / sr;
        ASSERT_NEAR(x[n], std::sin(test::two_pi * 440.0 * t) + std::sin(test::two_pi * 880.0 * t), 1e-5) << n;
    }
}

TEST(Oscillators, each_call_takes_one_block_of_its_documented_size) {
    test::Offline sig([](Context& s) { return phasor(s, 1.0) + sine(s, 1.0) + saw(s, 1.0) + square(s, 1.0) + tri(s, 1.0); });
    sig.mono(1);
    const auto& l = sig.layout();
    ASSERT_EQ(l.size(), 5u);
    const uint32_t sizes[] = {1, 1, 4, 5, 4};
    const uint32_t kinds[] = {kind_id("lel.phasor"), kind_id("lel.sine"), kind_id("lel.saw"), kind_id("lel.square"), kind_id("lel.tri")};
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(l[i].size, sizes[i]) << i;
        EXPECT_EQ(l[i].kind, kinds[i]) << i;
    }
    EXPECT_FALSE(sig.mismatched());
}

/// A reload: the new code's signal gets the old one's helper blocks (the
/// same layout), as leld hands them over.
template <class A, class B>
void reload(test::Offline<A>& from, test::Offline<B>& to) {
    ASSERT_EQ(from.layout().size(), to.layout().size());
    const auto& a = from.context().helpers;
    auto& b = to.context().helpers;
    ASSERT_EQ(a.size, b.size);
    std::memcpy(b.area, a.area, sizeof(double) * a.size);
}

TEST(Oscillators, a_reload_that_changes_hz_carries_on_from_the_same_phase_without_a_click) {
    for (int which = 0; which < 5; ++which) {
        const auto osc = [which](Context& s, double hz) {
            switch (which) {
                case 0: return phasor(s, hz);
                case 1: return sine(s, hz);
                case 2: return saw(s, hz);
                case 3: return square(s, hz);
                default: return tri(s, hz);
            }
        };
        test::Offline before([&](Context& s) { return osc(s, 100.0); });
        test::Offline after([&](Context& s) { return osc(s, 150.0); });
        test::Offline reference([&](Context& s) { return osc(s, s.frame < 1000 ? 100.0 : 150.0); });
        before.mono(1000);
        const auto expected = reference.mono(1200);
        reload(before, after);  // oscillators never read s.frame: the area is all that counts
        const auto got = after.mono(200);
        for (int n = 0; n < 200; ++n) ASSERT_NEAR(got[n], expected[1000 + n], 1e-9) << "oscillator " << which << ", sample " << n;
    }
}

TEST(Oscillators, stay_finite_and_within_1_whatever_hz_and_width_a_live_coder_types) {
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    const double values[] = {0.0, 1e-300, 24000.0, -24000.0, 23999.0, 30000.0, -440.0, 1e9, -1e9, 1e300, nan, inf, -inf};
    double worst = 0.0;
    for (int which = 0; which < 5; ++which) {
        for (const double hz : values) {
            for (const double width : {0.5, 0.0, 1.0, -3.0, 7.0, nan, 0.001}) {
                test::Offline sig([=](Context& s) {
                    switch (which) {
                        case 0: return phasor(s, hz);
                        case 1: return sine(s, hz);
                        case 2: return saw(s, hz);
                        case 3: return square(s, hz, width);
                        default: return tri(s, hz);
                    }
                });
                for (double y : sig.mono(2000)) {
                    ASSERT_TRUE(std::isfinite(y)) << which << " " << hz << " " << width;
                    worst = std::max(worst, std::fabs(y));
                }
            }
        }
    }
    EXPECT_LE(worst, 1.0 + 1e-9);
}

TEST(Oscillators, stay_within_1_under_audio_rate_frequency_and_width_modulation) {
    // FM through zero and up to Nyquist, and a pulse width swept at audio rate.
    double worst = 0.0;
    for (int which = 0; which < 3; ++which) {
        test::Offline sig([which](Context& s) {
            const double hz = 12000.0 * sine(s, 997.0) + 3000.0 * sine(s, 31.0);
            const double width = 0.5 + 0.49 * sine(s, 1234.0);
            return which == 0 ? saw(s, hz) : which == 1 ? square(s, hz, width) : tri(s, hz);
        });
        for (double y : sig.mono(96000)) {
            ASSERT_TRUE(std::isfinite(y));
            worst = std::max(worst, std::fabs(y));
        }
    }
    std::printf("peak under audio-rate FM/PWM: %.4f\n", worst);
    EXPECT_LE(worst, 1.0 + 1e-9);
}

}  // namespace
}  // namespace lel
