// FM: a carrier whose frequency a modulator bends, with both phases in
// state. Because the phases accumulate sample by sample (rather than being
// computed from s.t), a reload with another carrier, ratio or index picks up
// exactly where the old code left off: no click, no restart.
#include <lel/lel.hpp>

#include <cmath>
#include <numbers>

namespace {

constexpr double two_pi = 2.0 * std::numbers::pi;

double wrap(double phase) { return phase - std::floor(phase); }

}  // namespace

LEL_SESSION(session) {
    session.clear();  // this file is the whole scene: loading it replaces what plays

    const double carrier_hz = 220.0;
    const double ratio = 1.5;     // modulator frequency / carrier frequency
    const double index = 3.0;     // peak deviation / modulator frequency: brightness
    const double swell_hz = 0.125;  // the index breathes once every 8 s

    session.add("fm", [=](auto& s) {
        double& carrier = s.state[0];    // phases, in cycles
        double& modulator = s.state[1];
        double& swell = s.state[2];

        const double mod_hz = ratio * carrier_hz;
        swell = wrap(swell + swell_hz * s.dt);
        const double depth = index * (0.55 + 0.45 * std::sin(two_pi * swell));

        modulator = wrap(modulator + mod_hz * s.dt);
        // Instantaneous carrier frequency: fc + depth * fm * sin(modulator).
        const double hz = carrier_hz + depth * mod_hz * std::sin(two_pi * modulator);
        carrier = wrap(carrier + hz * s.dt);
        return 0.25 * std::sin(two_pi * carrier);  // mono
    });
}
