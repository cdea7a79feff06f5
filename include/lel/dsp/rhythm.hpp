// lel — rhythm on leld's beat grid: triggers, Euclidean patterns, step
// sequences, sample and hold (docs/stdlib/rhythm.md).
//
//     const double kick = lel::every(s, 1.0);                // each beat
//     const double hat  = lel::euclid(s, 5, 8, 0.25);        // x.xx.xx. in 16ths
//     const double note = lel::seq(s, {40, 43, 47, 45}, 0.5);
//     return lel::perc(s, kick, 0.001, 0.2) * lel::sine(s, 55.0);
//
// Time is s.beat: beats since frame 0 at leld's tempo (s.bpm), the grid
// quantized loads land on, so a pattern loaded on a bar line starts with it.
// A trigger is 1.0 on exactly one sample, the first sample of its step (the
// first whose beat is at or past the step's start), and 0.0 elsewhere: it
// feeds perc, adsr's gate, sample_hold.
//
// How a step is detected: a helper keeps the previous sample's beat in its
// state and fires when the step index (floor(beat / length)) grows. So a
// step fires once whatever the tempo does: a tempo change (a jump of the
// beat forward fires once, not once per step skipped; backwards fires
// nothing) never doubles a trigger, and a pattern loaded mid-bar fires
// nothing until its next step. Beats within 1e-9 step of a boundary count
// as on it, so that rounding in s.beat (frame * bpm / 60 / sr) never moves
// a trigger by a sample.
#pragma once

#include <lel/context.hpp>
#include <lel/detail/rt.hpp>
#include <lel/dsp/state.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>

