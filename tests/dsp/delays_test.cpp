// Delays and reverb (include/lel/dsp/delays.hpp), measured as a musician
// hears them: echoes to the sample, the treble a fractional delay keeps, a
// comb's resonance, an allpass's flat response, a reverb's decay time, its
// stereo width and its level. Figures quoted in docs/stdlib/delays.md.
#include "offline.hpp"

#include <lel/dsp/delays.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <vector>

namespace lel {
namespace {

constexpr double sr = 48000.0;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

double impulse(const Context& s) { return s.frame == 0 ? 1.0 : 0.0; }

/// Uniform white noise in [-1, 1] (a 64-bit LCG), the same for every run.
struct White {
    uint64_t state = 0x9E3779B97F4A7C15ull;
    double operator()() {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<double>(state >> 11) * (2.0 / 9007199254740992.0) - 1.0;
    }
};

bool all_finite(const std::vector<double>& x) {
    return std::all_of(x.begin(), x.end(), [](double v) { return std::isfinite(v); });
}

double peak(const std::vector<double>& x) {
    double p = 0.0;
    for (double v : x) p = std::max(p, std::fabs(v));
    return p;
}

double rms(const std::vector<double>& x, std::size_t from = 0) {
    double e = 0.0;
    for (std::size_t i = from; i < x.size(); ++i) e += x[i] * x[i];
    return std::sqrt(e / static_cast<double>(x.size() - from));
}

double db(double ratio) { return 20.0 * std::log10(ratio); }

/// Amplitude of the `hz` component of x[from..] (a single-bin DFT over a
/// whole number of periods).
double amplitude(const std::vector<double>& x, double hz, std::size_t from) {
    const std::size_t periods = static_cast<std::size_t>((x.size() - from) * hz / sr);
    const std::size_t n = static_cast<std::size_t>(std::llround(periods * sr / hz));
    double re = 0.0, im = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double w = 2.0 * std::numbers::pi * hz * static_cast<double>(i) / sr;
        re += x[from + i] * std::cos(w);
        im += x[from + i] * std::sin(w);
    }
    return 2.0 * std::hypot(re, im) / static_cast<double>(n);
}

/// RT60 from Schroeder's energy decay curve of an impulse response (both
/// channels' energy): the time from -5 to -35 dB, doubled (T30).
double rt60(const std::vector<double>& l, const std::vector<double>& r, double rate = sr) {
    std::vector<double> edc(l.size() + 1, 0.0);
    for (std::size_t i = l.size(); i-- > 0;) edc[i] = edc[i + 1] + l[i] * l[i] + r[i] * r[i];
    double t5 = -1.0, t35 = -1.0;
    for (std::size_t i = 0; i < l.size(); ++i) {
        const double level = 10.0 * std::log10(edc[i] / edc[0]);
        if (t5 < 0.0 && level <= -5.0) t5 = static_cast<double>(i) / rate;
        if (t35 < 0.0 && level <= -35.0) t35 = static_cast<double>(i) / rate;
    }
    return t35 > 0.0 ? 2.0 * (t35 - t5) : inf;
}

double correlation(const std::vector<double>& a, const std::vector<double>& b, std::size_t from, std::size_t to) {
    double ab = 0.0, aa = 0.0, bb = 0.0;
    for (std::size_t i = from; i < to; ++i) {
        ab += a[i] * b[i];
        aa += a[i] * a[i];
        bb += b[i] * b[i];
    }
    return ab / std::sqrt(aa * bb);
}

// ---------------------------------------------------------------------------
// delay

TEST(Delay, an_impulse_comes_out_delayed_to_the_sample) {
    for (const uint32_t n : {0u, 1u, 2u, 3u, 100u, 4800u, 95999u, 96000u}) {
        test::Offline sig([n](Context& s) { return delay(s, impulse(s), n / s.sr); });
        const auto y = sig.mono(n + 10);
        for (uint32_t i = 0; i < y.size(); ++i) ASSERT_EQ(y[i], i == n ? 1.0 : 0.0) << "delay " << n << ", sample " << i;
    }
    // A time in seconds that is a whole number of samples at 48 kHz.
    test::Offline sig([](Context& s) { return delay(s, impulse(s), 0.1); });
    EXPECT_EQ(sig.mono(4801)[4800], 1.0);
}

TEST(Delay, a_fractional_delay_puts_the_impulse_centroid_on_the_delay_time) {
    for (const double d : {0.25, 0.5, 0.9, 1.5, 10.25, 10.5, 100.3, 2399.9}) {
        test::Offline sig([d](Context& s) { return delay(s, impulse(s), d / s.sr); });
        const auto y = sig.mono(static_cast<std::size_t>(d) + 10);
        double sum = 0.0, moment = 0.0;
        for (std::size_t i = 0; i < y.size(); ++i) {
            sum += y[i];
            moment += static_cast<double>(i) * y[i];
        }
        EXPECT_NEAR(sum, 1.0, 1e-12) << d;
        EXPECT_NEAR(moment / sum, d, 0.01) << d;
    }
}

TEST(Delay, a_half_sample_delay_keeps_the_treble) {
    // Lagrange-3 at half a sample, the worst fraction: -0.03 dB at 5 kHz,
    // -0.53 dB at 10 kHz (linear interpolation: -0.12 and -2.0 dB).
    const double expected_db[] = {0.0, -0.03, -0.53};
    const double hz[] = {1000.0, 5000.0, 10000.0};
    for (int k = 0; k < 3; ++k) {
        const double f = hz[k];
        test::Offline sig([f](Context& s) { return delay(s, std::sin(2.0 * std::numbers::pi * f * s.t), 10.5 / s.sr); });
        const auto y = sig.mono(48000);
        const double gain = db(amplitude(y, f, 1000));
        std::printf("half-sample delay at %5.0f Hz: %+.3f dB\n", f, gain);
        EXPECT_NEAR(gain, expected_db[k], 0.02) << f;
    }
}

TEST(Delay, a_chorus_lfo_on_the_time_gives_smooth_bounded_output) {
    // 15 ms +- 5 ms at 0.8 Hz: +-2.5 % of pitch, a thick chorus.
    test::Offline sig([](Context& s) {
        const double x = std::sin(2.0 * std::numbers::pi * 440.0 * s.t);
        return delay(s, x, 0.015 + 0.005 * std::sin(2.0 * std::numbers::pi * 0.8 * s.t), 0.05);
    });
    const auto y = sig.mono(5 * 48000);
    ASSERT_TRUE(all_finite(y));
    EXPECT_LE(peak(y), 1.0 + 1e-3);
    // No zipper or click: the steepest step is the 440 Hz sine's at +2.5 %
    // (after its onset, a kink at 15 ms).
    double step = 0.0;
    for (std::size_t i = 4800; i < y.size(); ++i) step = std::max(step, std::fabs(y[i] - y[i - 1]));
    EXPECT_LE(step, 1.026 * 2.0 * std::numbers::pi * 440.0 / sr);
    // And an audio-rate wobble of the whole range is still bounded.
    test::Offline wild([](Context& s) {
        return delay(s, std::sin(2.0 * std::numbers::pi * 3000.0 * s.t), 0.001 + std::sin(2.0 * std::numbers::pi * 5000.0 * s.t), 0.01);
    });
    const auto z = wild.mono(48000);
    ASSERT_TRUE(all_finite(z));
    EXPECT_LE(peak(z), 1.25);
}

TEST(Delay, its_state_grows_with_max_seconds) {
    test::Offline two([](Context& s) { return delay(s, 0.0, 0.5); });
    ASSERT_EQ(two.layout().size(), 1u);
    EXPECT_EQ(two.layout()[0].kind, kind_id("lel.delay"));
    EXPECT_EQ(two.layout()[0].size, 96005u);  // the write position and 96,004 doubles of ring
    test::Offline half([](Context& s) { return delay(s, 0.0, 0.5, 0.5); });
    EXPECT_EQ(half.layout()[0].size, 24005u);
    test::Offline fast([](Context& s) { return delay(s, 0.0, 0.5); }, 96000.0);
    EXPECT_EQ(fast.layout()[0].size, 192005u);
    test::Offline huge([](Context& s) { return delay(s, 0.0, 0.5, 1e9); });
    EXPECT_EQ(huge.layout()[0].size, 60u * 48000u + 5u);  // max_seconds is clamped to 60
}

TEST(Delay, times_outside_the_line_are_clamped) {
    const auto first_echo = [](double seconds, double max_seconds) {
        test::Offline sig([=](Context& s) { return delay(s, impulse(s), seconds, max_seconds); });
        const auto y = sig.mono(4900);
        return static_cast<long>(std::find(y.begin(), y.end(), 1.0) - y.begin());
    };
    EXPECT_EQ(first_echo(1.0, 0.1), 4800);  // beyond max: max
    EXPECT_EQ(first_echo(-1.0, 0.1), 0);    // negative: no delay
    EXPECT_EQ(first_echo(nan, 0.1), 0);
    EXPECT_EQ(first_echo(inf, 0.1), 4800);
    EXPECT_EQ(first_echo(0.05, nan), 0);  // no line at all: the input passes
    EXPECT_EQ(first_echo(0.05, -3.0), 0);
}

TEST(Delay, changing_the_time_keeps_the_line) {
    // As a reload that changes the time: the echo of a note played before
    // the change comes out at the new time.
    double seconds = 1000.0 / sr;
    test::Offline sig([&seconds](Context& s) { return delay(s, impulse(s), seconds); });
    sig.mono(500);
    seconds = 2000.0 / sr;
    const auto y = sig.mono(2000);
    EXPECT_EQ(y[1500], 1.0);
    EXPECT_EQ(peak(y), 1.0);
}

TEST(Delay, a_delay_handed_a_short_block_never_reaches_past_it) {
    // Two delays swap their order at frame 100: each then finds the other's
    // block, gets a short scratch block, and the signal is muted.
    test::Offline sig([](Context& s) {
        const double x = std::sin(0.01 * static_cast<double>(s.frame));
        if (s.frame < 100) return delay(s, x, 1.5) + delay(s, x, 0.05, 0.1);
        return delay(s, x, 0.05, 0.1) + delay(s, x, 1.5);
    });
    const auto y = sig.mono(50000);
    EXPECT_TRUE(sig.mismatched());
    EXPECT_TRUE(all_finite(y));
    EXPECT_LE(peak(y), 2.5);
}

// ---------------------------------------------------------------------------
// comb

TEST(Comb, an_impulse_echoes_every_delay_scaled_by_the_feedback) {
    for (const double g : {0.5, -0.7}) {
        test::Offline sig([g](Context& s) { return comb(s, impulse(s), 100.0 / s.sr, g); });
        const auto y = sig.mono(1000);
        for (std::size_t i = 0; i < y.size(); ++i)
            ASSERT_NEAR(y[i], i % 100 == 0 ? std::pow(g, static_cast<double>(i / 100)) : 0.0, 1e-15) << g << " " << i;
    }
}

TEST(Comb, rings_at_multiples_of_one_over_the_delay_with_gain_one_over_one_minus_feedback) {
    // D = 48 samples: resonances at 1, 2, 3 kHz; between them, at 500 Hz,
    // the gain is 1 / (1 + g).
    const auto gain = [](double hz, double g) {
        test::Offline sig([=](Context& s) { return comb(s, 0.01 * std::sin(2.0 * std::numbers::pi * hz * s.t), 48.0 / s.sr, g); });
        const auto y = sig.mono(48000);
        return db(amplitude(y, hz, 24000) / 0.01);
    };
    EXPECT_NEAR(gain(1000.0, 0.9), 20.0, 0.05);
    EXPECT_NEAR(gain(3000.0, 0.9), 20.0, 0.05);
    EXPECT_NEAR(gain(500.0, 0.9), db(1.0 / 1.9), 0.05);
    EXPECT_NEAR(gain(500.0, -0.9), 20.0, 0.05);  // negative feedback: the odd multiples of 500 Hz
}

/// Checks an impulse response of a loop whose gain is clamped to 0.999 and
/// whose delay `d` samples: finite, and in the 10th second at most
/// 0.999^(loops in 9 s) of its peak.
void expect_dies_out(const std::vector<double>& y, double d, const char* what) {
    ASSERT_TRUE(all_finite(y)) << what;
    const std::vector<double> last(y.end() - 48000, y.end());
    EXPECT_LE(peak(last), 1.0001 * std::pow(0.999, std::floor(9.0 * sr / d)) * peak(y)) << what;
}

TEST(Comb, feedback_beyond_one_is_clamped_and_the_ring_dies_out) {
    for (const double g : {1.0, 5.0, -5.0, inf, nan})
        for (const double seconds : {0.0, -1.0, 0.01, 10.0, nan}) {
            test::Offline sig([=](Context& s) { return comb(s, impulse(s), seconds, g, 0.1); });
            const auto y = sig.mono(10 * 48000);
            // 0, negative and NaN: 1 sample; 10 s: the line's 0.1 s.
            const double d = seconds == 0.01 ? 480.0 : seconds == 10.0 ? 4800.0 : 1.0;
            expect_dies_out(y, d, (std::to_string(g) + " " + std::to_string(seconds)).c_str());
        }
}

TEST(Comb, a_nan_at_the_input_does_not_stay_in_the_loop) {
    test::Offline sig([](Context& s) { return comb(s, s.frame == 10 ? nan : impulse(s), 100.0 / s.sr, 0.9); });
    const auto y = sig.mono(1000);
    EXPECT_TRUE(std::isnan(y[10]));
    const std::vector<double> after(y.begin() + 11, y.end());
    EXPECT_TRUE(all_finite(after));
    EXPECT_NEAR(y[900], std::pow(0.9, 9), 1e-12);
}

// ---------------------------------------------------------------------------
// allpass

TEST(Allpass, its_impulse_response_is_schroeders) {
    const double g = 0.7;
    test::Offline sig([g](Context& s) { return allpass(s, impulse(s), 37.0 / s.sr, g); });
    const auto y = sig.mono(200);
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double expected = i == 0 ? -g : i % 37 == 0 ? (1.0 - g * g) * std::pow(g, static_cast<double>(i / 37 - 1)) : 0.0;
        ASSERT_NEAR(y[i], expected, 1e-15) << i;
    }
}

