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
#include <bit>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace {

namespace d = lel::detail;

// s.state slots: the saw's phase, two held samples and a pending
// correction; the filter's two integrators, its cached (hz, q, sr, ready)
// and coefficients (k and the update's pairs d, o, x: lel::detail::SvfState); the envelope's stage, level, what
// is left of its segment, release start, step and the step's key (Faust's ADSR uses stage, seg and gate_was as
// its counters and previous gate).
enum Slot { phase, late2, late1, pending, ic1, ic2, hz, qq, sr, ready, k, d1, d2, o1, o2, x1, x2,
            stage, level, left, from, seg, key, gate_was };

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
    auto& f = *reinterpret_cast<d::SvfState*>(&st[ic1]);  // the same 13 doubles, in slots ic1..x2
    if (!d::svf_cached_for(&f.hz, cutoff, q, rate)) [[unlikely]] d::svf_design(f, cutoff, q, rate);
    return d::svf_tick(f, x).v2;
}

/// The running segment's step for `seconds` (lel::detail::segment_step_for).
inline double step_for(double* st, double seconds, double dt) noexcept {
    const uint64_t want = d::step_key(seconds, dt);
    if (std::bit_cast<uint64_t>(st[key]) != want) [[unlikely]] {
        st[seg] = d::segment_step(seconds, dt);
        st[key] = std::bit_cast<double>(want);
    }
    return st[seg];
}

inline void start(double* st, double seconds, double dt) noexcept {
    st[seg] = d::segment_step(seconds, dt);
    st[key] = std::bit_cast<double>(d::step_key(seconds, dt));
}

inline bool is(const double* st, d::AdsrStage stage) noexcept {
    return std::bit_cast<uint64_t>(st[Slot::stage]) == static_cast<uint64_t>(stage);
}

inline void set(double* st, d::AdsrStage stage) noexcept {
    st[Slot::stage] = std::bit_cast<double>(static_cast<uint64_t>(stage));
}

inline double release(double* st, double dt) noexcept {
    const double l = st[left] - step_for(st, bench::voice::release, dt);
    if (l > 0.0) [[likely]] {
        st[left] = l;
        return st[level] = st[from] * (l * l * l);
    }
    set(st, d::AdsrStage::idle);
    return st[level] = 0.0;
}

inline double adsr(double* st, double gate, double dt) noexcept {
    namespace v = bench::voice;
    using d::AdsrStage;
    if (gate > 0.0) {
        const double target = d::level_clamp(v::sustain);
        if (is(st, AdsrStage::decay)) {
            const double l = st[left] - step_for(st, v::decay, dt);
            if (l > 0.0) [[likely]] {
                st[left] = l;
                return st[level] = target + (1.0 - target) * (l * l * l);
            }
            set(st, AdsrStage::sustain);
            return st[level] = target;
        }
        if (is(st, AdsrStage::sustain))
            return st[level] = d::slew_to(st[level], target, dt * (1.0 / d::sustain_slew_seconds));
        if (is(st, AdsrStage::attack)) {
            step_for(st, v::attack, dt);
        } else {
            start(st, v::attack, dt);
        }
        set(st, AdsrStage::attack);
        double y = d::level_clamp(st[level]) + st[seg];
        if (y >= 1.0) {
            y = 1.0;
            set(st, AdsrStage::decay);
            st[left] = 1.0;
            start(st, v::decay, dt);
        }
        return st[level] = d::level_clamp(y);
    }
    if (is(st, AdsrStage::release)) return release(st, dt);
    if (is(st, AdsrStage::idle)) return st[level] = 0.0;
    st[from] = d::level_clamp(st[level]);
    st[left] = 1.0;
    start(st, v::release, dt);
    set(st, AdsrStage::release);
    return release(st, dt);
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
    const double env = adsr(st, v::gate(s.frame, offset), s.dt);
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
