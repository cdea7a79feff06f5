// Rhythm on the beat grid: every trigger on its exact frame, once, over
// several bars, at a tempo that divides the sample rate and one that does
// not; Euclidean patterns as Toussaint lists them; tempo changes that
// neither drop nor double a trigger.
#include "offline.hpp"

#include <lel/dsp/rhythm.hpp>

#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace lel {
namespace {

/// The frames where `x` is 1; fails on any value other than 0 and 1.
std::vector<uint64_t> triggers(const std::vector<double>& x, uint64_t first_frame = 0) {
    std::vector<uint64_t> at;
    for (std::size_t i = 0; i < x.size(); ++i) {
        EXPECT_TRUE(x[i] == 0.0 || x[i] == 1.0) << x[i];
        if (x[i] == 1.0) at.push_back(first_frame + i);
    }
    return at;
}

/// The exact first frame at or after beat `num / den`, at `bpm` (an
/// integer) and `rate`: ceil(num * 60 * rate / (den * bpm)), in integers.
uint64_t frame_of_beat(uint64_t num, uint64_t den, uint64_t bpm, uint64_t rate) {
    const uint64_t n = num * 60 * rate, d = den * bpm;
    return (n + d - 1) / d;
}

std::string pattern_string(uint64_t bits, int steps) {
    std::string out;
    for (int p = 0; p < steps; ++p) out += (bits >> p) & 1 ? 'x' : '.';
    return out;
}

// ---------------------------------------------------------------- every

struct Grid {
    uint64_t bpm, rate;
};

TEST(Every, fires_once_per_step_on_its_exact_frame_for_eight_bars) {
    // Step lengths as num/den beats: bars, beats, eighths, sixteenths,
    // triplets, dotted eighths.
    const std::array<std::array<uint64_t, 2>, 6> lengths{{{4, 1}, {1, 1}, {1, 2}, {1, 4}, {1, 3}, {3, 4}}};
    for (const Grid g : {Grid{120, 48000}, Grid{97, 48000}, Grid{97, 44100}, Grid{133, 96000}}) {
        for (const auto& [num, den] : lengths) {
            const double beats = static_cast<double>(num) / den;
            test::Offline sig([&](Context& s) { return every(s, beats); }, static_cast<double>(g.rate));
            sig.context().bpm = static_cast<double>(g.bpm);
            const uint64_t frames = frame_of_beat(32, 1, g.bpm, g.rate);  // 8 bars of 4/4
            const auto got = triggers(sig.mono(frames));
            std::vector<uint64_t> want;
            for (uint64_t k = 0;; ++k) {
                const uint64_t f = frame_of_beat(k * num, den, g.bpm, g.rate);
                if (f >= frames) break;
                want.push_back(f);
            }
            EXPECT_EQ(got, want) << g.bpm << " bpm at " << g.rate << " Hz, every " << num << "/" << den;
        }
    }
}

TEST(Every, loaded_mid_step_waits_for_the_next_step) {
    // A fresh helper looks one sample back at the current tempo: loaded at
    // beat 1.25, it fires nothing until beat 2.
    test::Offline late([](Context& s) {
        s.beat += 1.25;  // as if loaded at beat 1.25
        return every(s, 1.0);
    });
    const auto got = triggers(late.mono(48000));
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.front(), 18000u);  // beat 2 = 1.25 + 0.75 beats = 18000 frames at 120 bpm
}

TEST(Every, a_tempo_ramp_neither_drops_nor_doubles_a_trigger) {
    // The beat integrates a tempo sliding from 120 to 97 bpm and back over
    // eight bars, as a DAW's tempo ramp would.
    std::vector<double> beats;
    double beat = 0.0;
    test::Offline sig([&](Context& s) {
        s.bpm = 108.5 + 11.5 * std::cos(2.0 * 3.141592653589793 * s.t / 8.0);
        s.beat = beat;
        beat += s.bpm / 60.0 * s.dt;
        if (s.helpers.recorder == nullptr) beats.push_back(s.beat);
        return every(s, 0.25);
    });
    beat = 0.0;
    const auto got = triggers(sig.mono(8 * 48000));
    // exactly one trigger per multiple of a sixteenth passed, on the first
    // sample at or past it
    const auto expected_count = static_cast<std::size_t>(std::floor(beats.back() / 0.25)) + 1;
    ASSERT_EQ(got.size(), expected_count);
    for (std::size_t k = 0; k < got.size(); ++k) {
        const uint64_t f = got[k];
        EXPECT_GE(beats[f], k * 0.25 - 1e-9) << k;
        if (f > 0) {
            EXPECT_LT(beats[f - 1], k * 0.25) << k;
        }
    }
}