TEST(Allpass, white_noise_keeps_its_rms) {
    struct Case {
        double seconds, g;
    };
    for (const Case c : {Case{0.005, 0.7}, Case{0.0123457, 0.5}, Case{0.03, -0.9}, Case{0.1, 0.999}}) {
        White noise;
        std::vector<double> in;
        test::Offline sig([&](Context& s) {
            in.push_back(noise());
            return allpass(s, in.back(), c.seconds, c.g);
        });
        const auto y = sig.mono(20 * 48000);
        const double change = db(rms(y, 48000) / rms(in, 48000));
        std::printf("allpass %.4f s, g %+.3f: white noise RMS %+.3f dB\n", c.seconds, c.g, change);
        EXPECT_NEAR(change, 0.0, 0.5) << c.seconds << " " << c.g;
    }
}

TEST(Allpass, every_frequency_passes_at_0_dB) {
    for (const double d : {37.0, 37.5, 100.3})
        for (const double hz : {50.0, 440.0, 1000.0, 5000.0, 12345.0, 20000.0}) {
            test::Offline sig([=](Context& s) { return allpass(s, std::sin(2.0 * std::numbers::pi * hz * s.t), d / s.sr, 0.7); });
            const auto y = sig.mono(48000);
            EXPECT_NEAR(db(amplitude(y, hz, 24000)), 0.0, 0.01) << d << " samples, " << hz << " Hz";
        }
}

