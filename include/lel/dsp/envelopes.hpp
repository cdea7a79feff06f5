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

#include <cmath>
#include <cstdint>

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

/// One sample of a decay or release from `from` to `to` taking `seconds`:
/// advances `phase` and returns the level (`to` once phase reaches 1).
inline double fall(double& phase, double from, double to, double seconds, double dt) noexcept LEL_RT {
    phase += segment_step(seconds, dt);
    return phase >= 1.0 ? to : to + (from - to) * fall_curve(phase);
}

/// Clamps to [0, 1]; NaN gives 0.
inline double level_clamp(double x) noexcept LEL_RT {
    return x > 0.0 ? (x < 1.0 ? x : 1.0) : 0.0;
}

/// The stages of adsr and perc, stored as doubles in their state.
enum class EnvStage : int { idle = 0, attack = 1, decay = 2, sustain = 3, release = 4 };

/// How fast a sustain level changed while sustaining is followed: full
/// scale in 5 ms, so that a new sustain (a reload) never clicks.
inline constexpr double sustain_slew_seconds = 0.005;

}  // namespace detail

/// State of lel::adsr: 5 doubles.
struct AdsrState {
    static constexpr uint32_t kind = kind_id("lel.adsr");
    double stage;      ///< detail::EnvStage
    double level;      ///< the output, [0, 1]
    double phase;      ///< progress through decay or release, [0, 1]
    double from;       ///< the level the release started from
    double gate_was;   ///< 1 if the gate was on at the previous sample
};

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
/// State: 5 doubles. Wait-free; no allocation.
inline double adsr(Context& s, double gate, double attack, double decay, double sustain,
                   double release) noexcept LEL_RT {
    using detail::EnvStage;
    AdsrState& st = take<AdsrState>(s);
    const bool on = gate > 0.0;
    const double level_sustain = detail::level_clamp(sustain);
    auto stage = static_cast<EnvStage>(static_cast<int>(st.stage));
    if (on && !(st.gate_was > 0.0)) {
        stage = EnvStage::attack;
    } else if (!on && stage != EnvStage::idle && stage != EnvStage::release) {
        stage = EnvStage::release;
        st.phase = 0.0;
        st.from = st.level;
    }
    st.gate_was = on ? 1.0 : 0.0;

    double level = st.level;
    switch (stage) {
    case EnvStage::attack:
        level += detail::segment_step(attack, s.dt);
        if (level >= 1.0) {
            level = 1.0;
            stage = EnvStage::decay;
            st.phase = 0.0;
        }
        break;
    case EnvStage::decay:
        level = detail::fall(st.phase, 1.0, level_sustain, decay, s.dt);
        if (st.phase >= 1.0) stage = EnvStage::sustain;
        break;
    case EnvStage::sustain: {
        const double max_step = s.dt / detail::sustain_slew_seconds;
        const double d = level_sustain - level;
        level += d > max_step ? max_step : (d < -max_step ? -max_step : d);
        break;
    }
    case EnvStage::release:
        level = detail::fall(st.phase, st.from, 0.0, release, s.dt);
        if (st.phase >= 1.0) stage = EnvStage::idle;
        break;
    default:
        level = 0.0;
        stage = EnvStage::idle;
        break;
    }
    // Whatever the bytes held (a state from another build), stay in [0, 1].
    st.level = detail::level_clamp(level);
    if (!(st.phase >= 0.0 && st.phase <= 2.0)) st.phase = 0.0;
    if (!(st.from >= 0.0 && st.from <= 1.0)) st.from = st.level;
    st.stage = static_cast<double>(static_cast<int>(stage));
    return st.level;
}

/// State of lel::perc: 5 doubles.
struct PercState {
    static constexpr uint32_t kind = kind_id("lel.perc");
    double stage;     ///< detail::EnvStage: idle, attack or release
    double level;     ///< the output, [0, 1]
    double phase;     ///< progress through the release, [0, 1]
    double from;      ///< the level the release started from (1)
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
/// State: 5 doubles. Wait-free; no allocation.
inline double perc(Context& s, double trig, double attack, double release) noexcept LEL_RT {
    using detail::EnvStage;
    PercState& st = take<PercState>(s);
    auto stage = static_cast<EnvStage>(static_cast<int>(st.stage));
    if (trig > 0.0 && !(st.trig_was > 0.0)) stage = EnvStage::attack;
    st.trig_was = trig > 0.0 ? 1.0 : 0.0;

    double level = st.level;
    if (stage == EnvStage::attack) {
        level += detail::segment_step(attack, s.dt);
        if (level >= 1.0) {
            level = 1.0;
            stage = EnvStage::release;
            st.phase = 0.0;
            st.from = 1.0;
        }
    } else if (stage == EnvStage::release) {
        level = detail::fall(st.phase, st.from, 0.0, release, s.dt);
        if (st.phase >= 1.0) stage = EnvStage::idle;
    } else {
        level = 0.0;
        stage = EnvStage::idle;
    }
    st.level = detail::level_clamp(level);
    if (!(st.phase >= 0.0 && st.phase <= 2.0)) st.phase = 0.0;
    if (!(st.from >= 0.0 && st.from <= 1.0)) st.from = 1.0;
    st.stage = static_cast<double>(static_cast<int>(stage));
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
