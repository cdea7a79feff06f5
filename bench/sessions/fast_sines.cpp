// bench session: LEL_BENCH_N sines from lel::sine, the fast oscillator, for
// the real-time benchmark (bench/realtime/run.sh). N is a macro, not an
// environment variable, because the session runs inside leld when loaded:
//
//     LEL_CXX="c++ -DLEL_BENCH_N=10000" lel build bench/sessions/fast_sines.cpp -o fast_10000.so
//
// (default 64). Oscillator k plays 100 + 0.37 k Hz at 0.01, as in
// bench/scsynth_nrt and fast_sines_env.cpp.
#include <lel/lel.hpp>

#include <string>

#ifndef LEL_BENCH_N
#define LEL_BENCH_N 64
#endif

LEL_SESSION(session) {
    session.clear();
    for (int k = 0; k < LEL_BENCH_N; ++k) {
        session.add("sine-" + std::to_string(k),
                    [k](auto& s) { return 0.01 * lel::sine(s, 100.0 + 0.37 * k); });
    }
}
