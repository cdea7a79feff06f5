// Routing: a bass line as a send, heard dry and through a ping-pong echo
// by the signal that listens to it, and the audio input (lel:in_1,
// lel:in_2: wire something to them) through a reverb. docs/stdlib/routing.md.
#include <lel/lel.hpp>

LEL_SESSION(session) {
    session.clear();
    // A send: only its listeners hear it.
    session.add("bass", [](auto& s) {
        const double gate = lel::seq(s, {1, 0, 1, 1}, 0.25);
        return 0.3 * lel::adsr(s, gate, 0.005, 0.1, 0.5, 0.1) * lel::lowpass(s, lel::saw(s, 55.0), 900.0, 2.0);
    }, {.main = false});
    // The bass, dry, and a ping-pong echo of it.
    session.add("bass_fx", [](auto& s) {
        const lel::Frame dry = lel::listen(s, "bass");
        const double echo_l = lel::comb(s, dry.left, 0.375, 0.4);
        const double echo_r = lel::delay(s, echo_l, 0.1875);
        return dry + lel::Frame{echo_l, echo_r} * 0.5;
    });
    // Whatever is wired to lel:in_1 / lel:in_2, through a reverb.
    session.add("room", [](auto& s) { return lel::reverb(s, lel::input(s).left, 0.8, 0.5, 0.4); });
}
