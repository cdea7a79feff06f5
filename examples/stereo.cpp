// Two detuned band-limited saws through a low-pass, slowly panned by an LFO.
#include <lel/lel.hpp>

LEL_SESSION(session) {
    session.clear();

    session.add("drift", [](auto& s) {
        const double saws = lel::saw(s, 110.0) + lel::saw(s, 110.7);
        const double dark = lel::lowpass(s, saws, 600.0 + 400.0 * lel::sine(s, 0.1), 1.2);
        return lel::pan(0.15 * dark, 0.8 * lel::sine(s, 0.25));  // equal-power pan, pos in [-1, 1]
    });
}