TEST(Every, a_tempo_jump_fires_at_most_once_and_never_twice_in_a_step) {
    // Offline's beat is t * bpm / 60 (like leld's grid), so a new tempo
    // makes the beat jump: forward (97 -> 120 at 1 s: 1.617 -> 2.0 beats)
    // and back (120 -> 97 at 2 s: 4.0 -> 3.233 beats).
    test::Offline sig([](Context& s) { return every(s, 1.0); });
    sig.context().bpm = 97.0;
    const auto a = triggers(sig.mono(48000), 0);
    sig.context().bpm = 120.0;
    const auto b = triggers(sig.mono(48000), 48000);
    sig.context().bpm = 97.0;
    const auto c = triggers(sig.mono(48000), 96000);
    EXPECT_EQ(a, (std::vector<uint64_t>{0, 29691}));
    // The jump lands exactly on beat 2: one trigger there, then beat 3.
    EXPECT_EQ(b, (std::vector<uint64_t>{48000, 72000}));
    // Backwards to 3.233 beats: nothing at the jump; beat 4 again at 97 bpm
    // (frame ceil(4 * 60 * 48000 / 97) = 118763).
    EXPECT_EQ(c, (std::vector<uint64_t>{118763}));
}

TEST(Every, never_fires_for_a_step_that_is_not_positive_and_fires_each_sample_at_most) {
    for (const double beats : {0.0, -1.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
        test::Offline sig([&](Context& s) { return every(s, beats); });
        EXPECT_TRUE(triggers(sig.mono(48000)).empty()) << beats;
    }
    test::Offline tiny([](Context& s) { return every(s, 1e-9); });
    EXPECT_EQ(triggers(tiny.mono(100)).size(), 100u);
    test::Offline sig([](Context& s) { return every(s, 1.0); });
    ASSERT_EQ(sig.layout().size(), 1u);
    EXPECT_EQ(sig.layout()[0].kind, EveryState::kind);
    EXPECT_EQ(sig.layout()[0].size, 2u);
}

// ---------------------------------------------------------------- euclid

TEST(Euclid, bjorklund_gives_toussaints_rhythms) {
    EXPECT_EQ(pattern_string(detail::bjorklund(3, 8), 8), "x..x..x.");   // tresillo
    EXPECT_EQ(pattern_string(detail::bjorklund(5, 8), 8), "x.xx.xx.");   // cinquillo
    EXPECT_EQ(pattern_string(detail::bjorklund(2, 5), 5), "x.x..");
    EXPECT_EQ(pattern_string(detail::bjorklund(4, 9), 9), "x.x.x.x..");
    EXPECT_EQ(pattern_string(detail::bjorklund(5, 12), 12), "x..x.x..x.x.");
    EXPECT_EQ(pattern_string(detail::bjorklund(7, 12), 12), "x.xx.x.xx.x.");
    EXPECT_EQ(pattern_string(detail::bjorklund(7, 16), 16), "x..x.x.x..x.x.x.");
    EXPECT_EQ(pattern_string(detail::bjorklund(5, 16), 16), "x..x..x..x..x...");
    EXPECT_EQ(pattern_string(detail::bjorklund(0, 4), 4), "....");
    EXPECT_EQ(pattern_string(detail::bjorklund(4, 4), 4), "xxxx");
    EXPECT_EQ(detail::bjorklund(64, 64), ~uint64_t{0});
}

TEST(Euclid, every_pattern_has_its_hits_as_evenly_spread_as_bresenhams) {
    // Bjorklund's pattern is a rotation of Bresenham's ((p * k) mod n < k)
    // that starts with a hit.
    for (int n = 1; n <= 64; ++n) {
        for (int k = 0; k <= n; ++k) {
            const uint64_t bits = detail::bjorklund(k, n);
            ASSERT_EQ(std::popcount(bits), k) << k << "," << n;
            if (n < 64) {
                ASSERT_EQ(bits >> n, 0u) << k << "," << n;
            }
            if (k > 0) {
                ASSERT_TRUE(bits & 1u) << k << "," << n;
            }
            bool rotation = false;
            for (int r = 0; r < n && !rotation; ++r) {
                bool same = true;
                for (int p = 0; p < n && same; ++p)
                    same = (((bits >> p) & 1u) != 0) == (((p + r) * k) % n < k);
                rotation = same;
            }
            ASSERT_TRUE(rotation) << k << "," << n << ": " << pattern_string(bits, n);
        }
    }
}

TEST(Euclid, fires_the_hits_on_their_exact_frames_for_several_bars) {
    struct Case {
        int hits, steps;
        std::vector<int> at;
    };
    for (const Grid g : {Grid{120, 48000}, Grid{97, 48000}}) {
        for (const Case& c : {Case{3, 8, {0, 3, 6}}, Case{5, 8, {0, 2, 3, 5, 6}}}) {
            test::Offline sig([&](Context& s) { return euclid(s, c.hits, c.steps, 0.25); },
                              static_cast<double>(g.rate));
            sig.context().bpm = static_cast<double>(g.bpm);
            const uint64_t frames = frame_of_beat(32, 1, g.bpm, g.rate);  // 16 cycles of 2 beats
            const auto got = triggers(sig.mono(frames));
            std::vector<uint64_t> want;
            for (uint64_t step = 0; step < 128; ++step)
                for (const int p : c.at)
                    if (static_cast<int>(step % 8) == p) want.push_back(frame_of_beat(step, 4, g.bpm, g.rate));
            EXPECT_EQ(got, want) << "E(" << c.hits << "," << c.steps << ") at " << g.bpm << " bpm";
        }
    }
}

TEST(Euclid, takes_a_new_pattern_at_once_and_survives_wild_arguments) {
    int hits = 3;
    test::Offline sig([&](Context& s) { return euclid(s, hits, 8, 0.25); });
    ASSERT_EQ(sig.layout().size(), 1u);
    EXPECT_EQ(sig.layout()[0].size, 5u);
    EXPECT_EQ(triggers(sig.mono(48000)).size(), 3u);  // one second: a cycle of x..x..x.
    hits = 8;
    EXPECT_EQ(triggers(sig.mono(48000)).size(), 8u);
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    const double values[] = {nan, inf, -inf, -3.0, 0.0, 1e300, 1e-300, 2.6, 100.0};
    test::Offline wild([&](Context& s) {
        return euclid(s, values[s.frame / 100 % 9], values[s.frame / 700 % 9], values[s.frame / 4900 % 9]);
    });
    triggers(wild.mono(100000));  // only 0 and 1, no crash
}

// ---------------------------------------------------------------- seq

TEST(Seq, gives_each_steps_value_from_its_exact_frame_and_cycles) {
    for (const Grid g : {Grid{120, 48000}, Grid{97, 48000}}) {
        test::Offline sig([](Context& s) { return seq(s, {40, 43, 47}, 0.5); }, static_cast<double>(g.rate));
        sig.context().bpm = static_cast<double>(g.bpm);
        const auto x = sig.mono(frame_of_beat(12, 1, g.bpm, g.rate));
        const double values[] = {40, 43, 47};
        for (uint64_t step = 0; step < 24; ++step) {
            const uint64_t from = frame_of_beat(step, 2, g.bpm, g.rate);
            const uint64_t to = frame_of_beat(step + 1, 2, g.bpm, g.rate);
            for (uint64_t f = from; f < to && f < x.size(); ++f)
                ASSERT_EQ(x[f], values[step % 3]) << "frame " << f << " step " << step << " at " << g.bpm;
        }
    }
    test::Offline none([](Context& s) { return seq(s, {40}, 0.5); });
    EXPECT_TRUE(none.layout().empty());  // no state
}

TEST(Seq, reads_a_span_and_copes_with_empty_lists_and_odd_step_lengths) {
    static constexpr std::array<double, 4> table{1, 2, 3, 4};
    test::Offline sig([](Context& s) {
        const double a = seq(s, table, 1.0);
        const double b = seq(s, std::span<const double>(), 1.0);
        const double c = seq(s, {5, 6}, 0.0);
        const double d = seq(s, {5, 6}, std::numeric_limits<double>::quiet_NaN());
        const double e = seq(s, {5, 6}, 1e-300);
        return a * 1000 + b * 100 + c * 10 + d + (e == 5 || e == 6 ? 0 : 1e6);
    });
    const auto x = sig.mono(3 * 24000);
    EXPECT_EQ(x[0], 1000 + 55);
    EXPECT_EQ(x[24000], 2000 + 55);
    EXPECT_EQ(x[48000], 3000 + 55);
}

// ---------------------------------------------------------------- sample_hold

TEST(SampleHold, holds_the_input_from_each_rising_edge) {
    test::Offline sig([](Context& s) {
        const double trig = (s.frame >= 10 && s.frame < 20) || s.frame == 30 ? 1.0 : 0.0;
        return sample_hold(s, static_cast<double>(s.frame), trig);
    });
    const auto x = sig.mono(40);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(x[i], 0.0);   // the first value until the first edge
    for (int i = 10; i < 30; ++i) EXPECT_EQ(x[i], 10.0); // trig held high: sampled once
    for (int i = 30; i < 40; ++i) EXPECT_EQ(x[i], 30.0);
    ASSERT_EQ(sig.layout().size(), 1u);
    EXPECT_EQ(sig.layout()[0].size, 3u);
}

TEST(SampleHold, on_a_euclid_trigger_steps_once_per_hit_and_ignores_non_finite_input) {
    // At 120 bpm a sixteenth is 6000 frames: x..x..x. hits frames 0, 18000,
    // 36000, then 48000 (the next cycle). x is NaN on the hit at 36000.
    test::Offline sig([](Context& s) {
        const double x = s.frame == 36000 ? std::numeric_limits<double>::quiet_NaN() : s.beat;
        return sample_hold(s, x, euclid(s, 3, 8, 0.25));
    });
    const auto x = sig.mono(60000);
    EXPECT_EQ(x[0], 0.0);
    EXPECT_EQ(x[18000 - 1], 0.0);
    EXPECT_EQ(x[18000], 0.75);  // step 3
    EXPECT_EQ(x[36000], 0.75);  // step 6: NaN, not sampled
    EXPECT_EQ(x[48000], 2.0);   // step 8 = step 0 of the next cycle
    for (const double v : x) ASSERT_TRUE(std::isfinite(v));
}

}  // namespace
}  // namespace lel
