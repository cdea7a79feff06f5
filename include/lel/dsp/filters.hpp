// lel — filters: state-variable (TPT), one-pole, DC blocker, RBJ biquad EQ,
// and a Moog-style ladder. Each call keeps its own state (dsp/state.hpp).
//
//     const double bass = lel::lowpass(s, lel::saw(s, 55.0), 800.0, 4.0);
//     const double warm = lel::ladder(s, x, 300.0 + 2000.0 * env, 0.8);
//
// Units: `x` is audio, `hz` a cutoff or centre in Hz, `q` the quality factor
// (0.7071 is Butterworth), `gain_db` in dB, `resonance` in [0, 1]. Every
// parameter is clamped to where the filter is defined and stable, so that
// anything a live coder types (0 Hz, Nyquist, negative, NaN, a huge q) gives
// a finite, bounded sound:
//   - hz to [0.001, 0.49 * s.sr] (NaN: 0.001), q to [0.01, 100],
//     gain_db to [-60, 60], resonance to [0, 1];
//   - a filter whose memory went non-finite (a NaN or inf fed in, which
//     would otherwise stay in its state across every reload) starts again
//     from silence on the next sample.
//
// Where the output leaves [-1, 1] for input in [-1, 1], by design:
//   - lowpass and highpass peak at about q times the input near the cutoff
//     (q = 4: +12 dB; q = 100: +40 dB); bandpass and notch never exceed 1;
//   - peak and the shelves boost by gain_db;
//   - ladder: at resonance 1 a full-scale saw peaks at about 2.3 (a
//     quarter-scale one at about 1.2), and alone it self-oscillates at
//     about 0.59 (see ladder below).
//
// Cost: coefficients are recomputed only when a parameter changes (each
// block caches its last parameters), so a steady filter costs a few
// multiply-adds per sample, and an audio-rate sweep pays for one tan per
// sample. Figures: docs/stdlib/filters.md, measured by
// tests/dsp/filters_test.cpp.
#pragma once

