// bench sessions: what every one of them plays, N sines, oscillator k at
// 100 + 0.37 k Hz and 0.01 (the frequencies of bench/scsynth_nrt), named
// sine-<k>; only the oscillator differs.
//
// N: the macro LEL_BENCH_N when the session defines it before including this
// (bench/realtime/run.sh builds such a copy: the session then runs inside
// leld, whose environment the benchmark cannot set per load); otherwise
// $LEL_BENCH_N, read when the session runs (bench/osc_cost and `lel render`
// load it into their own process); otherwise 64.
#pragma once

#include <lel/lel.hpp>

#include <cstdlib>
#include <string>

namespace bench {

inline int sines() {
#ifdef LEL_BENCH_N
    return LEL_BENCH_N;
#else
    const char* env = std::getenv("LEL_BENCH_N");
    return env ? std::atoi(env) : 64;
#endif
}

/// Clears the session and adds the N sines, `make(freq)` making each signal.
template <class MakeSignal>
void add_sines(lel::Session& session, MakeSignal make) {
    session.clear();
    const int n = sines();
    for (int k = 0; k < n; ++k) session.add("sine-" + std::to_string(k), make(100.0 + 0.37 * k));
}

}  // namespace bench
