// Test module: state that counts. Left: s.state[0] counts samples, played
// as a ramp from 0 to 0.5 over 100 s; right: a helper (lel::phasor) at
// 0.01 Hz, the same ramp from helper state, times a parameter `level`.
// After leld is killed and started again on the same state directory,
// both go on from where they were, not from 0.
#include <lel/lel.hpp>

LEL_SESSION(session) {
    session.add("counter", [](auto& s) {
        s.state[0] += 1.0;
        const double level = lel::param(s, "level", 1.0, {.min = 0.0, .max = 1.0});
        return lel::Frame{0.5 * s.state[0] / (100.0 * s.sr), 0.5 * level * lel::phasor(s, 0.01)};
    });
}