#include <lel/context.hpp>
#include <lel/detail/rt.hpp>
#include <lel/dsp/state.hpp>

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace lel {
namespace detail {

inline constexpr double filter_pi = 3.14159265358979323846;

/// `hz` clamped to [0.001, 0.49 * sr]; NaN gives the floor.
inline double clamp_cutoff(double hz, double sr) noexcept LEL_RT {
    const double top = 0.49 * sr;
    if (!(hz > 0.001)) return 0.001;
    return hz < top ? hz : top;
}

/// `v` clamped to [lo, hi]; NaN gives `lo`.
inline double clamp_param(double v, double lo, double hi) noexcept LEL_RT {
    if (!(v > lo)) return lo;
    return v < hi ? v : hi;
}

/// The prewarped integrator gain of a TPT filter: tan(pi * hz / sr), so that
/// the digital filter's cutoff lands exactly on `hz` (Zavalishin, "The Art
/// of VA Filter Design", 3.8).
inline double prewarp(double hz, double sr) noexcept LEL_RT {
    return std::tan(filter_pi * clamp_cutoff(hz, sr) / sr);
}

/// Nonzero when `a` and `b` differ in any bit: how a cached parameter is
/// compared with this call's. One integer op per parameter and one branch
/// for them all (a double == needs two branches each, for NaN); a NaN
/// parameter matches itself, so it is not redesigned every sample, and
/// -0.0 against 0.0 only recomputes the same coefficients.
inline uint64_t differs(double a, double b) noexcept LEL_RT {
    return std::bit_cast<uint64_t>(a) ^ std::bit_cast<uint64_t>(b);
}

/// False for a memory gone non-finite or absurdly large (NaN fails every
/// comparison), which the filter then clears.
inline bool filter_memory_ok(double a, double b) noexcept LEL_RT {
    return std::fabs(a) + std::fabs(b) < 1e18;
}

/// A smooth saturator for the ladder: the [3/2] Padé approximant of tanh,
/// x (27 + x^2) / (27 + 9 x^2), which meets +-1 with zero slope at |x| = 3
/// and is clipped there; within 2.4% of tanh, for a few multiply-adds.
inline double ladder_saturate(double x) noexcept LEL_RT {
    if (x > 3.0) return 1.0;
    if (x < -3.0) return -1.0;
    const double x2 = x * x;
    return x * (27.0 + x2) / (27.0 + 9.0 * x2);
}

/// The state of one state-variable filter: two trapezoidal integrators and
/// the coefficients of the last (hz, q) it saw, laid out in pairs so that
/// the memories' update is three two-lane multiply-adds (see svf).
struct SvfState {
    // "/2": the update's coefficients in lane pairs (the first layout, 11
    // doubles, kept them as four scalars).
    static constexpr uint32_t kind = kind_id("lel.svf/2");
    double ic1, ic2;           ///< integrator memories
    double hz, q, sr, ready;   ///< parameters the coefficients are for (ready = 1 once set)
    double k;                  ///< damping 1/q
    double d1, d2;             ///< each memory's weight in its own update: m11, m22
    double o1, o2;             ///< the other memory's: -m12 (ic2 in ic1'), m12 (ic1 in ic2')
    double x1, x2;             ///< the input's: m12, m2x
};

enum class SvfMode { low, high, band, notch };

/// Whether a state-variable filter's coefficients are for (hz, q, sr):
/// the four doubles at `cached` (its hz, q, sr and `ready`, 1 once set)
/// hold exactly these bits. With AVX2 one test of the four at once (a
/// load-and-xor, a test and a branch, where a double == per parameter
/// costs a compare and two branches, more than the filter's arithmetic).
inline bool svf_cached_for(const double* cached, double hz, double q, double sr) noexcept LEL_RT {
#if defined(__AVX2__)
    const __m256i want = _mm256_castpd_si256(_mm256_setr_pd(hz, q, sr, 1.0));
    const __m256i have = _mm256_loadu_si256(reinterpret_cast<const __m256i_u*>(cached));
    const __m256i diff = _mm256_xor_si256(want, have);
    return _mm256_testz_si256(diff, diff) != 0;
#else
    return (differs(hz, cached[0]) | differs(q, cached[1]) | differs(sr, cached[2]) | differs(1.0, cached[3])) == 0;
#endif
}
static_assert(offsetof(SvfState, q) == offsetof(SvfState, hz) + 8 && offsetof(SvfState, sr) == offsetof(SvfState, hz) + 16 &&
                  offsetof(SvfState, ready) == offsetof(SvfState, hz) + 24,
              "svf_cached_for reads hz, q, sr and ready as four doubles in a row");
static_assert(offsetof(SvfState, ic2) == offsetof(SvfState, ic1) + 8 && offsetof(SvfState, d2) == offsetof(SvfState, d1) + 8 &&
                  offsetof(SvfState, o2) == offsetof(SvfState, o1) + 8 && offsetof(SvfState, x2) == offsetof(SvfState, x1) + 8,
              "svf reads its memories and each coefficient pair as two doubles in a row");

/// The filter's coefficients for (hz, q) at `sr`, and that key.
inline void svf_design(SvfState& f, double hz, double q, double sr) noexcept LEL_RT {
    const double g = prewarp(hz, sr);
    f.k = 1.0 / clamp_param(q, 0.01, 100.0);
    const double a1 = 1.0 / (1.0 + g * (g + f.k));
    const double a2 = g * a1;
    const double a3 = g * a2;
    f.d1 = 2.0 * a1 - 1.0;
    f.d2 = 1.0 - 2.0 * a3;
    f.o1 = -2.0 * a2;
    f.o2 = 2.0 * a2;
    f.x1 = 2.0 * a2;
    f.x2 = 2.0 * a3;
    f.hz = hz;
    f.q = q;
    f.sr = sr;
    f.ready = 1.0;
}

/// One sample of the TPT state-variable filter (Zavalishin, "The Art of VA
/// Filter Design", ch. 4; the loop solved in closed form as in A. Simper,
/// "Linear trapezoidal integrated SVF", Cytomic, 2013). Both integrators are
/// trapezoidal, so per-sample changes of hz and q keep it stable.
///
/// The loop, with g = tan(pi hz / sr), k = 1/q, a1 = 1 / (1 + g (g + k)),
/// a2 = g a1, a3 = g a2:
///     v1 = a1 ic1 + a2 (x - ic2)            band-pass (gain q at the centre)
///     v2 = ic2 + a2 ic1 + a3 (x - ic2)      low-pass
///     ic1' = 2 v1 - ic1,  ic2' = 2 v2 - ic2
/// is computed as the linear map it is, memories to memories:
///     ic1' = (2 a1 - 1) ic1 - 2 a2 ic2 + 2 a2 x
///     ic2' = 2 a2 ic1 + (1 - 2 a3) ic2 + 2 a3 x
/// and the outputs from the memories either side, v1 = (ic1 + ic1') / 2,
/// v2 = (ic2 + ic2') / 2. The same filter; what changes is the chain one
/// sample waits for: two multiply-adds from memory to memory, where the
/// textbook order has four (x - ic2, v1 or v2, then 2 v - ic), and the
/// outputs are off it. The filter is a recursion that no two samples of
/// can run in parallel, so that chain is its cost. With FMA both memories
/// are one two-lane vector: (ic1', ic2') = x (x1, x2) + (d1, d2) (ic1, ic2)
/// + (o1, o2) (ic2, ic1), three vector instructions where the scalar form
/// takes six and the compiler's own vectorization of it added a shuffle to
/// the chain (svf_tick).
/// The band-pass (v1, gain q at the centre) and low-pass (v2) of one sample.
struct SvfOut {
    double v1, v2;
};

/// One sample of the filter with its coefficients set (svf_design).
inline SvfOut svf_tick(SvfState& f, double x) noexcept LEL_RT {
#if defined(__AVX2__) && defined(__FMA__)
    const __m128d ic = _mm_loadu_pd(&f.ic1);
    const __m128d input = _mm_mul_pd(_mm_loadu_pd(&f.x1), _mm_set1_pd(x));
    const __m128d own = _mm_fmadd_pd(_mm_loadu_pd(&f.d1), ic, input);
    const __m128d next = _mm_fmadd_pd(_mm_loadu_pd(&f.o1), _mm_permute_pd(ic, 1), own);
    // A memory gone non-finite or absurdly large (NaN fails every
    // comparison) is cleared: filter_memory_ok for both lanes at once.
    const __m128d size = _mm_and_pd(next, _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffff)));
    const __m128d bad = _mm_cmp_pd(size, _mm_set1_pd(1e18), _CMP_NLT_UQ);
    _mm_storeu_pd(&f.ic1, next);
    if (!_mm_testz_pd(bad, bad)) [[unlikely]] {
        LEL_RARE();
        f.ic1 = f.ic2 = 0.0;
    }
    const __m128d v = _mm_mul_pd(_mm_add_pd(ic, next), _mm_set1_pd(0.5));
    return {_mm_cvtsd_f64(v), _mm_cvtsd_f64(_mm_unpackhi_pd(v, v))};
#else
    const double ic1 = f.ic1, ic2 = f.ic2;
    const double next1 = f.x1 * x + f.d1 * ic1 + f.o1 * ic2;
    const double next2 = f.x2 * x + f.d2 * ic2 + f.o2 * ic1;
    f.ic1 = next1;
    f.ic2 = next2;
    if (!filter_memory_ok(next1, next2)) [[unlikely]] {
        LEL_RARE();
        f.ic1 = f.ic2 = 0.0;
    }
    return {0.5 * (ic1 + next1), 0.5 * (ic2 + next2)};
#endif
}

