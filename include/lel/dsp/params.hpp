// lel — named parameters: values a signal reads that OSC sets while it plays.
//
//     session.add("bass", [](auto& s) {
//         const double cutoff = lel::param(s, "cutoff", 800.0, {.lag = 0.05, .min = 20, .max = 20000});
//         const double gate = lel::param(s, "gate", 0.0);          // /lel/trig bass gate 1
//         const double hz = lel::param(s, "freq", 55.0);           // /lel/set bass freq 82.4
//         return 0.3 * lel::adsr(s, gate, 0.005, 0.1, 0.6, 0.2) * lel::lowpass(s, lel::saw(s, hz), cutoff, 2.0);
//     });
//
// `lel::param(s, "cutoff", 800.0)` returns 800 until `/lel/set bass cutoff
// 1200` sets it; from then on the set value, reached by a linear ramp of
// the parameter's lag (10 ms unless the code or the /lel/set says
// otherwise), clamped into [min, max]. `/lel/trig bass gate 1` makes the
// parameter 1 for exactly one sample (then it is what it was): a trigger
// for lel::perc or lel::adsr, or a note.
//
// Design: a parameter is a helper whose block is keyed by its name (so it
// follows the name, not its place in the code, and keeps its set value
// through every reload, crossfades included), and that the load-time probe
// reports with its default and range. leld checks /lel/set on the control
// thread against what the probe reported, and hands the value to the
// producer through a wait-free queue; the producer writes it into the
// block between blocks (or at the frame a timed bundle names), so the
// signal's code, on the same thread, reads it without any atomics.
//
// Threads: param() runs wherever the signal runs (the producer); wait-free.
#pragma once

#include <lel/context.hpp>
#include <lel/detail/rt.hpp>
#include <lel/dsp/state.hpp>

#include <cmath>
#include <limits>

namespace lel {

/// How a parameter moves and where it may go.
struct ParamOptions {
    double lag = 0.01;  ///< seconds a change takes to arrive (a linear ramp); 0: at once
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
};

/// State of lel::param: 10 doubles. The first six are written by leld (the
/// producer, between blocks); the rest by param() itself.
struct ParamState {
    static constexpr uint32_t kind = kind_id("lel.param/1");
    double target;      ///< the value /lel/set gave (already clamped)
    double is_set;      ///< 1 once /lel/set gave a value: the code's default no longer applies
    double lag;         ///< the lag /lel/set asked for, seconds; < 0 (or unset) the code's
    double lag_set;     ///< 1 when `lag` holds /lel/set's lag
    double trig_frame;  ///< 1 + the frame /lel/trig plays its value at (only then); 0: none
    double trig_value;
    double value;       ///< where the ramp is
    double from_target;  ///< the target the ramp is going to
    double step;        ///< per sample
    double started;     ///< 1 once value holds something
};

/// The parameter `name` of this signal: `value` (clamped into [min, max])
/// until OSC sets it, then the value set, reached over `options.lag`
/// seconds. Names are 1 to 47 characters; call it on every sample, like
/// any helper. Any thread; wait-free.
inline double param(Context& s, const char* name, double value, ParamOptions options = {}) noexcept LEL_RT {
    if (s.helpers.recorder) [[unlikely]] {
        // The probe (control thread): report the declaration.
        s.helpers.recorder->record_param(name, value, options.min, options.max, options.lag);
    }
    ParamState& p = take<ParamState>(key(s, name));
    if (p.trig_frame != 0.0 && p.trig_frame == static_cast<double>(s.frame) + 1.0) [[unlikely]] {
        return p.trig_value;
    }
    double target = p.is_set != 0.0 ? p.target : value;
    if (!(target >= options.min)) target = options.min;  // NaN too
    if (target > options.max) target = options.max;
    if (!std::isfinite(target)) target = std::isfinite(value) ? value : 0.0;
    if (p.started == 0.0) {
        p.started = 1.0;
        p.value = target;
        p.from_target = target;
        p.step = 0.0;
    }
    if (target != p.from_target) {
        const double lag = p.lag_set != 0.0 ? p.lag : options.lag;
        const double samples = lag > 0.0 ? lag * s.sr : 0.0;
        p.step = samples >= 1.0 ? (target - p.value) / samples : target - p.value;
        p.from_target = target;
    }
    if (p.value != target) {
        const double next = p.value + p.step;
        p.value = (p.step > 0.0 ? next >= target : next <= target) ? target : next;
    }
    return p.value;
}

}  // namespace lel
