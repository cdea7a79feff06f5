// A 440 Hz sine whose phase lives in state, so reloading with another
// frequency continues the waveform without a click.
#include <lel/lel.hpp>

#include <cmath>

LEL_SESSION(session) {
    session.clear();  // optional: drop signals registered before (state is kept)
    session.add("sine-440", [](auto& s) {
        s.state[0] = std::fmod(s.state[0] + 440.0 * s.dt, 1.0);  // persistent phase
        return 0.5 * std::sin(2.0 * M_PI * s.state[0]);           // a double: mono, to both channels
    });
    session.add("wide", [](auto& s) {
        return lel::Frame{0.1 * std::sin(2.0 * M_PI * 220.0 * s.t),
                          0.1 * std::sin(2.0 * M_PI * 221.0 * s.t)};  // stereo
    });
    session.remove("old-drone");  // removing a name that is not there is not an error
}