template <SvfMode mode>
inline double svf(Context& s, double x, double hz, double q) noexcept LEL_RT {
    SvfState& f = take<SvfState>(s);
    if (!svf_cached_for(&f.hz, hz, q, s.sr)) [[unlikely]] svf_design(f, hz, q, s.sr);
    const SvfOut v = svf_tick(f, x);
    if constexpr (mode == SvfMode::low) return v.v2;
    if constexpr (mode == SvfMode::high) return x - f.k * v.v1 - v.v2;
    if constexpr (mode == SvfMode::band) return f.k * v.v1;
    return x - f.k * v.v1;
}

/// The state of one biquad: the transposed direct form II memories and the
/// coefficients of the last (hz, q, gain_db) it saw.
struct BiquadState {
    double z1, z2;
    double hz, q, gain_db, sr, ready;
    double b0, b1, b2, a1, a2;  ///< normalised by a0
};

enum class BiquadShape { peak, low_shelf, high_shelf };

/// Sets `f`'s coefficients from the RBJ Audio EQ Cookbook (R. Bristow-
/// Johnson): the bilinear transform of the analog prototype, with w0
/// prewarped so that the centre or shelf midpoint lands on `hz`.
template <BiquadShape shape>
inline void biquad_design(BiquadState& f, double hz, double q, double gain_db, double sr) noexcept LEL_RT {
    const double w0 = 2.0 * filter_pi * clamp_cutoff(hz, sr) / sr;
    const double cw = std::cos(w0);
    const double alpha = std::sin(w0) / (2.0 * clamp_param(q, 0.01, 100.0));
    const double a = std::pow(10.0, clamp_param(gain_db, -60.0, 60.0) / 40.0);
    double b0, b1, b2, a0, a1, a2;
    if constexpr (shape == BiquadShape::peak) {
        b0 = 1.0 + alpha * a;
        b1 = -2.0 * cw;
        b2 = 1.0 - alpha * a;
        a0 = 1.0 + alpha / a;
        a1 = -2.0 * cw;
        a2 = 1.0 - alpha / a;
    } else {
        const double ra = 2.0 * std::sqrt(a) * alpha;
        const double sign = shape == BiquadShape::low_shelf ? 1.0 : -1.0;
        // The high shelf is the low shelf with cos(w0) -> -cos(w0) and b1, a1
        // negated: its mirror about fs/4.
        const double c = sign * cw;
        b0 = a * ((a + 1.0) - (a - 1.0) * c + ra);
        b1 = sign * 2.0 * a * ((a - 1.0) - (a + 1.0) * c);
        b2 = a * ((a + 1.0) - (a - 1.0) * c - ra);
        a0 = (a + 1.0) + (a - 1.0) * c + ra;
        a1 = sign * -2.0 * ((a - 1.0) + (a + 1.0) * c);
        a2 = (a + 1.0) + (a - 1.0) * c - ra;
    }
    const double n = 1.0 / a0;
    f.b0 = b0 * n;
    f.b1 = b1 * n;
    f.b2 = b2 * n;
    f.a1 = a1 * n;
    f.a2 = a2 * n;
}

