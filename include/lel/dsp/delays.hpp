// lel — delays and reverb: a fractional delay line, a feedback comb, a
// Schroeder allpass and a stereo reverb, each with its own persistent state
// (include/lel/dsp/state.hpp). Measured in tests/dsp/delays_test.cpp;
// figures and costs in docs/stdlib/delays.md.
//
//     session.add("echo", [](auto& s) {
//         const double x = 0.3 * lel::sine(s, 220.0) * (std::fmod(s.t, 1.0) < 0.1);
//         return x + 0.5 * lel::delay(s, x, 0.375);
//     });
//
// Design. Every line is a ring of doubles in the helper's block: the first
// double of the block holds the write position (its bits are an integer,
// checked against the ring's length on every read, so no value in the block
// can make a helper index outside it), the rest is the ring. The ring is as
// long as the block take() returns, never longer: in a signal about to be
// muted that block is shorter than asked, and the line just gets shorter.
// Fractional delays read the ring through a third-order Lagrange
// interpolator (4 taps; exact at integer delays, and it reproduces a
// straight line exactly, so an impulse's centroid lands on the delay time).
// Feedback loops (comb, allpass, reverb) never keep a NaN, an infinity or a
// denormal in their state: what they store passes detail::delays::loop_guard.
// Internals live in lel::detail::delays, away from other families' detail.
#pragma once

#include <lel/context.hpp>
#include <lel/detail/rt.hpp>
#include <lel/dsp/state.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>

namespace lel {
namespace detail::delays {

/// Longest line a delay helper allocates, in seconds: max_seconds is
/// clamped to [0, max_line_seconds].
inline constexpr double max_line_seconds = 60.0;

/// Doubles of a line's block for `max_seconds` at `sr`: the write position
/// and a ring of ceil(max_seconds * sr) + 4 doubles (the interpolator reads
/// up to two samples past the delay).
inline uint32_t line_doubles(double max_seconds, double sr) noexcept LEL_RT {
    const double m = max_seconds > 0.0 ? (max_seconds < max_line_seconds ? max_seconds : max_line_seconds) : 0.0;
    const double rate = sr > 0.0 ? (sr < 1.0e6 ? sr : 1.0e6) : 0.0;  // NaN: 0
    return static_cast<uint32_t>(std::ceil(m * rate)) + 4u + 1u;
}

/// The write position stored in `cell` (its bits), or 0 when it is not a
/// position inside a ring of `len` (fresh, scratch or foreign memory).
inline uint32_t ring_position(const double& cell, uint32_t len) noexcept LEL_RT {
    uint64_t bits;
    std::memcpy(&bits, &cell, sizeof bits);
    return bits < len ? static_cast<uint32_t>(bits) : 0u;
}

inline void store_ring_position(double& cell, uint32_t pos) noexcept LEL_RT {
    const uint64_t bits = pos;
    std::memcpy(&cell, &bits, sizeof bits);
}

/// The sample `k` places before `newest` in a ring of `len` (k < len).
inline double ring_at(const double* ring, uint32_t len, uint32_t newest, uint32_t k) noexcept LEL_RT {
    const uint32_t p = newest >= k ? newest - k : newest + len - k;
    return ring[p];
}

/// The ring read `d` samples before `newest` (0 <= d <= len - 3):
/// third-order Lagrange through the 4 samples around d, or linear
/// between the newest two when d < 1 (the sample after `newest` does not
/// exist yet). Integer d gives the sample itself exactly.
inline double ring_read(const double* ring, uint32_t len, uint32_t newest, double d) noexcept LEL_RT {
    const uint32_t i = static_cast<uint32_t>(d);
    const double f = d - static_cast<double>(i);
    const double x0 = ring_at(ring, len, newest, i);
    const double x1 = ring_at(ring, len, newest, i + 1);
    if (i == 0) return x0 + f * (x1 - x0);
    const double xm = ring_at(ring, len, newest, i - 1);
    const double x2 = ring_at(ring, len, newest, i + 2);
    // The cubic through (-1, xm), (0, x0), (1, x1), (2, x2), in Horner form.
    const double c3 = (x2 - xm) * (1.0 / 6.0) + (x0 - x1) * 0.5;
    const double c2 = (xm + x1) * 0.5 - x0;
    const double c1 = x1 - x0 - c2 - c3;
    return x0 + f * (c1 + f * (c2 + f * c3));
}

/// The longest delay a ring of `len` can read, in samples: `asked`
/// (max_seconds * sr), at most len - 4, at least `least` (NaN: len - 4).
/// Ternaries, not fmin/fmax: those are calls into libm.
inline double longest_delay(double asked, uint32_t len, double least) noexcept LEL_RT {
    const double room = static_cast<double>(len) - 4.0;
    const double d = asked < room ? asked : room;
    return d > least ? d : least;
}

/// A delay in samples: seconds * sr clamped to [lo, hi] (NaN: lo), and
/// snapped to the integer when within 1e-9 of it, so that a delay of
/// `n / s.sr` seconds is exactly n samples.
inline double delay_samples(double seconds, double sr, double lo, double hi) noexcept LEL_RT {
    double d = seconds * sr;
    d = d > lo ? (d < hi ? d : hi) : lo;
    const double r = std::nearbyint(d);
    return std::fabs(d - r) < 1e-9 ? r : d;
}

/// What a feedback loop stores: v, or 0 for a NaN, an infinity, anything
/// beyond 1e15 or a value under 1e-30 (on its way to a denormal, which
/// costs x86 a hundred cycles per operation while a tail dies out).
inline double loop_guard(double v) noexcept LEL_RT {
    const double a = std::fabs(v);
    return (a > 1e-30 && a < 1e15) ? v : 0.0;
}

/// |g| clamped below 1 (NaN: 0): the loop gain of comb and allpass.
inline double loop_gain(double g) noexcept LEL_RT {
    constexpr double most = 0.999;
    return g > -most ? (g < most ? g : most) : (g <= -most ? -most : 0.0);
}

/// A line's block opened for one sample: the ring after the block's first
/// `head` doubles (the write position first), its length, and the write
/// position. `len` is 0 when the block is too short for a ring of 4.
struct Line {
    double* ring;
    uint32_t len;
    uint32_t w;

