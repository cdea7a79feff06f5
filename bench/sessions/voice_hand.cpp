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
// and coefficients (k, a1, a2, a3); the envelope's stage, level, phase,
// release start and previous gate.
enum Slot { phase, late2, late1, pending, ic1, ic2, hz, qq, sr, ready, k, a1, a2, a3,
            stage, level, seg, from, gate_was };

double saw(double* st, double freq, double dt) noexcept {
    const int64_t step = d::bl_step(freq, dt);
    uint64_t was;
    std::memcpy(&was, &st[phase], sizeof was);
    const uint64_t now_phase = was + static_cast<uint64_t>(step);
    std::memcpy(&st[phase], &now_phase, sizeof now_phase);
    double now = 2.0 * d::from_phase(now_phase) - 1.0 + st[pending];
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

double lowpass(double* st, double x, double cutoff, double q, double rate) noexcept {
    if (cutoff != st[hz] || q != st[qq] || rate != st[sr] || st[ready] == 0.0) [[unlikely]] {
        const double g = d::prewarp(cutoff, rate);
        st[k] = 1.0 / d::clamp_param(q, 0.01, 100.0);
        st[a1] = 1.0 / (1.0 + g * (g + st[k]));
        st[a2] = g * st[a1];
        st[a3] = g * st[a2];
        st[hz] = cutoff;
        st[qq] = q;
        st[sr] = rate;
        st[ready] = 1.0;
    }
    const double v3 = x - st[ic2];
    const double v1 = st[a1] * st[ic1] + st[a2] * v3;
    const double v2 = st[ic2] + st[a2] * st[ic1] + st[a3] * v3;
    st[ic1] = 2.0 * v1 - st[ic1];
    st[ic2] = 2.0 * v2 - st[ic2];
    if (!d::filter_memory_ok(st[ic1], st[ic2])) [[unlikely]] st[ic1] = st[ic2] = 0.0;
    return v2;
}

double adsr(double* st, double gate, double dt) noexcept {
    namespace v = bench::voice;
    using d::EnvStage;
    const bool on = gate > 0.0;
    const double target = d::level_clamp(v::sustain);
    auto now = static_cast<EnvStage>(static_cast<int>(st[stage]));
    if (on && !(st[gate_was] > 0.0)) {
        now = EnvStage::attack;
    } else if (!on && now != EnvStage::idle && now != EnvStage::release) {
        now = EnvStage::release;
        st[seg] = 0.0;
        st[from] = st[level];
    }
    st[gate_was] = on ? 1.0 : 0.0;
    double y = st[level];
    if (now == EnvStage::attack) {
        y += d::segment_step(v::attack, dt);
        if (y >= 1.0) {
            y = 1.0;
            now = EnvStage::decay;
            st[seg] = 0.0;
        }
    } else if (now == EnvStage::decay) {
        y = d::fall(st[seg], 1.0, target, v::decay, dt);
        if (st[seg] >= 1.0) now = EnvStage::sustain;
    } else if (now == EnvStage::sustain) {
        const double max_step = dt / d::sustain_slew_seconds, gap = target - y;
        y += gap > max_step ? max_step : (gap < -max_step ? -max_step : gap);
    } else if (now == EnvStage::release) {
        y = d::fall(st[seg], st[from], 0.0, v::release, dt);
        if (st[seg] >= 1.0) now = EnvStage::idle;
    } else {
        y = 0.0;
        now = EnvStage::idle;
    }
    st[level] = d::level_clamp(y);
    if (!(st[seg] >= 0.0 && st[seg] <= 2.0)) st[seg] = 0.0;
    if (!(st[from] >= 0.0 && st[from] <= 1.0)) st[from] = st[level];
    st[stage] = static_cast<double>(static_cast<int>(now));
    return st[level];
}

/// Faust's en.adsr (envelopes.lib, Orlarey and Bundin), for comparison:
/// branch-free, linear segments, the attack and decay from a count of
/// samples since the gate opened, the release a linear fade of that
/// shape from a count since it closed. Its state: slots `stage` (the
/// count since the gate opened), `seg` (since it closed), `gate_was`.
double faust_adsr(double* st, double gate, double rate) noexcept {
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
double voice(double* st, const lel::Context& s, double freq, uint64_t offset) noexcept {
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