template <BiquadShape shape, class State>
inline double biquad(Context& s, double x, double hz, double q, double gain_db) noexcept LEL_RT {
    BiquadState& f = take<State>(s).f;
    if (hz != f.hz || q != f.q || gain_db != f.gain_db || s.sr != f.sr || f.ready == 0.0) [[unlikely]] {
        biquad_design<shape>(f, hz, q, gain_db, s.sr);
        f.hz = hz;
        f.q = q;
        f.gain_db = gain_db;
        f.sr = s.sr;
        f.ready = 1.0;
    }
    const double y = f.b0 * x + f.z1;
    f.z1 = f.b1 * x - f.a1 * y + f.z2;
    f.z2 = f.b2 * x - f.a2 * y;
    if (!filter_memory_ok(f.z1, f.z2)) [[unlikely]] {
        LEL_RARE();
        f.z1 = f.z2 = 0.0;
    }
    return y;
}

// One kind per shape: a peak's memories mean nothing to a shelf.
template <uint32_t K>
struct BiquadBlock {
    static constexpr uint32_t kind = K;
    BiquadState f;
};
using PeakState = BiquadBlock<kind_id("lel.peak")>;
using LowShelfState = BiquadBlock<kind_id("lel.lowshelf")>;
using HighShelfState = BiquadBlock<kind_id("lel.highshelf")>;

struct OnepoleState {
    static constexpr uint32_t kind = kind_id("lel.onepole");
    double z;
    double hz, sr, ready;
    double gain;  ///< g / (1 + g)
};

struct DcblockState {
    static constexpr uint32_t kind = kind_id("lel.dcblock");
    double x1, y1;
};

struct LadderState {
    static constexpr uint32_t kind = kind_id("lel.ladder");
    double z[4];                    ///< the four one-poles' memories
    double hz, resonance, sr, ready;  ///< parameters the coefficients are for
    double gain;                    ///< g / (1 + g), one stage's
    double k;                       ///< feedback, ladder_max_feedback * resonance
    double solve;                   ///< 1 / (1 + k gain^4), the loop solved
};

/// The ladder's feedback at resonance 1: a little above 4, the linear
/// ladder's edge of stability, so that it oscillates from resonance 0.952 on
/// and the saturator sets the level (0.59, tests/dsp/filters_test.cpp).
inline constexpr double ladder_max_feedback = 4.2;

}  // namespace detail

