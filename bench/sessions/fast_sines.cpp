// bench session: N sines from lel::sine, the fast oscillator (N: see
// bench_sines.hpp).
#include "bench_sines.hpp"

LEL_SESSION(session) {
    bench::add_sines(session, [](double freq) {
        return [freq](auto& s) { return 0.01 * lel::sine(s, freq, 0); };
    });
}
