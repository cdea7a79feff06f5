// lel — MIDI in, engine side (the signal side is include/lel/dsp/midi.hpp):
// the events of lel:midi_in on their way to the parameters that signals
// read.
//
// Design: the JACK callback decodes each event it sees on lel:midi_in
// (decode_midi: note on/off, controller, pitch wheel; the rest is ignored)
// and stamps it with the engine frame it must sound at: the frame the
// producer renders while it reads the audio input of the same instant, so
// MIDI and lel:in_1 reach the outputs with the same latency, the ring's
// depth, and an event keeps its offset within the period. A wait-free
// queue takes it to the producer, where MidiVoice plays it as one
// monophonic voice and turns it into parameter events for every signal
// that reads midi.note, midi.gate, ... (ParamEvent::every_signal); they wait
// for their frame with the timed /lel/set events.
//
// Threads: decode_midi() runs on JACK's process thread, MidiVoice on the
// producer thread; both are wait-free and allocate nothing.
#pragma once

#include <lel/detail/rt.hpp>

#include "params.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>

namespace lel {

/// One MIDI event lel uses, with the engine frame it sounds at.
struct MidiEvent {
    enum class Kind : uint8_t { note_on, note_off, control, bend };
    uint64_t frame = 0;
    Kind kind = Kind::note_on;
    uint8_t number = 0;  ///< the note or the controller
    uint16_t value = 0;  ///< velocity or controller value (0-127); the wheel's 14 bits (0-16383)
};
static_assert(std::is_trivially_copyable_v<MidiEvent>);

/// The event in `bytes` (one complete MIDI message, as JACK delivers them),
/// or nullopt for a message lel does not use (system messages, aftertouch,
/// program change) or a malformed one. A note-on of velocity 0 is a
/// note-off. Any thread; wait-free.
std::optional<MidiEvent> decode_midi(std::span<const uint8_t> bytes, uint64_t frame) noexcept LEL_RT;

/// The parameters MIDI plays, by key.
namespace midi_keys {
inline constexpr uint64_t note = param_key("midi.note");
inline constexpr uint64_t gate = param_key("midi.gate");
inline constexpr uint64_t velocity = param_key("midi.velocity");
inline constexpr uint64_t bend = param_key("midi.bend");
/// midi.cc<n>'s key.
uint64_t control(uint8_t n) noexcept LEL_RT;
}  // namespace midi_keys

/// The MIDI input played as one monophonic voice, last-note priority:
/// which notes are held, in the order they were pressed.
class MidiVoice {
public:
    /// At most this many parameter events come of one MIDI event.
    static constexpr std::size_t max_events = 4;

    /// Plays `e`: the parameter events it makes go into `out`, every one
    /// for every signal, at e.frame. Returns how many. Producer thread;
    /// wait-free.
    std::size_t play(const MidiEvent& e, std::span<ParamEvent, max_events> out) noexcept LEL_RT;

    /// The note sounding, if any (for tests).
    std::optional<uint8_t> sounding() const noexcept;

private:
    void release(uint8_t note) noexcept LEL_RT;

    std::array<uint8_t, 128> held_{};  // the held notes, oldest first
    std::size_t held_count_ = 0;
};

}  // namespace lel
