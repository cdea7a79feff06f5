// bench session: the voice of bench_voice.hpp written by hand, for the
// abstraction-cost row of bench/dsp_cost: the very algorithms of lel::saw,
// lel::lowpass and lel::adsr (the same per-sample work, clamps and guards
// included, through the same detail:: math), with their state in numbered
// s.state slots instead of helper blocks. What differs from
// voice_helpers.cpp is only the state model: lel::take's cursor and header
// check, and the helpers' structs.
#include "bench_voice.hpp"

#include <lel/dsp/envelopes.hpp>
#include <lel/dsp/filters.hpp>
#include <lel/dsp/oscillators.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace {

namespace d = lel::detail;

// s.state slots: the saw's phase, two held samples and a pending
// correction; the filter's two integrators, its cached (hz, q, sr, ready)
// and coefficients (k and the update matrix m11..m2x); the envelope's stage, level, origin,
// release start and step (Faust's ADSR uses stage, seg and gate_was as
// its counters and previous gate).
enum Slot { phase, late2, late1, pending, ic1, ic2, hz, qq, sr, ready, k, m11, m12, m22, m2x,
            stage, level, origin, from, seg, gate_was };

inline double saw(double* st, double freq, double dt) noexcept {
    const int64_t step = d::bl_step(freq, dt);
    uint64_t was;
    std::memcpy(&was, &st[phase], sizeof was);
    const uint64_t now_phase = was + static_cast<uint64_t>(step);
    std::memcpy(&st[phase], &now_phase, sizeof now_phase);
    double now = d::saw_value(now_phase) + st[pending];
    double next = 0.0, at;
    if (d::crossed(was, now_phase, step, 0, at)) [[unlikely]] {
        const d::Spread c = d::blep4(at);
        const double size = step > 0 ? -2.0 : 2.0;
        st[late2] += size * c.m2;
        st[late1] += size * c.m1;
        now += size * c.p0;
        next = size * c.p1;
    }
    const double out = st[late2];
    st[late2] = st[late1];
    st[late1] = now;
    st[pending] = next;
    return out;
}

inline double lowpass(double* st, double x, double cutoff, double q, double rate) noexcept {
    if (!d::svf_cached_for(&st[hz], cutoff, q, rate)) [[unlikely]] {
        const double g = d::prewarp(cutoff, rate);
        st[k] = 1.0 / d::clamp_param(q, 0.01, 100.0);
        const double b1 = 1.0 / (1.0 + g * (g + st[k]));
        const double b2 = g * b1;
        const double b3 = g * b2;
        st[m11] = 2.0 * b1 - 1.0;
        st[m12] = 2.0 * b2;
        st[m22] = 1.0 - 2.0 * b3;
        st[m2x] = 2.0 * b3;
        st[hz] = cutoff;
        st[qq] = q;
        st[sr] = rate;
        st[ready] = 1.0;
    }
    const double was1 = st[ic1], was2 = st[ic2];
    const double next1 = st[m11] * was1 + (st[m12] * x - st[m12] * was2);
    const double next2 = st[m22] * was2 + (st[m12] * was1 + st[m2x] * x);
    st[ic1] = next1;
    st[ic2] = next2;
    if (!d::filter_memory_ok(next1, next2)) [[unlikely]] st[ic1] = st[ic2] = 0.0;
    return 0.5 * (was2 + next2);
}

/// The decay's or release's 1 - phase at frame f (lel::detail::fall_left).
inline double fall_left(double* st, double f, double seconds, double dt) noexcept {
    double step = st[seg];
    if (!d::step_fits(step, seconds, dt)) [[unlikely]] {
        const double was = (f - 1.0 - st[origin]) * step;
        step = d::fall_step(seconds, dt);
        st[seg] = step;
        st[origin] = f - 1.0 - was / step;
    }
    return 1.0 - (f - st[origin]) * step;
}

inline void fall_start(double* st, double f0, double seconds, double dt) noexcept {
    st[seg] = d::fall_step(seconds, dt);
    st[origin] = f0;
}

inline double release(double* st, double f, double dt) noexcept {
    const double left = fall_left(st, f, bench::voice::release, dt);
    if (left > 0.0) [[likely]] return st[level] = d::level_clamp(st[from] * (left * left * left));
    st[stage] = d::idle_stage;
    return st[level] = 0.0;
}

