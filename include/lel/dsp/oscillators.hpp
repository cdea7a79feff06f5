// lel — oscillators: a phasor, the fast sine, and band-limited saw, square
// and triangle, each with its own persistent state (dsp/state.hpp), so an
// oscillator's phase carries on through a reload (docs/stdlib/oscillators.md).
//
//     const double f = lel::mtof(lel::seq(s, {40, 43, 47, 45}, 0.5));
//     return 0.2 * lel::saw(s, f) + 0.1 * lel::square(s, 0.5 * f, 0.3);
//
// Units: `hz` in Hz (negative runs the waveform backwards), `width` the
// fraction of a period a square spends at +1. Outputs are in [-1, 1].
// Anything a live coder types gives a finite, bounded sound: a NaN hz
// holds the oscillator (0 Hz); saw, square and tri clamp |hz| to just
// under Nyquist (s.sr / 2), infinities included; phasor holds for an
// infinite hz, and sine (sine_table.hpp's fixed-point step) takes some step.
//
// Band limiting: saw, square and tri are the naive waveform with each
// discontinuity (a step in saw and square, a corner in tri) replaced by a
// cubic B-spline smoothed one — the 4-point "polyBLEP" and "polyBLAMP" of
// Välimäki, Pekonen and Nam, "Perceptually informed synthesis of bandlimited
// classical waveforms using integrated polynomial interpolation", JASA 131(1),
// 2012. The B-spline attenuates what folds back as sinc^4 (the common
// 2-point polyBLEP only as sinc^2): a 2,489 Hz saw at 48 kHz has every alias
// below 12 kHz 69.8 dB under its fundamental (tests/dsp/
// oscillators_test.cpp). The kernel spans two samples either side of the
// step, so these three output 2 samples late (42 µs at 48 kHz) and start
// with 2 samples of silence; since the B-spline is positive the smoothed
// waveform never overshoots [-1, 1]. The steps are placed at their exact
// fractional time, so audio-rate changes of hz stay band-limited. Their
// phase is a 64-bit fixed-point turn (it wraps by itself: the sample loop
// carries one integer add), which keeps a saw near 2 ns a sample.
#pragma once

#include <lel/context.hpp>
#include <lel/detail/rt.hpp>
#include <lel/dsp/state.hpp>
#include <lel/dsp/sine_table.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__) && defined(__x86_64__)
#include <immintrin.h>
#endif