TEST(Allpass, wild_parameters_stay_finite_and_decay) {
    for (const double g : {1.0, -1.0, 50.0, nan})
        for (const double seconds : {0.0, 1.0, -1.0, nan, 0.5 / 48000.0, 1.2 / 48000.0}) {
            test::Offline sig([=](Context& s) { return allpass(s, impulse(s), seconds, g); });
            const auto y = sig.mono(10 * 48000);
            const double d = seconds == 1.0 ? 4800.0 : 1.0;
            expect_dies_out(y, d, (std::to_string(g) + " " + std::to_string(seconds)).c_str());
        }
    // A delay swept at audio rate through the whole line.
    White noise;
    test::Offline sig([&](Context& s) { return allpass(s, noise(), 0.05 + 0.05 * std::sin(2.0 * std::numbers::pi * 1000.0 * s.t), 0.9); });
    const auto y = sig.mono(5 * 48000);
    ASSERT_TRUE(all_finite(y));
    EXPECT_LT(peak(y), 20.0);
}

// ---------------------------------------------------------------------------
// reverb

std::pair<std::vector<double>, std::vector<double>> reverb_impulse(double size, double damp, double seconds) {
    test::Offline sig([=](Context& s) { return reverb(s, impulse(s), size, damp, 1.0); });
    return sig.stereo(static_cast<std::size_t>(seconds * sr));
}