inline double adsr(double* st, double gate, double f, double dt) noexcept {
    namespace v = bench::voice;
    if (gate > 0.0) {
        const double target = d::level_clamp(v::sustain);
        if (d::in_stage(st[stage], d::decay_stage)) {
            const double left = fall_left(st, f, v::decay, dt);
            if (left > 0.0) [[likely]] return st[level] = d::level_clamp(target + (1.0 - target) * (left * left * left));
            st[stage] = d::sustain_stage;
            return st[level] = target;
        }
        if (d::in_stage(st[stage], d::sustain_stage))
            return st[level] = d::slew_to(st[level], target, dt * (1.0 / d::sustain_slew_seconds));
        double y = st[level] + d::cached_step(st[seg], v::attack, dt);
        st[stage] = d::attack_stage;
        if (y >= 1.0) {
            y = 1.0;
            st[stage] = d::decay_stage;
            fall_start(st, f, v::decay, dt);
        }
        return st[level] = d::level_clamp(y);
    }
    if (d::in_stage(st[stage], d::release_stage)) return release(st, f, dt);
    if (d::in_stage(st[stage], d::idle_stage)) return st[level] = 0.0;
    st[from] = st[level];
    fall_start(st, f - 1.0, v::release, dt);
    st[stage] = d::release_stage;
    return release(st, f, dt);
}

/// Faust's en.adsr (envelopes.lib, Orlarey and Bundin), for comparison:
/// branch-free, linear segments, the attack and decay from a count of
/// samples since the gate opened, the release a linear fade of that
/// shape from a count since it closed. Its state: slots `stage` (the
/// count since the gate opened), `seg` (since it closed), `gate_was`.
inline double faust_adsr(double* st, double gate, double rate) noexcept {
    namespace v = bench::voice;
    const double an = std::max(1.0, v::attack * rate), dn = std::max(1.0, v::decay * rate);
    const double rn = std::max(1.0, v::release * rate);
    const double ddelta = (1.0 - v::sustain) / dn;
    st[stage] = gate + st[stage] * (st[gate_was] >= gate ? 1.0 : 0.0);
    st[seg] = (st[seg] + 1.0) * (gate == 0.0 ? 1.0 : 0.0);
    st[gate_was] = gate;
    const double ads = std::min(st[stage] / an, std::max(1.0 + an * ddelta - st[stage] * ddelta, v::sustain));
    return std::max(0.0, ads * (1.0 - st[seg] / rn));
}

/// One sample of the voice with its state at `st`.
inline double voice(double* st, const lel::Context& s, double freq, uint64_t offset) noexcept {
    namespace v = bench::voice;
    const double env = adsr(st, v::gate(s.frame, offset), d::frame_number(s), s.dt);
    return 0.01 * env * lowpass(st, saw(st, freq, s.dt), v::cutoff, v::q, s.sr);
}

}  // namespace

// $LEL_BENCH_VOICE=faust-adsr swaps the envelope for Faust's algorithm,
// to see what lel::adsr's algorithm costs. $LEL_BENCH_VOICE=locals keeps the state in the callable itself (a
// `mutable` lambda, which the block loop runs from a stack copy), where the
// compiler may keep it in registers across samples: state that does not
// survive a reload, for seeing what keeping state in the arena costs.
LEL_SESSION(session) {
    namespace v = bench::voice;
    const char* env = std::getenv("LEL_BENCH_VOICE");
    if (env && std::string_view(env) == "faust-adsr") {
        v::add_voices(session, [](double freq, uint64_t offset) {
            return [freq, offset](auto& s) {
                double* st = s.state.data();
                const double e = faust_adsr(st, v::gate(s.frame, offset), s.sr);
                return 0.01 * e * lowpass(st, saw(st, freq, s.dt), v::cutoff, v::q, s.sr);
            };
        });
        return;
    }
    if (env && std::string_view(env) == "locals") {
        v::add_voices(session, [](double freq, uint64_t offset) {
            return [freq, offset, st = std::array<double, gate_was + 1>{}](auto& s) mutable {
                return voice(st.data(), s, freq, offset);
            };
        });
        return;
    }
    v::add_voices(session, [](double freq, uint64_t offset) {
        return [freq, offset](auto& s) { return voice(s.state.data(), s, freq, offset); };
    });
}
