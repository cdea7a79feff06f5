// lel — envelopes: ADSR, percussive, line, lag (docs/stdlib/envelopes.md).
//
//     const double g = lel::seq(s, {1, 0, 1, 1}, 0.25);      // a gate
//     const double env = lel::adsr(s, g, 0.005, 0.2, 0.6, 0.3);
//     return 0.3 * env * lel::saw(s, 110.0);
//
// Times are in seconds and mean what a musician reads on a synth's panel:
// how long the segment takes to reach its target, whatever its curve (the
// tests measure it to the millisecond). A time of 0 (or negative, or NaN)
// is immediate; an infinite one holds. Levels are in [0, 1].
//
// Curves: attacks are linear (so a retrigger from any level keeps the same
// slope, and never jumps); decays and releases follow (1 - p)^3 of the way
// from where they started to their target, p going linearly from 0 to 1
// over the segment's time: fast at first like an exponential, yet reaching
// the target exactly on time, and cheap (no exp per sample; a time changed
// mid-segment takes effect at once).
//
// Each helper keeps its state in its own block (dsp/state.hpp), so an
// envelope in mid-release carries on through a reload.
#pragma once

#include <lel/context.hpp>
#include <lel/detail/rt.hpp>
#include <lel/dsp/state.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#if defined(__SSE2__)
#include <immintrin.h>
#endif

