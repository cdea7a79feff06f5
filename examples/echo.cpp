// Echo: a feedback delay whose buffer lives in the signal's state, so the
// tail keeps ringing through a reload (change `feedback` or the pattern and
// `lel load` again: the echoes already in the line carry on).
//
// State is doubles. This signal asks for 8 doubles of its own variables
// followed by a one-second line at 48 kHz:
//   state[0]          write index into the line
//   state[1]          phase of the blip oscillator
//   state[2]          one-pole low-pass in the feedback path (its memory)
//   state[8 .. 8+N)   the delay line
// A name keeps its state for the life of the daemon; asking for more later
// grows it with the old values kept.
#include <lel/lel.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <numbers>

namespace {

constexpr double two_pi = 2.0 * std::numbers::pi;
constexpr std::size_t header = 8;     // doubles before the line
constexpr std::size_t line = 48000;   // delay line length (1 s at 48 kHz)

}  // namespace

LEL_SESSION(session) {
    session.clear();  // this file is the whole scene: loading it replaces what plays

    const double beat = 0.5;           // seconds between blips (120 bpm)
    const double delay = 0.375;        // seconds: a dotted eighth at 120 bpm
    const double feedback = 0.55;      // < 1, or the echoes never die down
    const std::array<double, 4> notes{440.0, 660.0, 550.0, 330.0};

    session.add("echo", [=](auto& s) {
        double& write = s.state[0];
        double& phase = s.state[1];
        double& tone = s.state[2];
        const auto buffer = s.state.subspan(header, line);

        // The source: a short, fast-decaying sine blip on every beat.
        const double since = std::fmod(s.t, beat);  // seconds since the last beat
        const auto step = static_cast<std::size_t>(s.t / beat) % notes.size();
        phase = phase + notes[step] * s.dt;
        phase -= std::floor(phase);
        const double dry = 0.4 * std::exp(-since * 40.0) * std::sin(two_pi * phase);

        // The delay: read `delay` seconds back, write dry + filtered feedback.
        const auto w = static_cast<std::size_t>(write);
        const auto d = std::min<std::size_t>(static_cast<std::size_t>(std::lround(delay * s.sr)), line - 1);
        const double wet = buffer[(w + line - d) % line];
        tone += 0.3 * (wet - tone);  // darker with every repeat, like tape
        buffer[w] = dry + feedback * tone;
        write = static_cast<double>((w + 1) % line);

        return dry + 0.7 * wet;
    }, lel::SignalOptions{.state = header + line});
}