namespace lel {
namespace detail {

/// Beats within this fraction of a step below a boundary count as on it.
inline constexpr double step_epsilon = 1e-9;

/// The step `beat` falls in, for steps `length` beats long (> 0).
inline double step_index(double beat, double length) noexcept LEL_RT {
    return std::floor(beat / length + step_epsilon);
}

/// True if a step boundary lies in (prev, now]: the step index grew.
/// Never for a length that is not > 0 or not finite.
inline bool step_crossed(double prev, double now, double length) noexcept LEL_RT {
    if (!(length > 0.0 && length < 1e300)) return false;
    return step_index(now, length) > step_index(prev, length);
}

/// The beat before this sample, for a helper called the first time: one
/// sample earlier at the current tempo (so frame 0 fires step 0).
inline double beat_before(const Context& s) noexcept LEL_RT {
    return s.beat - s.bpm * (1.0 / 60.0) * s.dt;
}

/// `index` modulo n (n >= 1) in [0, n); 0 for a non-finite index.
/// (index - n floor(index / n): exact for the integer indices step_index
/// gives below 2^53, and several times cheaper than std::fmod.)
inline std::size_t wrap_step(double index, std::size_t n) noexcept LEL_RT {
    const double len = static_cast<double>(n);
    const double p = index - len * std::floor(index / len);
    return p >= 0.0 && p < len ? static_cast<std::size_t>(p) : 0;
}

/// The Euclidean rhythm E(hits, steps) by Bjorklund's algorithm, as
/// Toussaint ("The Euclidean algorithm generates traditional musical
/// rhythms", 2005) and Tidal give it: bit p set if step p is a hit,
/// starting with a hit. E(3,8) = x..x..x., E(5,8) = x.xx.xx. steps in
/// [1, 64], hits in [0, steps]. No allocation (two arrays of 64 on the
/// stack); lel::euclid calls it only when hits or steps change.
inline uint64_t bjorklund(int hits, int steps) noexcept LEL_RT {
    if (hits <= 0) return 0;
    if (hits >= steps) return steps >= 64 ? ~uint64_t{0} : (uint64_t{1} << steps) - 1;
    // Groups of steps, each as bits and a length: first `na` groups "a"
    // (starting with a hit), then `nb` groups "b", the remainder. Each round
    // appends one b to each a, until at most one b is left.
    uint64_t bits[64];
    int len[64];
    int na = hits, nb = steps - hits;
    for (int i = 0; i < steps; ++i) {
        bits[i] = i < hits ? 1 : 0;
        len[i] = 1;
    }
    while (nb > 1) {
        const int m = na < nb ? na : nb;
        for (int i = 0; i < m; ++i) {
            bits[i] |= bits[na + i] << len[i];
            len[i] += len[na + i];
        }
        int rest;
        if (na > m) {
            rest = na - m;  // the a's left over already follow the new a's
        } else {
            rest = nb - m;  // move the b's left over down after the new a's
            for (int j = 0; j < rest; ++j) {
                bits[m + j] = bits[na + m + j];
                len[m + j] = len[na + m + j];
            }
        }
        na = m;
        nb = rest;
    }
    uint64_t out = 0;
    int at = 0;
    for (int i = 0; i < na + nb; ++i) {
        out |= bits[i] << at;
        at += len[i];
    }
    return out;
}

}  // namespace detail

/// State of lel::every: 2 doubles.
struct EveryState {
    static constexpr uint32_t kind = kind_id("lel.every");
    double started;  ///< 1 once prev_beat holds a beat
    double prev_beat;
};

/// A trigger on each multiple of `beats` (a metronome: 1 = each beat,
/// 4 = each bar in 4/4, 0.25 = sixteenths): 1.0 on the first sample at or
/// after beat k * beats, else 0.0. `beats` <= 0 or NaN never fires; a
/// `beats` shorter than a sample fires at most once per sample.
///
///     lel::perc(s, lel::every(s, 0.5), 0.001, 0.1)
///
/// State: 2 doubles. Wait-free; one division and two floors per sample.
inline double every(Context& s, double beats) noexcept LEL_RT {
    EveryState& st = take<EveryState>(s);
    const double prev = st.started != 0.0 ? st.prev_beat : detail::beat_before(s);
    st.started = 1.0;
    st.prev_beat = s.beat;
    return detail::step_crossed(prev, s.beat, beats) ? 1.0 : 0.0;
}

/// State of lel::euclid: 5 doubles.
struct EuclidState {
    static constexpr uint32_t kind = kind_id("lel.euclid");
    double started;    ///< 1 once prev_beat holds a beat
    double prev_beat;
    double hits;       ///< the (hits, steps) `pattern` was computed for
    double steps;      ///< (0 before the first computation)
    double pattern;    ///< detail::bjorklund's bits, stored as a uint64_t's bits
};

/// A trigger on the hits of the Euclidean rhythm E(hits, steps) (Toussaint
/// 2005, Bjorklund's algorithm: `hits` onsets spread as evenly as possible
/// over `steps` steps, starting with a hit), each step `beats_per_step`
/// beats long; the pattern repeats every steps * beats_per_step beats from
/// beat 0. hits and steps are rounded; steps clamped to [1, 64], hits to
/// [0, steps]. E(3,8) = x..x..x. (tresillo), E(5,8) = x.xx.xx. (cinquillo).
///
///     lel::euclid(s, 3, 8, 0.25)   // tresillo in sixteenths
///
/// State: 5 doubles. Wait-free; the pattern is recomputed (<1 us) only when
/// hits or steps change.
inline double euclid(Context& s, double hits, double steps, double beats_per_step) noexcept LEL_RT {
    EuclidState& st = take<EuclidState>(s);
    const double prev = st.started != 0.0 ? st.prev_beat : detail::beat_before(s);
    st.started = 1.0;
    st.prev_beat = s.beat;

    const double n = std::round(steps);
    const double steps_clamped = n >= 1.0 ? (n <= 64.0 ? n : 64.0) : 1.0;  // NaN: 1
    const double k = std::round(hits);
    const double hits_clamped = k >= 0.0 ? (k <= steps_clamped ? k : steps_clamped) : 0.0;
    uint64_t pattern;
    if (hits_clamped != st.hits || steps_clamped != st.steps) {
        st.hits = hits_clamped;
        st.steps = steps_clamped;
        pattern = detail::bjorklund(static_cast<int>(hits_clamped), static_cast<int>(steps_clamped));
        std::memcpy(&st.pattern, &pattern, sizeof pattern);
    } else {
        std::memcpy(&pattern, &st.pattern, sizeof pattern);
    }
    if (!detail::step_crossed(prev, s.beat, beats_per_step)) return 0.0;
    const std::size_t at = detail::wrap_step(detail::step_index(s.beat, beats_per_step),
                                             static_cast<std::size_t>(steps_clamped));
    return (pattern >> at) & 1u ? 1.0 : 0.0;
}

/// A step sequencer: the value of the current step, steps `beats_per_step`
/// beats long, cycling through `values` from beat 0 (so the sequence is
/// aligned to the bar whenever it is loaded). An empty list gives 0; a
/// `beats_per_step` not > 0 holds the first value. The values are read in
/// place (an initializer_list lives on the stack; a span may point to a
/// table built in the session body): no allocation.
///
///     const double hz = lel::mtof(lel::seq(s, {45, 48, 52, 55}, 0.5));
///
/// State: none (the step follows s.beat). Wait-free; two divisions and
/// two floors per sample.
inline double seq(Context& s, std::span<const double> values, double beats_per_step) noexcept LEL_RT {
    if (values.empty()) return 0.0;
    if (!(beats_per_step > 0.0 && beats_per_step < 1e300)) return values[0];
    return values[detail::wrap_step(detail::step_index(s.beat, beats_per_step), values.size())];
}

inline double seq(Context& s, std::initializer_list<double> values, double beats_per_step) noexcept LEL_RT {
    return seq(s, std::span<const double>(values.begin(), values.size()), beats_per_step);
}

/// State of lel::sample_hold: 3 doubles.
struct SampleHoldState {
    static constexpr uint32_t kind = kind_id("lel.sample_hold");
    double started;   ///< 1 once `held` holds a value
    double held;
    double trig_was;  ///< 1 if trig was > 0 at the previous sample
};

/// Sample and hold (SuperCollider's Latch): outputs x as it was at the last
/// rising edge of `trig` (trig > 0 after trig <= 0). Before the first edge
/// it holds x's first value. A non-finite x is not sampled (the old value
/// is kept).
///
///     const double cutoff = 400 + 3000 * std::abs(lel::sample_hold(s, lel::noise(s), lel::every(s, 0.25)));
///
/// State: 3 doubles. Wait-free.
inline double sample_hold(Context& s, double x, double trig) noexcept LEL_RT {
    SampleHoldState& st = take<SampleHoldState>(s);
    const bool edge = trig > 0.0 && !(st.trig_was > 0.0);
    st.trig_was = trig > 0.0 ? 1.0 : 0.0;
    if ((edge || st.started == 0.0) && std::isfinite(x)) {
        st.held = x;
        st.started = 1.0;
    }
    return st.held;
}

}  // namespace lel
