// bench session: N sines written the way the session API documents, a phase
// in s.state and std::sin. N comes from $LEL_BENCH_N (default 64): the
// session runs in the process that loads it (bench/osc_cost, `lel render`).
// Oscillator k plays 100 + 0.37 k Hz at 0.01, as in bench/scsynth_nrt.
#include <lel/lel.hpp>

#include <cmath>
#include <cstdlib>
#include <string>

LEL_SESSION(session) {
    session.clear();
    const char* env = std::getenv("LEL_BENCH_N");
    const int n = env ? std::atoi(env) : 64;
    for (int k = 0; k < n; ++k) {
        const double freq = 100.0 + 0.37 * k;
        session.add("sine-" + std::to_string(k), [freq](auto& s) {
            double& phase = s.state[0];
            const double y = std::sin(2.0 * M_PI * phase);
            phase += freq * s.dt;
            if (phase >= 1.0) phase -= 1.0;
            return 0.01 * y;
        });
    }
}