// ---------------------------------------------------------------------------
// State-variable filters. Usage: `lel::lowpass(s, x, hz, q)`.
// x: audio; hz: cutoff (centre) in Hz, clamped to [0.001, 0.49 sr]; q: 0.7071
// for Butterworth, clamped to [0.01, 100]. 12 dB/octave. State: 13 doubles,
// kind "lel.svf/2", shared by the four modes (a reload that turns a lowpass
// into a highpass keeps its memory).
// Reference: V. Zavalishin, "The Art of VA Filter Design" (2018), ch. 4
// (TPT / zero-delay-feedback SVF); A. Simper, Cytomic SVF paper (2013).
// ---------------------------------------------------------------------------

/// Low-pass: -3 dB at hz for q = 0.7071, a resonant peak of about q above.
inline double lowpass(Context& s, double x, double hz, double q = 0.7071) noexcept LEL_RT {
    return detail::svf<detail::SvfMode::low>(s, x, hz, q);
}

/// High-pass: the mirror of lowpass.
inline double highpass(Context& s, double x, double hz, double q = 0.7071) noexcept LEL_RT {
    return detail::svf<detail::SvfMode::high>(s, x, hz, q);
}

/// Band-pass of constant 0 dB peak gain at hz; -3 dB bandwidth hz / q.
inline double bandpass(Context& s, double x, double hz, double q = 0.7071) noexcept LEL_RT {
    return detail::svf<detail::SvfMode::band>(s, x, hz, q);
}

/// Notch (band-reject): a null at hz, -3 dB bandwidth hz / q.
inline double notch(Context& s, double x, double hz, double q = 0.7071) noexcept LEL_RT {
    return detail::svf<detail::SvfMode::notch>(s, x, hz, q);
}

// ---------------------------------------------------------------------------
// One-pole low-pass and DC blocker.
// ---------------------------------------------------------------------------

/// One-pole low-pass, -3 dB at hz, 6 dB/octave. Usage:
/// `lel::onepole(s, x, hz)`. hz clamped as above. State: 5 doubles.
/// Reference: Zavalishin, "The Art of VA Filter Design", 3.9 (TPT one-pole).
inline double onepole(Context& s, double x, double hz) noexcept LEL_RT {
    detail::OnepoleState& f = take<detail::OnepoleState>(s);
    if (hz != f.hz || s.sr != f.sr || f.ready == 0.0) [[unlikely]] {
        const double g = detail::prewarp(hz, s.sr);
        f.gain = g / (1.0 + g);
        f.hz = hz;
        f.sr = s.sr;
        f.ready = 1.0;
    }
    const double v = (x - f.z) * f.gain;
    const double y = v + f.z;
    f.z = y + v;
    if (!detail::filter_memory_ok(f.z, 0.0)) [[unlikely]] {
        LEL_RARE();
        f.z = 0.0;
    }
    return y;
}

/// DC blocker: a one-pole, one-zero high-pass at 10 Hz, y = x - x1 + R y1
/// with R = 1 - 2 pi 10 / sr. DC is removed exactly (a zero at 0 Hz; an
/// offset decays by 60 dB in about 0.11 s); 100 Hz passes at -0.04 dB.
/// Usage: `lel::dcblock(s, x)`. State: 2 doubles.
/// Reference: J. O. Smith, "Introduction to Digital Filters", DC blocker.
inline double dcblock(Context& s, double x) noexcept LEL_RT {
    detail::DcblockState& f = take<detail::DcblockState>(s);
    const double r = 1.0 - 2.0 * detail::filter_pi * 10.0 * s.dt;
    const double y = x - f.x1 + r * f.y1;
    f.x1 = x;
    f.y1 = y;
    if (!detail::filter_memory_ok(f.x1, f.y1)) [[unlikely]] {
        LEL_RARE();
        f.x1 = f.y1 = 0.0;
    }
    return y;
}

// ---------------------------------------------------------------------------
// RBJ biquad EQ. Usage: `lel::peak(s, x, hz, q, gain_db)`.
// hz: centre (peak) or shelf midpoint in Hz; q: bandwidth (peak) or shelf
// slope (0.7071: the steepest shelf without overshoot, S = 1); gain_db:
// boost (> 0) or cut (< 0) in dB, clamped to [-60, 60]. Transposed direct
// form II; coefficients recomputed only when a parameter changes. State:
// 12 doubles each; one kind per shape.
// Reference: R. Bristow-Johnson, "Cookbook formulae for audio EQ biquad
// filter coefficients" (the Audio EQ Cookbook).
// ---------------------------------------------------------------------------

