// Stereo: two detuned oscillators, one per side, and a slow LFO that swings
// the pair across the stereo field. Returning a lel::Frame makes a signal
// stereo; returning a double (see sine.cpp) makes it mono.
//
// Try: change `base` or `detune` and `lel load` again. The phases live in
// state, so the sound changes without a click.
#include <lel/lel.hpp>

#include <cmath>
#include <numbers>

namespace {

constexpr double two_pi = 2.0 * std::numbers::pi;

// Advances a phase (in cycles, kept in [0, 1)) by `hz` for one sample.
double advance(double& phase, double hz, double dt) {
    phase += hz * dt;
    phase -= std::floor(phase);
    return phase;
}

}  // namespace

LEL_SESSION(session) {
    session.clear();  // this file is the whole scene: loading it replaces what plays

    const double base = 110.0;   // Hz
    const double detune = 0.7;   // Hz between the two oscillators: the beating rate
    const double pan_hz = 0.05;  // one full left-right-left swing every 20 s

    // Captures are copied when the module is loaded: edit them and reload.
    session.add("stereo-pad", [=](auto& s) {
        const double a = std::sin(two_pi * advance(s.state[0], base, s.dt));
        const double b = std::sin(two_pi * advance(s.state[1], base + detune, s.dt));
        // A soft second harmonic so the pair is not a bare sine.
        const double a2 = 0.3 * std::sin(2.0 * two_pi * s.state[0]);
        const double b2 = 0.3 * std::sin(2.0 * two_pi * s.state[1]);

        // Equal-power autopan: p goes 0..1; at 0 `a` is left and `b` right,
        // at 1 they have swapped sides.
        const double p = 0.5 + 0.5 * std::sin(two_pi * advance(s.state[2], pan_hz, s.dt));
        const double near = std::cos(0.5 * std::numbers::pi * p);
        const double far = std::sin(0.5 * std::numbers::pi * p);
        const double gain = 0.15;
        return lel::Frame{gain * ((a + a2) * near + (b + b2) * far),
                          gain * ((a + a2) * far + (b + b2) * near)};
    });
}
