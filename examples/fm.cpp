// Two-operator FM: a modulator at 3/2 of the carrier, its depth swelling
// with a slow LFO. Every oscillator's phase survives reloads.
#include <lel/lel.hpp>

LEL_SESSION(session) {
    session.clear();

    session.add("fm", [](auto& s) {
        const double carrier = 220.0;
        const double index = 2.0 + 1.5 * lel::sine(s, 0.2);  // modulation index
        const double mod = lel::sine(s, carrier * 1.5);
        const double x = lel::sine(s, carrier + index * carrier * 1.5 * mod);
        return lel::pan(0.2 * x, 0.3 * lel::sine(s, 0.13));
    });
}