/// Peaking EQ: gain_db at hz, 0 dB far from it.
inline double peak(Context& s, double x, double hz, double q, double gain_db) noexcept LEL_RT {
    return detail::biquad<detail::BiquadShape::peak, detail::PeakState>(s, x, hz, q, gain_db);
}

/// Low shelf: gain_db below hz, half of it (in dB) at hz, 0 dB above.
inline double lowshelf(Context& s, double x, double hz, double q, double gain_db) noexcept LEL_RT {
    return detail::biquad<detail::BiquadShape::low_shelf, detail::LowShelfState>(s, x, hz, q, gain_db);
}

/// High shelf: gain_db above hz, half of it (in dB) at hz, 0 dB below.
inline double highshelf(Context& s, double x, double hz, double q, double gain_db) noexcept LEL_RT {
    return detail::biquad<detail::BiquadShape::high_shelf, detail::HighShelfState>(s, x, hz, q, gain_db);
}

// ---------------------------------------------------------------------------
// Moog-style ladder. Usage: `lel::ladder(s, x, hz, resonance)`.
// Four TPT one-poles in a feedback loop, 24 dB/octave. The feedback is
// solved without a unit delay (zero-delay feedback), then the ladder's input
// (x minus the feedback) goes through a tanh-like saturator, as the
// transistor pair at the bottom of the Moog ladder does; the stages see only
// that bounded signal, so the ladder cannot blow up. resonance in [0, 1]:
// feedback 4.2 * resonance, so it self-oscillates from about 0.95 on, a sine
// at hz (within 0.01%) of 0.59 at resonance 1. The pass band is compensated (output
// times 1 + feedback): low notes keep their level as resonance rises.
// hz clamped to [0.001, 0.49 sr]. Input above about 0.3 is driven into the
// saturator (louder input: more grit, not more level). State: 11 doubles.
// Reference: Zavalishin, "The Art of VA Filter Design", ch. 5 (TPT ladder,
// the feedback solved in closed form, nonlinearity at the input stage);
// R. Moog, US patent 3,475,623.
// ---------------------------------------------------------------------------

inline double ladder(Context& s, double x, double hz, double resonance) noexcept LEL_RT {
    detail::LadderState& f = take<detail::LadderState>(s);
    if (hz != f.hz || resonance != f.resonance || s.sr != f.sr || f.ready == 0.0) [[unlikely]] {
        const double g = detail::prewarp(hz, s.sr);
        f.gain = g / (1.0 + g);
        f.k = detail::ladder_max_feedback * detail::clamp_param(resonance, 0.0, 1.0);
        const double g2 = f.gain * f.gain;
        f.solve = 1.0 / (1.0 + f.k * g2 * g2);
        f.hz = hz;
        f.resonance = resonance;
        f.sr = s.sr;
        f.ready = 1.0;
    }
    const double G = f.gain, h = 1.0 - G;
    // Each stage is y = G u + (1 - G) z; the fourth stage's output is then
    // G^4 u + S, with S what the memories contribute, and u = x - k y4
    // solves to u = (x - k S) / (1 + k G^4).
    const double m0 = h * f.z[0], m1 = h * f.z[1], m2 = h * f.z[2], m3 = h * f.z[3];
    const double sum = ((m0 * G + m1) * G + m2) * G + m3;
    const double u = detail::ladder_saturate((x - f.k * sum) * f.solve);
    const double y1 = G * u + m0;
    const double y2 = G * y1 + m1;
    const double y3 = G * y2 + m2;
    const double y4 = G * y3 + m3;
    f.z[0] = 2.0 * y1 - f.z[0];
    f.z[1] = 2.0 * y2 - f.z[1];
    f.z[2] = 2.0 * y3 - f.z[2];
    f.z[3] = 2.0 * y4 - f.z[3];
    if (!detail::filter_memory_ok(f.z[0] + f.z[1], f.z[2] + f.z[3])) [[unlikely]] {
        LEL_RARE();
        f.z[0] = f.z[1] = f.z[2] = f.z[3] = 0.0;
    }
    return y4 * (1.0 + f.k);
}

}  // namespace lel