TEST(Reverb, an_impulse_decays_with_the_documented_rt60) {
    struct Case {
        double size, damp, lo, hi;
    };
    double last = 0.0;
    for (const Case c : {Case{0.0, 0.5, 0.4, 0.9}, Case{0.5, 0.5, 1.0, 2.0}, Case{0.8, 0.5, 2.0, 3.5}, Case{1.0, 0.5, 6.0, 12.0}}) {
        const auto [l, r] = reverb_impulse(c.size, c.damp, 4.0 * c.hi);
        const double t = rt60(l, r);
        std::printf("reverb size %.1f damp %.1f: RT60 %.2f s\n", c.size, c.damp, t);
        EXPECT_GE(t, c.lo);
        EXPECT_LE(t, c.hi);
        EXPECT_GT(t, last);
        last = t;
    }
    // Damping shortens it.
    const auto [bl, br] = reverb_impulse(0.8, 0.0, 12.0);
    const auto [dl, dr] = reverb_impulse(0.8, 1.0, 12.0);
    std::printf("reverb size 0.8: RT60 %.2f s at damp 0, %.2f s at damp 1\n", rt60(bl, br), rt60(dl, dr));
    EXPECT_GT(rt60(bl, br), rt60(dl, dr));
}

TEST(Reverb, at_max_size_the_tail_never_grows_over_20_seconds) {
    const auto [l, r] = reverb_impulse(1.0, 0.0, 20.0);
    ASSERT_TRUE(all_finite(l));
    ASSERT_TRUE(all_finite(r));
    std::vector<double> second(20, 0.0);
    for (std::size_t i = 0; i < l.size(); ++i) second[i / 48000] += l[i] * l[i] + r[i] * r[i];
    for (std::size_t k = 2; k < second.size(); ++k) EXPECT_LT(second[k], second[k - 1]) << "second " << k;
    const double drop = 10.0 * std::log10(second[19] / second[1]);
    std::printf("reverb size 1 damp 0: the 20th second is %.1f dB under the 2nd\n", drop);
    EXPECT_LT(drop, -60.0);
}