namespace lel {
namespace detail {

/// The phase a segment of `seconds` advances per sample: > 1 (done at
/// once) for 0, negative or NaN; 0 (holds) for +inf.
inline double segment_step(double seconds, double dt) noexcept LEL_RT {
    return seconds > 0.0 ? dt / seconds : 2.0;
}

/// How much of a decay or release remains at phase p in [0, 1]: (1 - p)^3.
inline double fall_curve(double p) noexcept LEL_RT {
    const double q = 1.0 - p;
    return q * q * q;
}

/// Whether `step` (what a segment stored) is segment_step(seconds, dt):
/// step * seconds gives dt back to rounding, so a changed time or sample
/// rate, or a step left by another segment, fails at once, and any bytes
/// in `step` are safe. A multiply and a compare where segment_step divides.
inline bool step_fits(double step, double seconds, double dt) noexcept LEL_RT {
    return std::abs(step * seconds - dt) <= dt * 0x1p-40;
}

/// segment_step(seconds, dt), from `step` (what the last call stored there)
/// when it still fits (step_fits).
inline double cached_step(double& step, double seconds, double dt) noexcept LEL_RT {
    if (!step_fits(step, seconds, dt)) [[unlikely]] step = segment_step(seconds, dt);
    return step;
}

/// One sample of a decay or release from `from` to `to` whose phase
/// advances by `step`: the level (`to` once the phase reaches 1).
inline double fall_by(double& phase, double from, double to, double step) noexcept LEL_RT {
    phase += step;
    return phase >= 1.0 ? to : to + (from - to) * fall_curve(phase);
}

/// Clamps to [0, 1]; NaN gives 0. On x86 a max and a min, whose operand
/// order gives NaN the 0 (g++ makes the portable form two branches).
inline double level_clamp(double x) noexcept LEL_RT {
#if defined(__SSE2__)
    return _mm_cvtsd_f64(_mm_min_sd(_mm_max_sd(_mm_set_sd(x), _mm_setzero_pd()), _mm_set_sd(1.0)));
#else
    x = x > 0.0 ? x : 0.0;
    return x < 1.0 ? x : 1.0;
#endif
}

/// The stages of perc, stored as doubles in its state (adsr stores its own,
/// AdsrStage, as bits).
enum class EnvStage : int { idle = 0, attack = 1, decay = 2, sustain = 3, release = 4 };

/// A stage as its state stores it (compared as a double: no conversion).
constexpr double stage_value(EnvStage e) noexcept { return static_cast<double>(static_cast<int>(e)); }

/// How fast a sustain level changed while sustaining is followed: full
/// scale in 5 ms, so that a new sustain (a reload) never clicks.
inline constexpr double sustain_slew_seconds = 0.005;

/// One sample of a level slewing to `target`, at most `max_step` a sample.
inline double slew_to(double level, double target, double max_step) noexcept LEL_RT {
    const double d = target - level;
    return d > max_step ? level + max_step : (d < -max_step ? level - max_step : target);
}

}  // namespace detail

/// State of lel::adsr: 6 doubles.
///
/// Design: each of the stages a voice spends its time in (decay, sustain,
/// release, idle) is its own short path in adsr(), chosen by the gate and
/// the stage with two well-predicted branches, and computes its level from
/// what it needs alone; the gate's edges and the attack, a few samples a
/// note, take the longer path (detail::adsr_move). The stage is stored as
/// the bits of a small integer, so each test of it is one compare with an
/// immediate. The decay and release carry `left`, what remains of their
/// phase (1 down to 0), and step it down by `step`, the segment's step per
/// sample, cached for the time and sample rate in `key` (their bits, so a
/// check is one integer compare while the times hold, and a time changed
/// mid-segment takes effect at the next sample, the phase going on from
/// where it is). Every segment sets `step` and `key` when it starts, so
/// the all-zero state (idle) never reads them.
struct AdsrState {
    // "/3": the stage as bits and `left` carried; "/2" computed the phase
    // from the frame, the first layout (`lel.adsr`) accumulated it.
    static constexpr uint32_t kind = kind_id("lel.adsr/3");
    double stage;  ///< detail::AdsrStage, as the bits of a small integer
    double level;  ///< the output, [0, 1]
    double left;   ///< decay, release: 1 - the segment's phase, > 0 while it runs
    double from;   ///< the level the release started from
    double step;   ///< the current segment's phase (or level) step per sample
    double key;    ///< the bits of the time and dt `step` is for (detail::step_key)
};

namespace detail {

/// perc's stages as its state stores them.
inline constexpr double idle_stage = stage_value(EnvStage::idle), attack_stage = stage_value(EnvStage::attack),
                        release_stage = stage_value(EnvStage::release);

/// adsr's stage as AdsrState stores it: the bits of a small integer (0 is
/// idle, so the all-zero state idles).
enum class AdsrStage : uint64_t { idle = 0, attack = 1, decay = 2, sustain = 3, release = 4 };

inline AdsrStage adsr_stage(const AdsrState& st) noexcept LEL_RT {
    return static_cast<AdsrStage>(std::bit_cast<uint64_t>(st.stage));
}
inline void set_stage(AdsrState& st, AdsrStage stage) noexcept LEL_RT {
    st.stage = std::bit_cast<double>(static_cast<uint64_t>(stage));
}

/// What a segment's cached step is for: the bits of its time and of dt
/// (a changed time or sample rate changes the key).
inline uint64_t step_key(double seconds, double dt) noexcept LEL_RT {
    return std::bit_cast<uint64_t>(seconds) ^ std::rotl(std::bit_cast<uint64_t>(dt), 32);
}

/// Starts a segment of `seconds`: its step, cached with its key.
inline double start_segment(AdsrState& st, double seconds, double dt) noexcept LEL_RT {
    st.step = segment_step(seconds, dt);
    st.key = std::bit_cast<double>(step_key(seconds, dt));
    return st.step;
}

/// The running segment's step for `seconds`: the cached one while the
/// time and the rate hold (one compare), else computed again.
inline double segment_step_for(AdsrState& st, double seconds, double dt) noexcept LEL_RT {
    if (std::bit_cast<uint64_t>(st.key) != step_key(seconds, dt)) [[unlikely]] return start_segment(st, seconds, dt);
    return st.step;
}

/// One sample of the decay from 1 to `target`; sustains once it is there.
inline double adsr_decay(AdsrState& st, double decay, double target, double dt) noexcept LEL_RT {
    const double left = st.left - segment_step_for(st, decay, dt);
    if (left > 0.0) [[likely]] {
        st.left = left;
        // In [target, 1]: left is in (0, 1], target in [0, 1].
        return st.level = target + (1.0 - target) * (left * left * left);
    }
    set_stage(st, AdsrStage::sustain);
    return st.level = target;
}

/// One sample of the release from `from` to 0; idles once it is there.
inline double adsr_release(AdsrState& st, double release, double dt) noexcept LEL_RT {
    const double left = st.left - segment_step_for(st, release, dt);
    if (left > 0.0) [[likely]] {
        st.left = left;
        return st.level = st.from * (left * left * left);  // from is in [0, 1]
    }
    set_stage(st, AdsrStage::idle);
    return st.level = 0.0;
}

/// adsr off its steady paths: the attack, and the gate's edges. `on` with
/// any stage but decay and sustain attacks (from the current level when the
/// gate just opened); off with any stage but release and idle releases from
/// the current level, its first step this sample's.
inline double adsr_move(AdsrState& st, bool on, double attack, double decay, double release, double dt) noexcept LEL_RT {
    if (!on) {
        st.from = level_clamp(st.level);
        st.left = 1.0;
        start_segment(st, release, dt);
        set_stage(st, AdsrStage::release);
        return adsr_release(st, release, dt);
    }
    const double step = adsr_stage(st) == AdsrStage::attack ? segment_step_for(st, attack, dt)
                                                            : start_segment(st, attack, dt);
    set_stage(st, AdsrStage::attack);
    // Whatever the bytes held (the shared block of a mismatched call), stay in [0, 1].
    double level = level_clamp(st.level) + step;
    if (level >= 1.0) {
        level = 1.0;
        set_stage(st, AdsrStage::decay);
        st.left = 1.0;
        start_segment(st, decay, dt);
    }
    return st.level = level_clamp(level);
}

}  // namespace detail

/// ADSR envelope, after the classic analog contour generator (ARP 2500's
/// ADSR as in every subtractive synth; the curves above).
///
///     lel::adsr(s, gate, attack_s, decay_s, sustain, release_s) -> [0, 1]
///
/// gate > 0 is on. A gate turning on starts the attack from the current
/// level (a retrigger never jumps); attack rises linearly to 1 in
/// `attack` seconds (from 0: from a higher level it takes proportionally
/// less), decay falls to `sustain` (in [0, 1], clamped) in `decay` seconds,
/// the level then follows `sustain` while the gate is on, and the gate
/// turning off releases from the current level to 0 in `release` seconds.
/// State: 6 doubles. Wait-free; no allocation; a division only when a
/// segment starts or its time changes.
inline double adsr(Context& s, double gate, double attack, double decay, double sustain,
                   double release) noexcept LEL_RT {
    using namespace detail;
    AdsrState& st = take<AdsrState>(s);
    const bool on = gate > 0.0;
    const AdsrStage stage = adsr_stage(st);
    if (on) {
        if (stage == AdsrStage::decay) return adsr_decay(st, decay, level_clamp(sustain), s.dt);
        if (stage == AdsrStage::sustain)
            return st.level = slew_to(st.level, level_clamp(sustain), s.dt * (1.0 / sustain_slew_seconds));
    } else {
        if (stage == AdsrStage::release) return adsr_release(st, release, s.dt);
        if (stage == AdsrStage::idle) return st.level = 0.0;
    }
    return adsr_move(st, on, attack, decay, release, s.dt);
}

/// State of lel::perc: 5 doubles. `step` took slot 3 from the release's
/// start (always 1); any value there is checked before use (cached_step),
/// so the layout reads old states right and the kind is unchanged.
struct PercState {
    static constexpr uint32_t kind = kind_id("lel.perc");
    double stage;     ///< detail::EnvStage: idle, attack or release
    double level;     ///< the output, [0, 1]
    double phase;     ///< progress through the release, [0, 1]
    double step;      ///< the current segment's phase (or level) step per sample
    double trig_was;  ///< trig at the previous sample
};

/// Percussive envelope (attack-release, Faust's en.ar): a trigger's rising
/// edge (trig > 0 after trig <= 0) starts a linear attack to 1 in `attack`
/// seconds from the current level, then a release to 0 in `release`
/// seconds (the curve above). A new trigger mid-way restarts the attack
/// from where the level is: no jump.
///
///     lel::perc(s, lel::every(s, 1.0), 0.002, 0.3) -> [0, 1]
///
/// State: 5 doubles. Wait-free; no allocation; a division only when a
/// segment starts or its time changes.
inline double perc(Context& s, double trig, double attack, double release) noexcept LEL_RT {
    constexpr double idle = detail::idle_stage, attacking = detail::attack_stage, releasing = detail::release_stage;
    PercState& st = take<PercState>(s);
    const bool high = trig > 0.0;
    const bool rising = high && !(st.trig_was > 0.0);
    st.trig_was = high ? 1.0 : 0.0;
    double stage = rising ? attacking : st.stage;
    if (stage == idle) return st.level = 0.0;

    double level = st.level;
    if (stage == releasing) {
        level = detail::fall_by(st.phase, 1.0, 0.0, detail::cached_step(st.step, release, s.dt));
        if (st.phase >= 1.0) stage = idle;
    } else if (stage == attacking) {
        level += detail::cached_step(st.step, attack, s.dt);
        if (level >= 1.0) {
            level = 1.0;
            stage = releasing;
            st.phase = 0.0;
        }
    } else {
        level = 0.0;
        stage = idle;
    }
    st.level = detail::level_clamp(level);
    st.stage = stage;
    return st.level;
}

/// State of lel::line: 5 doubles.
struct LineState {
    static constexpr uint32_t kind = kind_id("lel.line");
    double started;    ///< 1 once the first target was taken
    double value;      ///< the output
    double target;     ///< the target being ramped to
    double step;       ///< added per sample while remaining > 0
    double remaining;  ///< samples left in the ramp
};

/// A linear ramp to a target (SuperCollider's Line/VarLag with a linear
/// curve, Faust's si.smooth's linear cousin): whenever `target` changes,
/// the output goes in a straight line from where it is to `target` in
/// `seconds`. The first call starts at `target`. A non-finite target is
/// ignored (the ramp carries on to the last finite one).
///
///     const double cutoff = lel::line(s, 2000.0, 0.5);  // edit 2000, reload: a glide
///
/// State: 5 doubles. Wait-free; no allocation.
inline double line(Context& s, double target, double seconds) noexcept LEL_RT {
    LineState& st = take<LineState>(s);
    if (!std::isfinite(target)) target = st.started != 0.0 ? st.target : 0.0;
    if (st.started == 0.0 || !std::isfinite(st.value)) {
        st.started = 1.0;
        st.value = st.target = target;
        st.remaining = 0.0;
        return st.value;
    }
    if (target != st.target) {
        st.target = target;
        const double n = seconds > 0.0 ? std::ceil(seconds * s.sr) : 0.0;
        if (n >= 1.0) {  // an infinite time gives a step of 0: it holds
            st.remaining = n;
            st.step = (target - st.value) / n;
        } else {
            st.remaining = 0.0;
            st.value = target;
        }
    }
    if (st.remaining > 0.0) {
        st.remaining -= 1.0;
        st.value = st.remaining > 0.0 ? st.value + st.step : st.target;
    }
    return st.value;
}

/// State of lel::lag: 4 doubles.
struct LagState {
    static constexpr uint32_t kind = kind_id("lel.lag");
    double started;  ///< 1 once the first input was taken
    double value;    ///< the output
    double seconds;  ///< the time `pole` was computed for
    double pole;     ///< the one-pole's pole: what is left of a step after a sample
};

/// Smoothing of a control value: a one-pole low-pass (SuperCollider's Lag,
/// Faust's si.smooth) whose `seconds` is the time a step takes to get 99%
/// of the way (4.6 time constants: 1% of the step, -40 dB, is left).
/// y = x + p (y - x), with p^(seconds * sr) = 0.01. The first call starts
/// at x; `seconds` <= 0 (or NaN) passes x through. A non-finite x is
/// ignored (the output holds).
///
///     const double f = lel::lag(s, lel::seq(s, {200, 800, 400}, 1.0), 0.05);
///
/// State: 4 doubles. Wait-free; one exp when `seconds` changes.
inline double lag(Context& s, double x, double seconds) noexcept LEL_RT {
    LagState& st = take<LagState>(s);
    if (!std::isfinite(x)) x = st.started != 0.0 ? st.value : 0.0;
    if (st.started == 0.0 || seconds != st.seconds) {
        st.seconds = seconds;
        // ln(0.01): after seconds * sr samples, 1% of a step is left.
        st.pole = seconds > 0.0 ? std::exp(-4.605170185988091 / (seconds * s.sr)) : 0.0;
    }
    if (st.started == 0.0) {
        st.started = 1.0;
        st.value = x;
    }
    st.value = x + st.pole * (st.value - x);
    if (!std::isfinite(st.value)) st.value = x;
    return st.value;
}

}  // namespace lel
