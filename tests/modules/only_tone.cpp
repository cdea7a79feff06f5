// Test module: clears the session, then adds "tone", a 0.5-amplitude 440 Hz
// sine whose phase lives in state[0] (like sine_440, but replacing whatever
// was loaded before). For the leld stress test.
#include <lel/lel.hpp>

#include <cmath>

LEL_SESSION(session) {
    session.clear();
    session.add("tone", [](auto& s) {
        s.state[0] = std::fmod(s.state[0] + 440.0 * s.dt, 1.0);
        return 0.5 * std::sin(2.0 * M_PI * s.state[0]);
    });
}
