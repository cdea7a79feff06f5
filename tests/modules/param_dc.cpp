// Test module: parameters heard as DC levels. "dc" plays lel::param "level"
// (0.1 until set, a 20 ms lag) plus 0.3 for each sample "gate" is 1, on
// both channels, so the capture shows a set as a ramp and a trigger as a
// one-sample step.
#include <lel/lel.hpp>

LEL_SESSION(session) {
    session.clear();
    session.add("dc", [](auto& s) {
        return lel::param(s, "level", 0.1, {.lag = 0.02, .min = -0.5, .max = 0.5}) + 0.3 * lel::param(s, "gate", 0.0);
    });
}
