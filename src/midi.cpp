#include "midi.hpp"

#include <lel/dsp/midi.hpp>

#include <algorithm>

namespace lel {

std::optional<MidiEvent> decode_midi(std::span<const uint8_t> bytes, uint64_t frame) noexcept {
    if (bytes.size() < 3) return std::nullopt;  // every message lel uses has two data bytes
    const uint8_t status = bytes[0];
    const uint8_t a = bytes[1], b = bytes[2];
    if ((status & 0x80) == 0 || (a & 0x80) != 0 || (b & 0x80) != 0) return std::nullopt;  // not a message
    MidiEvent e;
    e.frame = frame;
    e.number = a;
    e.value = b;
    switch (status & 0xf0) {
        case 0x90: e.kind = b > 0 ? MidiEvent::Kind::note_on : MidiEvent::Kind::note_off; return e;
        case 0x80: e.kind = MidiEvent::Kind::note_off; return e;
        case 0xb0: e.kind = MidiEvent::Kind::control; return e;
        case 0xe0:
            e.kind = MidiEvent::Kind::bend;
            e.number = 0;
            e.value = static_cast<uint16_t>(a | (b << 7));
            return e;
        default: return std::nullopt;
    }
}

namespace midi_keys {

namespace {
// The keys of midi.cc0..midi.cc127, computed once at compile time.
struct ControlKeys {
    std::array<uint64_t, 128> keys{};
    constexpr ControlKeys() {
        for (std::size_t n = 0; n < 128; ++n) keys[n] = param_key(detail::midi_cc_names.names[n].data());
    }
};
constexpr ControlKeys control_keys{};
}  // namespace

uint64_t control(uint8_t n) noexcept { return control_keys.keys[n & 0x7f]; }

}  // namespace midi_keys

namespace {

ParamEvent set_all(uint64_t frame, uint64_t key, double value) noexcept LEL_RT {
    ParamEvent p;
    p.frame = frame;
    p.key = key;
    p.name_index = ParamEvent::every_signal;
    p.value = value;
    return p;
}

}  // namespace

std::size_t MidiVoice::play(const MidiEvent& e, std::span<ParamEvent, max_events> out) noexcept {
    std::size_t n = 0;
    switch (e.kind) {
        case MidiEvent::Kind::note_on: {
            const bool legato = held_count_ > 0;
            release(e.number);  // pressed again: it moves to the top
            held_[held_count_++] = e.number;
            out[n++] = set_all(e.frame, midi_keys::note, e.number);
            out[n++] = set_all(e.frame, midi_keys::velocity, e.value / 127.0);
            out[n++] = set_all(e.frame, midi_keys::gate, 1.0);
            if (legato) {  // the gate was on: off for this one sample, so envelopes start again
                ParamEvent dip = set_all(e.frame, midi_keys::gate, 0.0);
                dip.trig = 1;
                out[n++] = dip;
            }
            break;
        }
        case MidiEvent::Kind::note_off: {
            const bool was_sounding = held_count_ > 0 && held_[held_count_ - 1] == e.number;
            release(e.number);
            if (!was_sounding) break;  // a note under the one sounding: nothing is heard
            if (held_count_ > 0) {
                out[n++] = set_all(e.frame, midi_keys::note, held_[held_count_ - 1]);  // back to it, legato
            } else {
                out[n++] = set_all(e.frame, midi_keys::gate, 0.0);
            }
            break;
        }
        case MidiEvent::Kind::control:
            out[n++] = set_all(e.frame, midi_keys::control(e.number), e.value / 127.0);
            break;
        case MidiEvent::Kind::bend:
            out[n++] = set_all(e.frame, midi_keys::bend, (static_cast<double>(e.value) - 8192.0) / 8192.0);
            break;
    }
    return n;
}

void MidiVoice::release(uint8_t note) noexcept {
    const auto end = held_.begin() + static_cast<std::ptrdiff_t>(held_count_);
    const auto it = std::find(held_.begin(), end, note);
    if (it == end) return;
    std::copy(it + 1, end, it);
    --held_count_;
}

std::optional<uint8_t> MidiVoice::sounding() const noexcept {
    if (held_count_ == 0) return std::nullopt;
    return held_[held_count_ - 1];
}

}  // namespace lel
