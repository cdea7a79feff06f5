// lel — MIDI in: what a controller wired to lel:midi_in plays into signals.
//
//     session.add("lead", [](auto& s) {
//         const double env = lel::adsr(s, lel::midi_gate(s), 0.005, 0.2, 0.6, 0.3);
//         const double cutoff = 200.0 + 4000.0 * lel::midi_cc(s, 74);
//         return 0.3 * env * lel::lowpass(s, lel::saw(s, lel::midi_freq(s)), cutoff, 2.0);
//     });
//
// Design: MIDI reaches signals through named parameters (dsp/params.hpp),
// so a MIDI value is a parameter like any other: it follows the signal's
// name through reloads, `/lel/get` reads it, `/lel/params` lists it and
// `/lel/set` can set it too. leld plays the MIDI input as one monophonic
// voice, omni (every channel), last-note priority:
//   - midi.note      the note held last (0-127; a release goes back to the
//                    note still held before it, legato);
//   - midi.gate      1 while any note is held, 0 once all are released; a
//                    new note while one is held makes it 0 for that one
//                    sample, so an envelope starts again (a retrigger from
//                    its current level: no jump);
//   - midi.velocity  that note-on's velocity / 127;
//   - midi.bend      the pitch wheel, -1 to 1 (0: centred);
//   - midi.cc<N>     controller N's value / 127, for N in 0-127.
// Each change lands on the frame of its event: the event's offset within
// the JACK period is kept, and every MIDI event reaches the sound exactly
// the ring's depth after it reached lel:midi_in, like lel:in_1's audio.
// Every signal that reads a MIDI parameter gets every event (no channel
// routing yet).
//
// Threads: these run wherever the signal runs (the producer); wait-free.
#pragma once

#include <lel/context.hpp>
#include <lel/detail/rt.hpp>
#include <lel/dsp/params.hpp>
#include <lel/dsp/utility.hpp>

#include <array>

namespace lel {
namespace detail {

/// "midi.cc0" to "midi.cc127", the controllers' parameter names.
struct MidiCcNames {
    std::array<std::array<char, 12>, 128> names{};
    constexpr MidiCcNames() {
        for (int cc = 0; cc < 128; ++cc) {
            auto& n = names[static_cast<std::size_t>(cc)];
            std::size_t i = 0;
            for (const char c : {'m', 'i', 'd', 'i', '.', 'c', 'c'}) n[i++] = c;
            if (cc >= 100) n[i++] = static_cast<char>('0' + cc / 100);
            if (cc >= 10) n[i++] = static_cast<char>('0' + cc / 10 % 10);
            n[i++] = static_cast<char>('0' + cc % 10);
            n[i] = '\0';
        }
    }
};
inline constexpr MidiCcNames midi_cc_names{};

}  // namespace detail

/// The MIDI note held last (0-127), `initial` until the first note-on.
inline double midi_note(Context& s, double initial = 60.0) noexcept LEL_RT {
    return param(s, "midi.note", initial, {.lag = 0.0, .min = 0.0, .max = 127.0});
}

/// 1 while a MIDI note is held, else 0 (0 for one sample at a retrigger).
inline double midi_gate(Context& s) noexcept LEL_RT {
    return param(s, "midi.gate", 0.0, {.lag = 0.0, .min = 0.0, .max = 1.0});
}

/// The velocity of the last note-on, 0 to 1 (`initial` before the first).
inline double midi_velocity(Context& s, double initial = 1.0) noexcept LEL_RT {
    return param(s, "midi.velocity", initial, {.lag = 0.0, .min = 0.0, .max = 1.0});
}

/// The pitch wheel, -1 to 1, smoothed over 5 ms.
inline double midi_bend(Context& s) noexcept LEL_RT {
    return param(s, "midi.bend", 0.0, {.lag = 0.005, .min = -1.0, .max = 1.0});
}

/// The held note's frequency in Hz, the pitch wheel bending it by up to
/// `bend_semitones` either way: mtof(midi_note + bend_semitones * midi_bend).
inline double midi_freq(Context& s, double bend_semitones = 2.0) noexcept LEL_RT {
    const double note = midi_note(s);
    return mtof(note + bend_semitones * midi_bend(s));
}

/// Controller `cc` (0-127; others read controller 0) as 0 to 1, smoothed
/// over `lag` seconds (a knob's 128 steps would otherwise be heard as
/// zipper noise); `initial` until the controller first moves.
inline double midi_cc(Context& s, int cc, double initial = 0.0, double lag = 0.01) noexcept LEL_RT {
    const auto i = static_cast<std::size_t>(cc >= 0 && cc < 128 ? cc : 0);
    return param(s, detail::midi_cc_names.names[i].data(), initial, {.lag = lag, .min = 0.0, .max = 1.0});
}

}  // namespace lel
