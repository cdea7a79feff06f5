// Test module: sine_440's "tone" at 660 Hz, same phase slot: reloading it
// over sine_440 must not click.
#include <lel/lel.hpp>

#include <cmath>

LEL_SESSION(session) {
    session.add("tone", [](auto& s) {
        s.state[0] = std::fmod(s.state[0] + 660.0 * s.dt, 1.0);
        return 0.5 * std::sin(2.0 * M_PI * s.state[0]);
    });
}
