// Test module: MIDI heard as DC levels. "keys" plays 0.5 while a note is
// held plus 0.001 times the note number on the left, and controller 74
// (no smoothing) times 0.5 plus lel:in_2's audio on the right, so the
// capture shows each note-on, note-off and controller change as a step on
// its frame, and a click played into in_2 next to them.
#include <lel/lel.hpp>

LEL_SESSION(session) {
    session.clear();
    session.add("keys", [](auto& s) {
        const double left = 0.5 * lel::midi_gate(s) + 0.001 * lel::midi_note(s);
        return lel::Frame{left, 0.5 * lel::midi_cc(s, 74, 0.0, 0.0) + lel::input(s).right};
    });
}