    /// The last sample written (a feedback loop reads behind it).
    uint32_t newest() const noexcept LEL_RT { return w == 0 ? len - 1 : w - 1; }
};

inline Line open_line(std::span<double> block, uint32_t head) noexcept LEL_RT {
    if (block.size() < head + 4) return {nullptr, 0, 0};
    const uint32_t len = static_cast<uint32_t>(block.size() - head);
    return {block.data() + head, len, ring_position(block[0], len)};
}

/// Moves the write position of `line` on by one sample.
inline void advance(std::span<double> block, const Line& line) noexcept LEL_RT {
    store_ring_position(block[0], line.w + 1 == line.len ? 0 : line.w + 1);
}

}  // namespace detail::delays

// ---------------------------------------------------------------------------
// delay

/// Fractional delay line.
///
///     lel::delay(s, x, seconds, max_seconds = 2.0)
///
/// `x` delayed by `seconds` (clamped to [0, max_seconds]; modulate it
/// freely: a chorus, a flanger, a tape wobble). Integer sample delays are
/// exact; fractional ones use third-order Lagrange interpolation (linear
/// under one sample). `seconds = 0` returns `x`. Output stays within
/// 1.25x the input's peak (the interpolator's overshoot at half a sample).
/// State: ceil(max_seconds * sr) + 5 doubles (a 2 s line at 48 kHz:
/// 96,005); changing `max_seconds` changes the block, so the line starts
/// empty. Reference: J. O. Smith, Physical Audio Signal Processing,
/// "Delay-Line Interpolation" (Lagrange interpolation); Välimäki & Laakso,
/// "Principles of fractional delay filters" (ICASSP 2000).
inline double delay(Context& s, double x, double seconds, double max_seconds = 2.0) noexcept LEL_RT {
    using namespace detail::delays;
    constexpr uint32_t kind = kind_id("lel.delay");
    const std::span<double> st = take(s, kind, line_doubles(max_seconds, s.sr));
    const Line line = open_line(st, 1);
    if (line.len == 0) return 0.0;
    line.ring[line.w] = x;
    const double most = longest_delay(max_seconds * s.sr, line.len, 0.0);
    const double y = ring_read(line.ring, line.len, line.w, delay_samples(seconds, s.sr, 0.0, most));
    advance(st, line);
    return y;
}

// ---------------------------------------------------------------------------
// comb

/// Feedback comb filter.
///
///     lel::comb(s, x, seconds, feedback, max_seconds = 2.0)
///
/// y[n] = x[n] + feedback * y[n - D], D = `seconds` (clamped to
/// [1 sample, max_seconds], fractional D Lagrange-interpolated): `x` plus
/// echoes every D seconds, each `feedback` times the last, or a resonator
/// ringing at multiples of 1/D Hz (a Karplus-Strong string with a short D).
/// `feedback` is clamped to [-0.999, 0.999]: the echoes always die out;
/// negative feedback rings at the odd multiples of 1/(2D) Hz.
/// Can leave [-1, 1] by design: the gain at the resonances is
/// 1 / (1 - |feedback|) (10x, +20 dB, at 0.9; 1000x at 0.999).
/// State: ceil(max_seconds * sr) + 5 doubles, as delay. Reference: J. O.
/// Smith, Physical Audio Signal Processing, "Feedback Comb Filters".
inline double comb(Context& s, double x, double seconds, double feedback, double max_seconds = 2.0) noexcept LEL_RT {
    using namespace detail::delays;
    constexpr uint32_t kind = kind_id("lel.comb");
    const std::span<double> st = take(s, kind, line_doubles(max_seconds, s.sr));
    const Line line = open_line(st, 1);
    if (line.len == 0) return 0.0;
    // y[n - D] is D - 1 samples before y[n - 1], the newest.
    const double d = delay_samples(seconds, s.sr, 1.0, longest_delay(max_seconds * s.sr, line.len, 1.0)) - 1.0;
    const double y = x + loop_gain(feedback) * ring_read(line.ring, line.len, line.newest(), d);
    line.ring[line.w] = loop_guard(y);
    advance(st, line);
    return y;
}

// ---------------------------------------------------------------------------
// allpass

/// Schroeder allpass.
///
///     lel::allpass(s, x, seconds, g, max_seconds = 0.1)
///
/// y[n] = -g x[n] + x[n - D] + g y[n - D], D = `seconds` (clamped to
/// [1 sample, max_seconds]): a flat magnitude response, 0 dB at every
/// frequency, with a smeared phase: diffusion for reverbs, a phaser's stage
/// with a short D. A fractional D is read through a first-order allpass
/// (Thiran) interpolator, which loses nothing, so the response stays flat
/// at any D (a Lagrange or linear read in the loop would dull it: -1.4 dB
/// on white noise at g = 0.5); under 1.5 samples, where that interpolator
/// would ring, D is read linearly. `g` is clamped to [-0.999, 0.999]; the
/// impulse response decays by |g| every D. Can briefly leave [-1, 1]: the
/// gain is flat for steady signals, not for peaks (an impulse's first echo
/// is 1 - g^2). State: ceil(max_seconds * sr) + 6 doubles (4,806 for 0.1 s
/// at 48 kHz). Reference: M. R. Schroeder and B. F. Logan, "'Colorless'
/// artificial reverberation", JAES 9(3), 1961, in the one-line form
/// v[n] = x[n] + g v[n-D], y[n] = v[n-D] - g v[n]; J. O. Smith, Physical
/// Audio Signal Processing, "First-Order Allpass Interpolation".
inline double allpass(Context& s, double x, double seconds, double g, double max_seconds = 0.1) noexcept LEL_RT {
    using namespace detail::delays;
    constexpr uint32_t kind = kind_id("lel.allpass");
    const std::span<double> st = take(s, kind, line_doubles(max_seconds, s.sr) + 1);
    const Line line = open_line(st, 2);
    if (line.len == 0) return 0.0;
    double& interpolated = st[1];  // the Thiran interpolator's last output
    // v[n - D] is d = D - 1 samples before v[n - 1], the newest: ring
    // samples i and i + 1 back, with the interpolator's fraction f in
    // [0.5, 1.5) (Smith's advice: its pole -eta stays within -1/3).
    const double d = delay_samples(seconds, s.sr, 1.0, longest_delay(max_seconds * s.sr, line.len, 1.0)) - 1.0;
    double vd;
    if (d >= 0.5) {
        const double i = std::floor(d - 0.5);
        const double f = d - i;
        const double eta = (1.0 - f) / (1.0 + f);  // 0 at f = 1: an integer delay, exact
        const uint32_t k = static_cast<uint32_t>(i);
        vd = eta * (ring_at(line.ring, line.len, line.newest(), k) - interpolated) + ring_at(line.ring, line.len, line.newest(), k + 1);
    } else {
        vd = ring_read(line.ring, line.len, line.newest(), d);
    }
    interpolated = loop_guard(vd);
    const double k = loop_gain(g);
    const double v = x + k * vd;
    line.ring[line.w] = loop_guard(v);
    advance(st, line);
    return vd - k * v;
}

// ---------------------------------------------------------------------------
// reverb

namespace detail::delays {

/// The reverb's tank: Jezar's Freeverb tunings (public domain), in samples
/// at 44.1 kHz, scaled to the running rate so that it sounds the same at
/// any rate. Per channel 8 combs then 4 allpasses; the right channel's
/// lines are `spread` (23) samples longer.
struct ReverbTuning {
    static constexpr uint32_t combs = 8;
    static constexpr uint32_t allpasses = 4;
    static constexpr uint32_t lines = 2 * (combs + allpasses);  // 24
    static constexpr std::array<double, lines> base = {
        1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617, 556, 441, 341, 225,                  // left
        1139, 1211, 1300, 1379, 1445, 1514, 1580, 1640, 579, 464, 364, 248};                 // right
    static constexpr double rate = 44100.0;
    /// Doubles before the lines: a position per line, a damping filter
    /// per comb (16), and the cached coefficients (size, damp, sr in;
    /// feedback, damping pole, input gain out).
    static constexpr uint32_t positions = 0;
    static constexpr uint32_t filters = positions + lines;
    static constexpr uint32_t cache = filters + 2 * combs;
    static constexpr uint32_t head = cache + 6;
    static constexpr double allpass_gain = 0.5;
};

/// The tank's line lengths at a rate, and its block's size in doubles
/// (27,748 at 48 kHz, about sr * 0.578 s). A pure function of the rate,
/// computed every sample (vectorised: a few instructions).
struct ReverbLines {
    std::array<uint32_t, ReverbTuning::lines> length;
    uint32_t doubles;
};

inline ReverbLines reverb_lines(double sr) noexcept LEL_RT {
    using T = ReverbTuning;
    const double r = (sr > 1000.0 ? (sr < 1.0e6 ? sr : 1.0e6) : 1000.0) / T::rate;  // NaN: 1 kHz
    ReverbLines l;
    uint32_t n = T::head;
    for (uint32_t j = 0; j < T::lines; ++j) {
        l.length[j] = static_cast<uint32_t>(static_cast<int32_t>(T::base[j] * r + 0.5));
        n += l.length[j];
    }
    l.doubles = n;
    return l;
}

/// One sample of the reverb: `in` into the tank, wet left and right out.
inline Frame reverb_tank(Context& s, double in, double size, double damp) noexcept LEL_RT {
    using T = ReverbTuning;
    constexpr uint32_t kind = kind_id("lel.reverb");
    const ReverbLines lines = reverb_lines(s.sr);
    const std::span<double> st = take(s, kind, lines.doubles);
    // A short block (a signal about to be muted, or a probe above about
    // 120 kHz): no tank, no output.
    if (st.size() < lines.doubles) return {};

    // Coefficients, recomputed only when a parameter or the rate changes.
    double* c = st.data() + T::cache;
    if (c[0] != size || c[1] != damp || c[2] != s.sr) [[unlikely]] {
        const double sz = size > 0.0 ? (size < 1.0 ? size : 1.0) : 0.0;
        const double dm = damp > 0.0 ? (damp < 1.0 ? damp : 1.0) : 0.0;
        const double g = 0.7 + 0.28 * sz;  // Freeverb's room size: feedback 0.7 .. 0.98
        c[0] = size;
        c[1] = damp;
        c[2] = s.sr;
        c[3] = g;
        // Freeverb's damping pole (0 .. 0.4 at 44.1 kHz), the same time
        // constant, hence the same cutoff, at any rate.
        const double p = std::pow(0.4 * dm, T::rate / (s.sr > 0.0 ? s.sr : T::rate));
        c[4] = p;
        // The input gain keeps the tail's energy the same whatever the size
        // and damping: they change how long it rings and how dark, not how
        // loud. A comb of loop gain g with the one-pole H(p) in its loop has
        // a white-noise power gain of (1/pi) int 1 / (1 - g^2 |H|^2) dw
        // = 1 + C / sqrt((A - C)^2 - B^2), A = 1 + p^2, B = 2p,
        // C = g^2 (1 - p)^2; the 8 combs add their powers. `wet_level` sets
        // fully wet white noise to its own RMS (measured in delays_test.cpp).
        constexpr double wet_level = 1.0;
        const double a = 1.0 + p * p, b = 2.0 * p, k = g * g * (1.0 - p) * (1.0 - p);
        const double power = 1.0 + k / std::sqrt((a - k) * (a - k) - b * b);
        c[5] = wet_level / std::sqrt(power * T::combs);
    }
    const double g = c[3], pole = c[4];
    // A DC offset far below hearing keeps every line and filter off the
    // denormals while the tail dies out.
    const double x = loop_guard(in) * c[5] + 1e-18;

    double* line = st.data() + T::head;
    double out[2];
    for (uint32_t ch = 0, j = 0; ch < 2; ++ch) {
        double acc = 0.0;
        for (uint32_t i = 0; i < T::combs; ++i, ++j) {
            const uint32_t len = lines.length[j];
            const uint32_t p = ring_position(st[T::positions + j], len);
            const double y = line[p];
            double& lp = st[T::filters + ch * T::combs + i];
            lp = y + pole * (lp - y);  // y (1 - pole) + lp pole
            line[p] = x + g * lp;
            store_ring_position(st[T::positions + j], p + 1 == len ? 0 : p + 1);
            acc += y;
            line += len;
        }
        for (uint32_t i = 0; i < T::allpasses; ++i, ++j) {
            const uint32_t len = lines.length[j];
            const uint32_t p = ring_position(st[T::positions + j], len);
            const double vd = line[p];
            const double v = acc + T::allpass_gain * vd;
            line[p] = v;
            acc = vd - T::allpass_gain * v;
            store_ring_position(st[T::positions + j], p + 1 == len ? 0 : p + 1);
            line += len;
        }
        out[ch] = acc;
    }
    return {out[0], out[1]};
}

/// [0, 1]; NaN: 0.
inline double unit_clamp(double v) noexcept LEL_RT { return v > 0.0 ? (v < 1.0 ? v : 1.0) : 0.0; }

}  // namespace detail::delays

/// Stereo reverb (Freeverb class).
///
///     lel::reverb(s, x, size = 0.8, damp = 0.5, mix = 0.3)  -> lel::Frame
///
/// A room around `x`: per channel 8 parallel feedback combs with a one-pole
/// low-pass in each loop (high frequencies die first), then 4 Schroeder
/// allpasses in series; the right channel's lines are 23 samples (at
/// 44.1 kHz) longer than the left's, which decorrelates the two tails.
/// Delay lengths are Freeverb's, scaled by sr / 44100.
///   size in [0, 1]: the loop feedback, 0.7 + 0.28 size; RT60 0.53 s at 0,
///        2.4 s at 0.8, 9.7 s at 1 (damp 0.5; measured).
///   damp in [0, 1]: high-frequency damping (0: bright, 1: dark).
///   mix  in [0, 1]: (1 - mix) dry + mix wet.
/// The wet level is normalised (the damped combs' white-noise power gain,
/// in closed form), so `size` and `damp` change how long and how dark the
/// tail is, not how loud: broadband sound comes out at its own RMS, fully
/// wet. Out-of-range or NaN parameters are clamped; a NaN input is kept out
/// of the tank. Can leave [-1, 1]: a sustained pure tone where a few combs'
/// resonances meet rings up to 4.6x, fully wet, at the default size and
/// damping (measured). The wet signal starts after the shortest comb, 25 ms.
/// State: one block of 27,748 doubles at 48 kHz (about sr * 0.578 s).
/// Reference: Jezar at Dreampoint, Freeverb (2000, public domain), after
/// Schroeder (1962) and Moorer, "About this reverberation business" (1979).
inline Frame reverb(Context& s, double x, double size = 0.8, double damp = 0.5, double mix = 0.3) noexcept LEL_RT {
    using namespace detail::delays;
    const Frame wet = reverb_tank(s, x, size, damp);
    const double m = unit_clamp(mix);
    return {(1.0 - m) * x + m * wet.left, (1.0 - m) * x + m * wet.right};
}

/// Stereo in: the tank hears the mid (left + right) / 2, the dry signal
/// keeps its stereo image. Otherwise as reverb(s, x, ...) above.
inline Frame reverb(Context& s, Frame x, double size = 0.8, double damp = 0.5, double mix = 0.3) noexcept LEL_RT {
    using namespace detail::delays;
    const Frame wet = reverb_tank(s, 0.5 * (x.left + x.right), size, damp);
    const double m = unit_clamp(mix);
    return {(1.0 - m) * x.left + m * wet.left, (1.0 - m) * x.right + m * wet.right};
}

}  // namespace lel