namespace lel {
namespace detail {

/// A band-limited oscillator's phase is a 64-bit fixed-point turn: it
/// wraps by itself (one integer add a sample, no compare in the loop that
/// carries it), and an edge's crossing is an unsigned compare.
inline constexpr double turn64 = 0x1p64;

/// The phase step of `hz` per sample, in 2^-64 turns: |hz| clamped to just
/// under Nyquist, NaN is 0 Hz. dt is scaled before hz multiplies it (the
/// same product: 2^64 is a power of two), and on x86 the clamp is a mask,
/// a max and a min, no branch (g++ makes the portable form three).
inline int64_t bl_step(double hz, double dt) noexcept LEL_RT {
    constexpr double limit = (0.5 - 0x1p-40) * turn64;
    const double inc = hz * (dt * turn64);
#if defined(__SSE2__) && defined(__x86_64__)
    __m128d v = _mm_set_sd(inc);
    v = _mm_and_pd(v, _mm_cmpord_sd(v, v));
    v = _mm_min_sd(_mm_max_sd(v, _mm_set_sd(-limit)), _mm_set_sd(limit));
    return _mm_cvttsd_si64(v);
#else
    return static_cast<int64_t>(inc == inc ? (inc < -limit ? -limit : (inc > limit ? limit : inc)) : 0.0);
#endif
}

/// `x` in [0, 1] as a fixed-point phase, to 2^-53 (1 is 2^64, which wraps to 0).
inline uint64_t to_phase(double x) noexcept LEL_RT {
    return static_cast<uint64_t>(static_cast<int64_t>(x * 0x1p53)) << 11;
}

/// The fixed-point phase as a number in [0, 1).
inline double from_phase(uint64_t phase) noexcept LEL_RT {
    return static_cast<double>(static_cast<int64_t>(phase >> 11)) * 0x1p-53;
}

/// The naive saw at `phase`, 2 from_phase(phase) - 1 in one multiply-add.
inline double saw_value(uint64_t phase) noexcept LEL_RT {
    return static_cast<double>(static_cast<int64_t>(phase >> 11)) * 0x1p-52 - 1.0;
}

/// The state every band-limited oscillator keeps: its phase and the two
/// samples it holds back while their corrections may still come, plus the
/// correction already known for the coming sample.
struct BandLimited {
    double phase_bits;  ///< the fixed-point phase, as the bits of a double
    double late2;       ///< sample n-2 (out this call)
    double late1;       ///< sample n-1
    double pending;     ///< correction for sample n (from a step just before it)
};

/// Corrections of a step at fractional time: at samples n-2, n-1, n, n+1
/// for a step `d` samples before sample n (d in [0, 1]), per unit of step
/// (polyBLEP) or per unit of slope change per sample (polyBLAMP).
struct Spread {
    double m2, m1, p0, p1;
};

/// The integrated cubic B-spline minus the unit step, at t = d-2 .. d+1.
inline Spread blep4(double d) noexcept LEL_RT {
    const double u = d - 1.0, u2 = u * u;  // t for sample n-1, in [-1, 0]
    const double d2 = d * d;
    const double v = 1.0 - d, v2 = v * v;
    return {d2 * d2 * (1.0 / 24.0),
            0.5 + (4.0 * u - 2.0 * u2 * u - 0.75 * u2 * u2) * (1.0 / 6.0),
            -0.5 + (4.0 * d - 2.0 * d2 * d + 0.75 * d2 * d2) * (1.0 / 6.0),
            -v2 * v2 * (1.0 / 24.0)};
}

/// The twice-integrated cubic B-spline minus the unit ramp, at t = d-2 ..
/// d+1 (even in t).
inline Spread blamp4(double d) noexcept LEL_RT {
    // R(t) for t in [-1, 0]: the ramp's smoothed value left of the corner.
    const auto inner = [](double t) noexcept {
        const double t2 = t * t;
        return (1.0 / 120.0) + 0.5 * (t + 1.0) + (2.0 * t2 - 0.5 * t2 * t2 - 0.15 * t2 * t2 * t) * (1.0 / 6.0) - 0.275;
    };
    const double d2 = d * d, v = 1.0 - d, v2 = v * v;
    return {d2 * d2 * d * (1.0 / 120.0), inner(d - 1.0), inner(-d), v2 * v2 * v * (1.0 / 120.0)};
}

/// Whether the phase, going from `from` by `step` to `to`, passed `edge`
/// (the value there belongs to the side it went to); if so, `d` is how
/// long before `to` it did, in samples (in [0, 1]).
inline bool crossed(uint64_t from, uint64_t to, int64_t step, uint64_t edge, double& d) noexcept LEL_RT {
    if (step > 0) {
        if (edge - from - 1 >= static_cast<uint64_t>(step)) return false;
        d = static_cast<double>(static_cast<int64_t>(to - edge)) / static_cast<double>(step);
        return true;
    }
    const uint64_t back = 0 - static_cast<uint64_t>(step);
    if (step == 0 || from - edge >= back) return false;
    d = static_cast<double>(static_cast<int64_t>(edge - to)) / static_cast<double>(back);
    return true;
}

/// One sample of a band-limited oscillator: advances the phase by `step`,
/// lets `naive(phase)` give the sample (phase in [0, 1)) and
/// `edges(from, to, add)` report each step or corner (add(spread, size)),
/// and returns the sample of 2 samples ago.
template <class Naive, class Edges>
inline double band_limited(BandLimited& b, int64_t step, Naive naive, Edges edges) noexcept LEL_RT {
    uint64_t from;
    std::memcpy(&from, &b.phase_bits, sizeof from);
    const uint64_t to = from + static_cast<uint64_t>(step);
    std::memcpy(&b.phase_bits, &to, sizeof to);
    double now = naive(to) + b.pending;
    double next = 0.0;
    edges(from, to, [&](Spread c, double size) noexcept {
        b.late2 += size * c.m2;
        b.late1 += size * c.m1;
        now += size * c.p0;
        next += size * c.p1;
    });
    const double out = b.late2;
    b.late2 = b.late1;
    b.late1 = now;
    b.pending = next;
    return out;
}

struct PhasorState {
    static constexpr uint32_t kind = kind_id("lel.phasor");
    double phase_bits;  ///< a 64-bit fixed-point turn, as the band-limited ones'
};

struct SineState {
    static constexpr uint32_t kind = kind_id("lel.sine");
    double phase_bits;  ///< a 32-bit fixed-point turn, as in sine_table.hpp
};

struct SawState : BandLimited {
    static constexpr uint32_t kind = kind_id("lel.saw");
};

struct SquareState : BandLimited {
    static constexpr uint32_t kind = kind_id("lel.square");
    double latched;  ///< 1 + the width of the current period; 0 before the first
};

struct TriState : BandLimited {
    static constexpr uint32_t kind = kind_id("lel.tri");
};

}  // namespace detail

/// A ramp from 0 up to 1 (exclusive), `hz` times a second; negative hz
/// ramps down. Any hz works (it is not band-limited: it is for control and
/// for building waveforms); NaN or infinite holds. Starts at 0.
/// State: 1 double (a 64-bit fixed-point phase: its step is exact to
/// 2^-53 turn). Reference: a phase accumulator.
///
///     const double lfo = lel::phasor(s, 0.25);   // one sweep every 4 s
inline double phasor(Context& s, double hz) noexcept LEL_RT {
    auto& st = take<detail::PhasorState>(s);
    double inc = hz * s.dt;
    inc -= std::floor(inc);  // the step in [0, 1) turns; NaN and inf give NaN
    if (!(inc >= 0.0 && inc < 1.0)) inc = 0.0;
    uint64_t phase;
    std::memcpy(&phase, &st.phase_bits, sizeof phase);
    const uint64_t next = phase + detail::to_phase(inc);
    std::memcpy(&st.phase_bits, &next, sizeof next);
    return detail::from_phase(phase);
}

/// sin(2π·phase) at `hz` (negative runs backwards), from sine_table.hpp's table:
/// within 1.2e-6 of the true sine, and a tenth of std::sin's cost. Starts
/// at sin(0) = 0. Any hz is defined (beyond Nyquist it aliases, as a
/// sampled sine does). State: 1 double (the fixed-point phase).
/// The explicit-slot form lel::sine(s, hz, slot), phase in s.state[slot],
/// stays in sine_table.hpp.
///
///     return 0.2 * lel::sine(s, 440.0);
inline double sine(Context& s, double hz) noexcept LEL_RT {
    auto& st = take<detail::SineState>(s);
    uint32_t phase = detail::phase_bits(st.phase_bits);
    const double y = sine_of_phase(phase);
    phase += detail::phase_increment(hz, s.dt);
    detail::store_phase_bits(st.phase_bits, phase);
    return y;
}

/// A band-limited sawtooth rising from -1 to 1, `hz` times a second
/// (negative: falling). 4-point polyBLEP (Välimäki et al. 2012); 2 samples
/// of latency. State: 4 doubles.
///
///     const double bass = 0.3 * lel::saw(s, 55.0);
inline double saw(Context& s, double hz) noexcept LEL_RT {
    auto& st = take<detail::SawState>(s);
    const int64_t step = detail::bl_step(hz, s.dt);
    return detail::band_limited(
        st, step, [](uint64_t p) noexcept { return detail::saw_value(p); },
        [step](uint64_t from, uint64_t to, auto add) noexcept {
            double d;
            if (detail::crossed(from, to, step, 0, d)) [[unlikely]]
                add(detail::blep4(d), step > 0 ? -2.0 : 2.0);
        });
}

/// A band-limited pulse: +1 for the first `width` of each period, -1 for
/// the rest (width 0.5, the default, is a square; it is clamped to [0, 1],
/// NaN is 0.5). The width is taken once a period, at its start, so that
/// even an audio-rate pulse-width sweep stays band-limited and within
/// [-1, 1]. 4-point polyBLEP (Välimäki et al. 2012); 2 samples of latency.
/// State: 5 doubles.
///
///     const double reed = 0.2 * lel::square(s, 220.0, 0.25 + 0.2 * lel::sine(s, 0.3));
inline double square(Context& s, double hz, double width = 0.5) noexcept LEL_RT {
    auto& st = take<detail::SquareState>(s);
    const int64_t step = detail::bl_step(hz, s.dt);
    const double w_new = width == width ? (width < 0.0 ? 0.0 : (width > 1.0 ? 1.0 : width)) : 0.5;
    const double w_old = st.latched > 0.0 ? st.latched - 1.0 : w_new;  // latched: 1 + width, 0 before the first
    uint64_t from;
    std::memcpy(&from, &st.phase_bits, sizeof from);
    const uint64_t to = from + static_cast<uint64_t>(step);
    const bool wrapped = step > 0 ? to < from : to > from;
    const double w = wrapped ? w_new : w_old;
    st.latched = 1.0 + w;
    const uint64_t edge = detail::to_phase(w);  // 2^-53 resolution; 1 wraps to 0
    const uint64_t edge_old = detail::to_phase(w_old), edge_new = detail::to_phase(w_new);
    const bool full = w >= 1.0;
    return detail::band_limited(
        st, step, [edge, full](uint64_t p) noexcept { return full || p < edge ? 1.0 : -1.0; },
        [=](uint64_t from, uint64_t to, auto add) noexcept {
            const auto inside = [](double w) noexcept { return w > 0.0 && w < 1.0; };
            const auto at = [&](uint64_t e, double size) noexcept {
                double d;
                if (detail::crossed(from, to, step, e, d)) add(detail::blep4(d), size);
            };
            if (step > 0) {
                if (inside(w_old) && edge_old > from) at(edge_old, -2.0);  // this period's fall
                if (wrapped) {
                    const double jump = (w_new > 0.0 ? 1.0 : -1.0) - (w_old < 1.0 ? -1.0 : 1.0);
                    if (jump != 0.0) at(0, jump);
                    if (inside(w_new) && edge_new <= to) at(edge_new, -2.0);  // the next one's
                }
            } else if (step < 0) {
                if (inside(w_old) && edge_old <= from) at(edge_old, 2.0);
                if (wrapped) {
                    const double jump = (w_new < 1.0 ? -1.0 : 1.0) - (w_old > 0.0 ? 1.0 : -1.0);
                    if (jump != 0.0) at(0, jump);
                    if (inside(w_new) && edge_new > to) at(edge_new, 2.0);
                }
            }
        });
}

/// A band-limited triangle, starting at 0 and rising to 1 a quarter period
/// in, like a sine. 4-point polyBLAMP (Välimäki et al. 2012); 2 samples of
/// latency. State: 4 doubles.
///
///     const double flute = 0.3 * lel::tri(s, 660.0);
inline double tri(Context& s, double hz) noexcept LEL_RT {
    auto& st = take<detail::TriState>(s);
    const int64_t step = detail::bl_step(hz, s.dt);
    const double bend = 8.0 * std::fabs(static_cast<double>(step)) * 0x1p-64;  // slope change per sample at a corner
    return detail::band_limited(
        st, step,
        [](uint64_t phase) noexcept {
            // A quarter turn on, the triangle is 1 - |4q - 2|: no branch.
            const double q = detail::from_phase(phase + (uint64_t{1} << 62));
            return 1.0 - std::fabs(4.0 * q - 2.0);
        },
        [step, bend](uint64_t from, uint64_t to, auto add) noexcept {
            double d;
            if (detail::crossed(from, to, step, uint64_t{1} << 62, d)) [[unlikely]] add(detail::blamp4(d), -bend);
            if (detail::crossed(from, to, step, uint64_t{3} << 62, d)) [[unlikely]] add(detail::blamp4(d), bend);
        });
}

}  // namespace lel
