// bench session: N sines written the way the session API documents, a phase
// in s.state and std::sin (N: see bench_sines.hpp).
#include "bench_sines.hpp"

#include <cmath>

LEL_SESSION(session) {
    bench::add_sines(session, [](double freq) {
        return [freq](auto& s) {
            double& phase = s.state[0];
            const double y = std::sin(2.0 * M_PI * phase);
            phase += freq * s.dt;
            if (phase >= 1.0) phase -= 1.0;
            return 0.01 * y;
        };
    });
}
