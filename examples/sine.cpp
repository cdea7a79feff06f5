// The first session: a sine, and a stereo pair. Change a frequency, save,
// `lel load` again: the pitch changes mid-waveform, with no click, because
// each oscillator's phase belongs to its signal's name and survives reloads.
#include <lel/lel.hpp>

LEL_SESSION(session) {
    session.clear();  // this file is the whole scene: loading it replaces what plays

    session.add("sine-440", [](auto& s) {
        return 0.2 * lel::sine(s, 440.0);  // mono: the same on both channels
    });

    session.add("fifths", [](auto& s) {
        // Each helper call keeps its own phase: no state slots to number.
        return lel::Frame{0.1 * lel::sine(s, 330.0), 0.1 * lel::sine(s, 495.0)};
    });
}