TEST(Reverb, left_and_right_tails_are_decorrelated) {
    for (const double size : {0.0, 0.8, 1.0}) {
        const auto [l, r] = reverb_impulse(size, 0.5, 2.0);
        const double c = correlation(l, r, 4800, 96000);  // 0.1 to 2 s
        std::printf("reverb size %.1f: L/R correlation of the tail %+.3f\n", size, c);
        EXPECT_LT(std::fabs(c), 0.5) << size;
    }
}

TEST(Reverb, fully_wet_white_noise_keeps_its_rms_at_any_size_and_damping) {
    for (const double size : {0.0, 0.5, 0.8, 1.0})
        for (const double damp : {0.0, 0.5, 1.0}) {
            White noise;
            test::Offline sig([&](Context& s) { return reverb(s, noise(), size, damp, 1.0); });
            const auto [l, r] = sig.stereo(4 * 48000);
            const double level = db(std::hypot(rms(l, 96000), rms(r, 96000)) / std::sqrt(2.0) / std::sqrt(1.0 / 3.0));
            EXPECT_NEAR(level, 0.0, 0.5) << size << " " << damp;
        }
}

TEST(Reverb, a_sustained_tone_builds_up_by_design_within_the_documented_bound) {
    // Unit sines a quarter or half semitone apart, 50 Hz to 2 kHz, fully wet, long
    // enough to build up: the worst peak. Where a few combs' resonances
    // meet, a pure tone rings louder than broadband sound (which comes out
    // at its own RMS).
    const auto worst = [](double size, double damp, double seconds, double step) {
        double most = 0.0, at = 0.0;
        for (double hz = 50.0; hz < 2000.0; hz *= step) {
            test::Offline sig([=](Context& s) { return reverb(s, std::sin(2.0 * std::numbers::pi * hz * s.t), size, damp, 1.0); });
            const auto [l, r] = sig.stereo(static_cast<std::size_t>(seconds * sr));
            const double p = std::max(peak(l), peak(r));
            if (p > most) most = p, at = hz;
        }
        std::printf("reverb size %.1f damp %.1f, unit sines: peak %.2f (at %.0f Hz)\n", size, damp, most, at);
        return most;
    };
    EXPECT_LT(worst(0.8, 0.5, 1.5, 1.0145), 5.5);  // quarter semitones
    EXPECT_LT(worst(1.0, 0.0, 3.0, 1.0293), 5.5);  // half semitones
}

