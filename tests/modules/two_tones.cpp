// Test module: adds "low" (220 Hz) and "high" (880 Hz), 0.3 each, to what is
// already registered (no clear), for the /lel/remove tests. Their sum peaks
// at 0.6, below the output stage's knee, so it reaches the ports unchanged.
#include <lel/lel.hpp>

#include <cmath>

namespace {

auto sine(double hz) {
    return [hz](auto& s) {
        s.state[0] = std::fmod(s.state[0] + hz * s.dt, 1.0);
        return 0.3 * std::sin(2.0 * M_PI * s.state[0]);
    };
}

}  // namespace

LEL_SESSION(session) {
    session.add("low", sine(220.0));
    session.add("high", sine(880.0));
}
