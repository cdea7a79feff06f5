// A MIDI synth: wire a keyboard to lel:midi_in (qjackctl, MIDI tab) and
// play. One monophonic voice, last-note priority: two detuned saws through
// a resonant low-pass whose cutoff follows the envelope and the mod wheel
// (CC 1), the velocity scaling the level, the pitch wheel bending two
// semitones, and a stereo echo behind it. Reload it while holding a note:
// the note, the envelope, the filter and the echo go on.
//
// Until a key is held it plays a demo line of its own; `lel set synth demo 0`
// stops that.
#include <lel/lel.hpp>

LEL_SESSION(session) {
    session.clear();
    session.add("synth", [](auto& s) {
        const double held = lel::midi_gate(s);
        const double demo = (1.0 - held) * lel::param(s, "demo", 1.0, {.lag = 0.0, .min = 0.0, .max = 1.0});
        const double line = lel::seq(s, {45, 57, 52, 55, 48, 60, 55, 50}, 0.5);
        const double key = lel::midi_note(s);  // helpers on every sample, never under a condition
        const double velocity = lel::midi_velocity(s);
        const double note = demo > 0.0 ? line : key;
        const double hz = lel::mtof(note + 2.0 * lel::midi_bend(s));
        const double gate = std::max(held, demo * lel::seq(s, {1, 0}, 0.25));
        const double env = lel::adsr(s, gate, 0.004, 0.25, 0.5, 0.4);
        const double osc = 0.5 * (lel::saw(s, hz) + lel::saw(s, hz * 1.006));
        const double cutoff = 150.0 + (800.0 + 6000.0 * lel::midi_cc(s, 1)) * env;
        const double level = demo > 0.0 ? 0.8 : velocity;
        const double voice = 0.3 * level * env * lel::lowpass(s, osc, cutoff, 3.0);
        const double echo_l = lel::comb(s, voice, 0.3, 0.35);
        const double echo_r = lel::delay(s, echo_l, 0.15);
        return lel::Frame{voice + 0.4 * echo_l, voice + 0.4 * echo_r};
    });
}