TEST(Reverb, mix_0_is_the_dry_signal_and_a_frame_keeps_its_image) {
    test::Offline mono([](Context& s) { return reverb(s, std::sin(0.01 * static_cast<double>(s.frame)), 0.8, 0.5, 0.0); });
    const auto [l, r] = mono.stereo(1000);
    for (std::size_t i = 0; i < l.size(); ++i) {
        ASSERT_EQ(l[i], std::sin(0.01 * static_cast<double>(i)));
        ASSERT_EQ(r[i], l[i]);
    }
    test::Offline stereo([](Context& s) { return reverb(s, Frame{impulse(s), 0.0}, 0.8, 0.5, 0.3); });
    const auto [sl, sr_] = stereo.stereo(48000);
    EXPECT_EQ(sl[0], 0.7);
    EXPECT_EQ(sr_[0], 0.0);
    EXPECT_GT(rms(sr_), 0.0);  // the tail reaches both sides
}

TEST(Reverb, wild_parameters_give_finite_bounded_output) {
    for (const double v : {nan, -10.0, 10.0, inf, -inf}) {
        White noise;
        test::Offline sig([&](Context& s) {
            // Every parameter wild in turn, the others swept at audio rate.
            const double sweep = 0.5 + 0.5 * std::sin(2.0 * std::numbers::pi * 3000.0 * s.t);
            const int which = static_cast<int>(s.frame / 16000) % 3;
            return reverb(s, noise(), which == 0 ? v : sweep, which == 1 ? v : sweep, which == 2 ? v : sweep);
        });
        const auto [l, r] = sig.stereo(3 * 48000);
        ASSERT_TRUE(all_finite(l)) << v;
        ASSERT_TRUE(all_finite(r)) << v;
        EXPECT_LT(std::max(peak(l), peak(r)), 5.0) << v;
    }
    // A NaN or an infinity at the input does not stay in the tank.
    test::Offline sig([](Context& s) { return reverb(s, s.frame == 5 ? nan : s.frame == 6 ? inf : impulse(s), 1.0, 0.0, 1.0); });
    const auto [l, r] = sig.stereo(48000);
    const std::vector<double> after(l.begin() + 7, l.end());
    EXPECT_TRUE(all_finite(after));
    EXPECT_GT(rms(after), 0.0);
}

TEST(Reverb, changing_the_size_mid_tail_continues_the_tail) {
    // As a reload that changes the size: the tail goes on, with no click.
    double size = 0.5;
    test::Offline sig([&size](Context& s) { return reverb(s, impulse(s), size, 0.5, 1.0); });
    const auto [l0, r0] = sig.stereo(24000);
    size = 1.0;
    const auto [l1, r1] = sig.stereo(24000);
    const double before = rms(std::vector<double>(l0.end() - 2400, l0.end()));
    const double after = rms(std::vector<double>(l1.begin(), l1.begin() + 2400));
    EXPECT_GT(after, 0.5 * before);
    EXPECT_LT(after, 2.0 * before);
    double step_before = 0.0, step_across = std::fabs(l1[0] - l0.back());
    for (std::size_t i = l0.size() - 2400; i < l0.size(); ++i) step_before = std::max(step_before, std::fabs(l0[i] - l0[i - 1]));
    EXPECT_LE(step_across, 2.0 * step_before);
}

TEST(Reverb, takes_one_block_that_scales_with_the_rate) {
    test::Offline sig([](Context& s) { return reverb(s, 0.0); });
    ASSERT_EQ(sig.layout().size(), 1u);
    EXPECT_EQ(sig.layout()[0].kind, kind_id("lel.reverb"));
    EXPECT_EQ(sig.layout()[0].size, 27748u);
    test::Offline cd([](Context& s) { return reverb(s, 0.0); }, 44100.0);
    EXPECT_EQ(cd.layout()[0].size, 25450u + 46u);  // Freeverb's own lengths, and 46 doubles of positions, filters and coefficients
    // The same room at 96 kHz: the same decay.
    test::Offline fast([](Context& s) { return reverb(s, impulse(s), 0.8, 0.5, 1.0); }, 96000.0);
    EXPECT_EQ(fast.layout()[0].size, 55446u);
    const auto [fl, fr] = fast.stereo(12 * 96000);
    const auto [l, r] = reverb_impulse(0.8, 0.5, 12.0);
    EXPECT_NEAR(rt60(fl, fr, 96000.0) / rt60(l, r), 1.0, 0.05);
}

}  // namespace
}  // namespace lel
