// Envelopes as a musician hears them: each segment's time measured to the
// millisecond, retriggers without a jump, ramps and lags on time, and no
// NaN or runaway whatever a live coder types.
#include "offline.hpp"

#include <lel/dsp/envelopes.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace lel {
namespace {

constexpr double sr = 48000.0;
constexpr double ms = 0.001;

/// The first index at or after `from` where pred(x[i]) holds; x.size() if none.
template <class P>
std::size_t first(const std::vector<double>& x, std::size_t from, P pred) {
    for (std::size_t i = from; i < x.size(); ++i)
        if (pred(x[i])) return i;
    return x.size();
}

/// The first frame whose time (frame * dt, as Offline computes it) is >= t.
std::size_t frame_at(double t, double rate = sr) {
    std::size_t f = static_cast<std::size_t>(t * rate) - 1;
    while (static_cast<double>(f) * (1.0 / rate) < t) ++f;
    return f;
}

double max_step(const std::vector<double>& x, std::size_t from, std::size_t to) {
    double m = 0.0;
    for (std::size_t i = std::max<std::size_t>(from, 1); i < std::min(to, x.size()); ++i)
        m = std::max(m, std::abs(x[i] - x[i - 1]));
    return m;
}

struct AdsrTimes {
    double a, d, sustain, r;
};

// ---------------------------------------------------------------- adsr

TEST(Adsr, each_segment_reaches_its_target_in_its_time_to_the_millisecond) {
    for (const double rate : {44100.0, 48000.0, 96000.0}) {
        for (const AdsrTimes p : {AdsrTimes{0.01, 0.1, 0.5, 0.2}, AdsrTimes{0.5, 0.25, 0.2, 1.0},
                                  AdsrTimes{0.002, 0.05, 0.0, 0.03}, AdsrTimes{0.1, 1.3, 0.8, 2.5}}) {
            const double hold = p.a + p.d + 0.2;  // gate on long enough to reach sustain
            test::Offline sig(
                [&](Context& s) { return adsr(s, s.t < hold ? 1.0 : 0.0, p.a, p.d, p.sustain, p.r); }, rate);
            const auto x = sig.mono(static_cast<std::size_t>((hold + p.r + 0.1) * rate));
            const std::size_t off = frame_at(hold, rate);
            const std::size_t peak = first(x, 0, [](double v) { return v >= 1.0; });
            const std::size_t sus = first(x, peak, [&](double v) { return v <= p.sustain; });
            const std::size_t zero = first(x, off, [](double v) { return v <= 0.0; });
            SCOPED_TRACE(testing::Message() << "sr " << rate << " a " << p.a << " d " << p.d << " r " << p.r);
            EXPECT_NEAR((peak + 1) / rate, p.a, ms) << "attack";
            EXPECT_NEAR((sus - peak) / rate, p.d, ms) << "decay";
            if (p.sustain > 0.0) {  // (from a sustain of 0 there is nothing to release)
                EXPECT_NEAR((zero - off + 1) / rate, p.r, ms) << "release";
            }
            // It sustains at the sustain level, and the attack is a straight line.
            EXPECT_DOUBLE_EQ(x[off - 1], p.sustain);
            EXPECT_NEAR(x[peak / 2], (peak / 2 + 1) / (p.a * rate), 1e-9);
            // Decay and release only fall.
            for (std::size_t i = peak + 1; i < sus; ++i) ASSERT_LE(x[i], x[i - 1]);
            for (std::size_t i = off + 1; i < x.size(); ++i) ASSERT_LE(x[i], x[i - 1]);
        }
    }
}

TEST(Adsr, a_release_before_the_sustain_takes_the_release_time_from_where_it_is) {
    // Gate off mid-attack, at about 0.6: the release still takes its time.
    const double a = 0.1, r = 0.3;
    test::Offline sig([&](Context& s) { return adsr(s, s.t < 0.06 ? 1.0 : 0.0, a, 0.2, 0.5, r); });
    const auto x = sig.mono(static_cast<std::size_t>(0.5 * sr));
    const std::size_t off = frame_at(0.06);
    EXPECT_NEAR(x[off - 1], 0.6, 0.001);
    EXPECT_NEAR((first(x, off, [](double v) { return v <= 0.0; }) - off + 1) / sr, r, ms);
}

TEST(Adsr, a_retrigger_starts_from_the_current_level_without_a_jump) {
    const double a = 0.02, d = 0.1, sus = 0.7, r = 0.4;
    const double slope = 1.0 / (a * sr);  // the attack's step per sample
    // Retrigger mid-release at several levels, mid-decay (one sample off),
    // and mid-attack (one sample off).
    for (const double on_again : {0.25, 0.4, 0.5, 0.55}) {
        test::Offline sig([&](Context& s) {
            const bool gate = s.t < 0.2 || s.t >= on_again;
            return adsr(s, gate ? 1.0 : 0.0, a, d, sus, r);
        });
        const auto x = sig.mono(static_cast<std::size_t>(1.2 * sr));
        const std::size_t at = frame_at(on_again);
        SCOPED_TRACE(on_again);
        EXPECT_GT(x[at - 1], 0.0);
        EXPECT_LE(std::abs(x[at] - x[at - 1]), slope * (1 + 1e-9));
        EXPECT_LE(max_step(x, at - 5, at + 5), slope * (1 + 1e-9));
        // and it climbs back to 1 in the rest of the attack time
        const std::size_t peak = first(x, at, [](double v) { return v >= 1.0; });
        EXPECT_NEAR((peak - at + 1) / sr, a * (1.0 - x[at - 1]), ms);
    }
    for (const double blip : {0.01, 0.05}) {  // one sample of gate off: in attack, in decay
        const auto blip_frame = static_cast<uint64_t>(blip * sr);
        test::Offline sig([&](Context& s) { return adsr(s, s.frame == blip_frame ? 0.0 : 1.0, a, d, sus, r); });
        const auto x = sig.mono(static_cast<std::size_t>(0.3 * sr));
        EXPECT_LE(max_step(x, blip_frame - 3, blip_frame + 3), slope * (1 + 1e-9)) << blip;
    }
}

TEST(Adsr, zero_times_are_immediate_and_negative_times_count_as_zero) {
    for (const double zero : {0.0, -1.0, std::numeric_limits<double>::quiet_NaN()}) {
        test::Offline sig([&](Context& s) { return adsr(s, s.frame < 3 ? 1.0 : 0.0, zero, zero, 0.4, zero); });
        const auto x = sig.mono(5);
        EXPECT_EQ(x, (std::vector<double>{1.0, 0.4, 0.4, 0.0, 0.0})) << zero;
    }
}

TEST(Adsr, a_changed_sustain_is_followed_without_a_click) {
    test::Offline sig([](Context& s) { return adsr(s, 1.0, 0.001, 0.01, s.t < 0.1 ? 0.9 : 0.1, 0.1); });
    const auto x = sig.mono(static_cast<std::size_t>(0.2 * sr));
    const std::size_t change = frame_at(0.1);
    EXPECT_LE(max_step(x, change - 2, x.size()), 1.0 / (0.005 * sr) + 1e-12);
    EXPECT_DOUBLE_EQ(x.back(), 0.1);
}

TEST(Adsr, keeps_its_state_in_one_block_and_carries_on_through_a_changed_parameter) {
    double release = 0.5;  // a reload that edits the release time mid-release
    test::Offline sig([&](Context& s) { return adsr(s, s.t < 0.05 ? 1.0 : 0.0, 0.01, 0.02, 0.5, release); });
    ASSERT_EQ(sig.layout().size(), 1u);
    EXPECT_EQ(sig.layout()[0].kind, AdsrState::kind);
    EXPECT_EQ(sig.layout()[0].size, 6u);
    auto x = sig.mono(static_cast<std::size_t>(0.1 * sr));
    release = 0.2;
    const auto y = sig.mono(static_cast<std::size_t>(0.3 * sr));
    EXPECT_GT(x.back(), 0.0);
    EXPECT_LT(std::abs(y.front() - x.back()), 0.01);  // no jump
    EXPECT_EQ(y.back(), 0.0);                          // and it still ends
    EXPECT_FALSE(sig.mismatched());
}

TEST(Adsr, stays_finite_and_in_range_whatever_the_parameters) {
    const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
    const double values[] = {0.0, -1.0, 1e-9, 1e9, inf, -inf, nan, 0.3};
    test::Offline sig([&](Context& s) {
        const auto pick = [&](uint64_t salt) { return values[(s.frame / 97 * 7 + salt * 3) % 8]; };
        const double gate = std::sin(s.frame * 0.01 + pick(1));  // NaN gates too
        return adsr(s, gate, pick(2), pick(3), pick(4), pick(5));
    });
    for (const double v : sig.mono(200000)) ASSERT_TRUE(v >= 0.0 && v <= 1.0) << v;
}

// ---------------------------------------------------------------- perc

TEST(Perc, a_trigger_rises_in_the_attack_time_and_falls_in_the_release_time) {
    for (const double a : {0.0, 0.001, 0.01, 0.2}) {
        for (const double r : {0.0, 0.05, 0.5}) {
            test::Offline sig([&](Context& s) { return perc(s, s.frame == 100 ? 1.0 : 0.0, a, r); });
            const auto x = sig.mono(static_cast<std::size_t>((a + r + 0.1) * sr));
            const std::size_t peak = first(x, 0, [](double v) { return v >= 1.0; });
            const std::size_t zero = first(x, peak, [](double v) { return v <= 0.0; });
            SCOPED_TRACE(testing::Message() << "a " << a << " r " << r);
            EXPECT_EQ(x[99], 0.0);
            EXPECT_GT(x[100], 0.0);
            EXPECT_NEAR((peak - 100 + 1) / sr, a, ms);
            EXPECT_NEAR((zero - peak) / sr, r, ms);
            EXPECT_EQ(x.back(), 0.0);
        }
    }
}

TEST(Perc, fires_on_rising_edges_only_and_retriggers_from_where_it_is) {
    // trig held high fires once; a second edge mid-release climbs from there.
    const double a = 0.005, r = 0.2;
    test::Offline sig([&](Context& s) { return perc(s, s.t < 0.05 || (s.t >= 0.1 && s.t < 0.3) ? 1.0 : 0.0, a, r); });
    const auto x = sig.mono(static_cast<std::size_t>(0.5 * sr));
    EXPECT_GT(x[0], 0.0);  // a trigger on the very first sample fires
    const std::size_t again = frame_at(0.1);
    EXPECT_LT(x[again - 1], 0.5);
    EXPECT_GT(x[again - 1], 0.0);
    EXPECT_LE(max_step(x, again - 3, again + 3), 1.0 / (a * sr) + 1e-12);
    // exactly two peaks: high trig does not refire
    int peaks = 0;
    for (std::size_t i = 1; i < x.size(); ++i) peaks += x[i] == 1.0 && x[i - 1] < 1.0;
    EXPECT_EQ(peaks, 2);
    ASSERT_EQ(sig.layout().size(), 1u);
    EXPECT_EQ(sig.layout()[0].size, 5u);
}

TEST(Perc, stays_finite_and_in_range_whatever_the_parameters) {
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    const double values[] = {0.0, -1.0, 1e-12, 1e12, inf, nan, 0.01};
    test::Offline sig([&](Context& s) {
        return perc(s, (s.frame % 333 < 2) ? 1.0 : (s.frame % 777 == 0 ? nan : 0.0), values[s.frame / 1000 % 7],
                    values[(s.frame / 1300 + 3) % 7]);
    });
    for (const double v : sig.mono(100000)) ASSERT_TRUE(v >= 0.0 && v <= 1.0) << v;
}

// ---------------------------------------------------------------- line

TEST(Line, starts_at_its_target_then_ramps_linearly_to_each_new_target_in_its_time) {
    double target = 100.0, seconds = 0.25;
    test::Offline sig([&](Context& s) { return line(s, target, seconds); });
    EXPECT_EQ(sig.mono(10), std::vector<double>(10, 100.0));
    target = 300.0;
    auto x = sig.mono(static_cast<std::size_t>(0.4 * sr));
    const std::size_t done = first(x, 0, [](double v) { return v >= 300.0; });
    EXPECT_NEAR((done + 1) / sr, seconds, ms);
    EXPECT_DOUBLE_EQ(x[done], 300.0);
    EXPECT_NEAR(x[done / 2], 100.0 + 200.0 * (done / 2 + 1) / (done + 1), 1e-9);  // a straight line
    EXPECT_DOUBLE_EQ(x.back(), 300.0);
    // A new target mid-ramp ramps from where it is.
    target = 0.0;
    x = sig.mono(static_cast<std::size_t>(0.1 * sr));
    const double mid = x.back();
    target = 200.0;
    seconds = 0.5;
    auto y = sig.mono(static_cast<std::size_t>(0.6 * sr));
    EXPECT_LT(std::abs(y.front() - mid), 200.0 / (0.5 * sr) + 1e-9);
    EXPECT_NEAR((first(y, 0, [](double v) { return v >= 200.0; }) + 1) / sr, seconds, ms);
}

TEST(Line, zero_time_jumps_and_a_non_finite_target_is_ignored) {
    double target = 1.0, seconds = 0.0;
    test::Offline sig([&](Context& s) { return line(s, target, seconds); });
    sig.mono(3);
    target = 5.0;
    EXPECT_EQ(sig.mono(1)[0], 5.0);
    target = std::numeric_limits<double>::quiet_NaN();
    EXPECT_EQ(sig.mono(1)[0], 5.0);
    target = std::numeric_limits<double>::infinity();
    EXPECT_EQ(sig.mono(1)[0], 5.0);
    seconds = std::numeric_limits<double>::infinity();  // forever: holds
    target = 6.0;
    EXPECT_EQ(sig.mono(100), std::vector<double>(100, 5.0));
    seconds = 0.0;
    target = 7.0;
    EXPECT_EQ(sig.mono(1)[0], 7.0);
    ASSERT_EQ(sig.layout().size(), 1u);
    EXPECT_EQ(sig.layout()[0].size, 5u);
}

// ---------------------------------------------------------------- lag

TEST(Lag, a_step_gets_99_percent_of_the_way_in_its_time) {
    for (const double seconds : {0.001, 0.01, 0.1, 1.0}) {
        test::Offline sig([&](Context& s) { return lag(s, s.frame < 10 ? 0.0 : 1.0, seconds); });
        const auto x = sig.mono(static_cast<std::size_t>((seconds + 0.1) * sr));
        EXPECT_EQ(x[9], 0.0);  // it started at its input
        const std::size_t at = first(x, 10, [](double v) { return v >= 0.99; });
        EXPECT_NEAR((at - 10 + 1) / sr, seconds, 2.0 / sr) << seconds;  // to two samples
        for (std::size_t i = 11; i < x.size(); ++i) ASSERT_GE(x[i], x[i - 1]);  // no overshoot
    }
}

TEST(Lag, passes_through_at_zero_time_and_shrugs_off_non_finite_input) {
    double x = 3.0, seconds = 0.0;
    test::Offline sig([&](Context& s) { return lag(s, x, seconds); });
    EXPECT_EQ(sig.mono(1)[0], 3.0);
    x = 7.0;
    EXPECT_EQ(sig.mono(1)[0], 7.0);
    seconds = 0.05;
    for (const double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(), -1e308}) {
        x = bad;
        for (const double v : sig.mono(100)) ASSERT_TRUE(std::isfinite(v)) << bad;
    }
    x = 1.0;
    seconds = std::numeric_limits<double>::quiet_NaN();
    EXPECT_EQ(sig.mono(1)[0], 1.0);
    ASSERT_EQ(sig.layout().size(), 1u);
    EXPECT_EQ(sig.layout()[0].size, 4u);
}

}  // namespace
}  // namespace lel
