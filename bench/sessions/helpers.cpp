// bench session: N signals that each run one helper of the DSP library
// (include/lel/dsp/), for bench/dsp_cost's per-helper table.
//
// Which helper: $LEL_BENCH_HELPER, a name from helper_names() below (the
// session reads it when it runs, as it reads $LEL_BENCH_N: see
// bench_sines.hpp); "none" and "none/stereo" are the baselines, the same
// input with no helper, that dsp_cost subtracts.
//
// Every signal feeds its helper the same cheap input, a naive 100 Hz saw
// from a phase in s.state[0] (so that a filter or a delay has audio to
// work on), plus a gate that opens and closes every 8,192 frames (170 ms)
// for the envelopes; parameters that a helper caches are constant, except
// in the rows marked "modulated", where a cutoff moves every sample. The
// outputs are scaled by 0.01 (N of them are summed).
#include "bench_sines.hpp"

#include <lel/dsp/delays.hpp>
#include <lel/dsp/envelopes.hpp>
#include <lel/dsp/filters.hpp>
#include <lel/dsp/noise.hpp>
#include <lel/dsp/oscillators.hpp>
#include <lel/dsp/rhythm.hpp>
#include <lel/dsp/utility.hpp>

#include <cmath>
#include <cstdlib>
#include <string>

namespace {

/// The input every helper gets: a naive saw in [-1, 1), its phase in s.state[0].
struct Input {
    double inc;
    double operator()(lel::Context& s) const noexcept {
        double& p = s.state[0];
        p += inc;
        if (p >= 1.0) p -= 1.0;
        return 2.0 * p - 1.0;
    }
};

/// 1 for 8,192 frames, then 0 for as many.
double gate(const lel::Context& s) noexcept { return static_cast<double>((s.frame >> 13) & 1); }

template <class Helper>
void add_all(lel::Session& session, double freq_step, Helper helper) {
    session.clear();
    const int n = bench::sines();
    for (int k = 0; k < n; ++k) {
        const double f = 100.0 + freq_step * k;
        const Input in{f / 48000.0};
        session.add("h-" + std::to_string(k), [in, f, helper](auto& s) {
            const double x = in(s);
            return 0.01 * helper(s, x, f);
        });
    }
}

// One row per helper: name -> [](s, x, f) { return helper(...); }. X is the
// input, f the signal's own frequency (100 + 0.37 k Hz).
#define LEL_BENCH_ROW(NAME, ...)                                                     \
    if (which == NAME) {                                                             \
        add_all(session, 0.37, [](lel::Context& s, double x, double f) { (void)s; (void)x; (void)f; return __VA_ARGS__; }); \
        return;                                                                      \
    }

void add_helper(lel::Session& session, const std::string& which) {
    LEL_BENCH_ROW("none", x)
    LEL_BENCH_ROW("none/stereo", lel::Frame{x, x})
    LEL_BENCH_ROW("phasor", lel::phasor(s, f))
    LEL_BENCH_ROW("sine", lel::sine(s, f))
    LEL_BENCH_ROW("saw", lel::saw(s, f))
    LEL_BENCH_ROW("square", lel::square(s, f, 0.3))
    LEL_BENCH_ROW("tri", lel::tri(s, f))
    LEL_BENCH_ROW("noise", lel::noise(s))
    LEL_BENCH_ROW("pink", lel::pink(s))
    LEL_BENCH_ROW("brown", lel::brown(s))
    LEL_BENCH_ROW("lowpass", lel::lowpass(s, x, 1000.0, 2.0))
    LEL_BENCH_ROW("highpass", lel::highpass(s, x, 1000.0, 2.0))
    LEL_BENCH_ROW("bandpass", lel::bandpass(s, x, 1000.0, 2.0))
    LEL_BENCH_ROW("notch", lel::notch(s, x, 1000.0, 2.0))
    LEL_BENCH_ROW("lowpass modulated", lel::lowpass(s, x, 1000.0 + 500.0 * x, 2.0))
    LEL_BENCH_ROW("onepole", lel::onepole(s, x, 1000.0))
    LEL_BENCH_ROW("onepole modulated", lel::onepole(s, x, 1000.0 + 500.0 * x))
    LEL_BENCH_ROW("dcblock", lel::dcblock(s, x))
    LEL_BENCH_ROW("peak", lel::peak(s, x, 1000.0, 1.0, 6.0))
    LEL_BENCH_ROW("peak modulated", lel::peak(s, x, 1000.0 + 500.0 * x, 1.0, 6.0))
    LEL_BENCH_ROW("lowshelf", lel::lowshelf(s, x, 200.0, 0.7071, 6.0))
    LEL_BENCH_ROW("highshelf", lel::highshelf(s, x, 5000.0, 0.7071, -6.0))
    LEL_BENCH_ROW("ladder", lel::ladder(s, x, 1000.0, 0.5))
    LEL_BENCH_ROW("ladder modulated", lel::ladder(s, x, 1000.0 + 500.0 * x, 0.5))
    LEL_BENCH_ROW("adsr", lel::adsr(s, gate(s), 0.01, 0.1, 0.6, 0.2))
    LEL_BENCH_ROW("perc", lel::perc(s, gate(s), 0.002, 0.1))
    LEL_BENCH_ROW("line", lel::line(s, gate(s), 0.05))
    LEL_BENCH_ROW("lag", lel::lag(s, x, 0.01))
    LEL_BENCH_ROW("delay", lel::delay(s, x, 0.3))
    LEL_BENCH_ROW("delay modulated", lel::delay(s, x, 0.01 + 0.002 * x))
    LEL_BENCH_ROW("comb", lel::comb(s, x, 0.01, 0.7))
    LEL_BENCH_ROW("allpass", lel::allpass(s, x, 0.005, 0.7))
    LEL_BENCH_ROW("reverb", lel::reverb(s, x))
    LEL_BENCH_ROW("pan", lel::pan(x, x))
    LEL_BENCH_ROW("mix", lel::mix(x, 0.5 * x, -0.25 * x))
    LEL_BENCH_ROW("gain", lel::gain(x, 6.0 * x))
    LEL_BENCH_ROW("db", lel::db(6.0 * x))
    LEL_BENCH_ROW("to_db", lel::to_db(1.5 + x))
    LEL_BENCH_ROW("mtof", lel::mtof(60.0 + 12.0 * x))
    LEL_BENCH_ROW("tanh", lel::tanh(3.0 * x))
    LEL_BENCH_ROW("every", lel::every(s, 0.25))
    LEL_BENCH_ROW("euclid", lel::euclid(s, 3.0, 8.0, 0.25))
    LEL_BENCH_ROW("seq", lel::seq(s, {1.0, 2.0, 3.0, 4.0}, 0.25))
    LEL_BENCH_ROW("sample_hold", lel::sample_hold(s, x, gate(s)))
    session.clear();  // an unknown name: no signal, which dsp_cost reports as not built
}

}  // namespace

LEL_SESSION(session) {
    const char* which = std::getenv("LEL_BENCH_HELPER");
    add_helper(session, which ? which : "none");
}
