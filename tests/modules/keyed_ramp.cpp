// Test module: a slow ramp from a keyed phasor, next to an unkeyed helper
// of another kind; -DRAMP_LAST moves the keyed phasor after it. A reload
// between the two keeps the ramp where it was (its state follows the key).
#include <lel/lel.hpp>

LEL_SESSION(session) {
    session.add("ramp", [](auto& s) {
#if defined(RAMP_LAST)
        const double other = lel::lowpass(s, 0.0, 1000.0);
        const double ramp = lel::phasor(lel::key(s, "ramp"), 0.25);
#else
        const double ramp = lel::phasor(lel::key(s, "ramp"), 0.25);
        const double other = lel::lowpass(s, 0.0, 1000.0);
#endif
        return 0.5 * ramp + other;
    });
}
