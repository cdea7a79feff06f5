// MIDI in without JACK (issue 10): the messages lel:midi_in decodes and
// the ones it ignores, the monophonic voice MIDI plays (last-note priority,
// legato back to a held note, a retrigger's one-sample gate dip), and the
// events through the engine: each lands on its frame in every signal that
// reads midi.note/gate/velocity/bend/ccN, and in none that does not. The
// JACK side (the frame an event is stamped with) is tested through a real
// leld in tests/integration/midi_test.cpp.
#include "engine.hpp"
#include "load_options.hpp"
#include "midi.hpp"

#include <lel/lel.hpp>

#include <gtest/gtest.h>

#include <array>
#include <vector>

using namespace lel;

namespace {

std::optional<MidiEvent> decode(std::initializer_list<uint8_t> bytes, uint64_t frame = 7) {
    const std::vector<uint8_t> v(bytes);
    return decode_midi(v, frame);
}

TEST(DecodeMidi, notes_controllers_and_the_wheel_on_any_channel) {
    auto e = decode({0x93, 60, 100});
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind, MidiEvent::Kind::note_on);
    EXPECT_EQ(e->number, 60);
    EXPECT_EQ(e->value, 100);
    EXPECT_EQ(e->frame, 7u);
    e = decode({0x80, 60, 64});
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind, MidiEvent::Kind::note_off);
    e = decode({0x9f, 61, 0});  // a note-on of velocity 0 is a note-off
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind, MidiEvent::Kind::note_off);
    EXPECT_EQ(e->number, 61);
    e = decode({0xb0, 74, 127});
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind, MidiEvent::Kind::control);
    EXPECT_EQ(e->number, 74);
    EXPECT_EQ(e->value, 127);
    e = decode({0xe0, 0x7f, 0x7f});
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind, MidiEvent::Kind::bend);
    EXPECT_EQ(e->value, 16383);
}

TEST(DecodeMidi, ignores_what_lel_does_not_use_and_anything_malformed) {
    EXPECT_FALSE(decode({0xc0, 5}));            // program change
    EXPECT_FALSE(decode({0xa0, 60, 10}));       // polyphonic aftertouch
    EXPECT_FALSE(decode({0xf0, 0x7e, 0x7f, 0x09, 0x01, 0xf7}));  // SysEx
    EXPECT_FALSE(decode({0xf8}));               // clock
    EXPECT_FALSE(decode({0x90, 60}));           // cut short
    EXPECT_FALSE(decode({}));
    EXPECT_FALSE(decode({60, 100, 0x90}));      // no status byte first
    EXPECT_FALSE(decode({0x90, 0x80, 100}));    // a data byte with its top bit
    EXPECT_FALSE(decode({0xb0, 1, 0xff}));
}

struct Played {
    std::vector<ParamEvent> events;
};

Played play(MidiVoice& v, MidiEvent::Kind kind, uint8_t number, uint16_t value, uint64_t frame = 100) {
    std::array<ParamEvent, MidiVoice::max_events> out;
    const std::size_t n = v.play(MidiEvent{frame, kind, number, value}, out);
    return {std::vector<ParamEvent>(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n))};
}

const ParamEvent* find(const Played& p, uint64_t key, bool trig = false) {
    for (const ParamEvent& e : p.events) {
        if (e.key == key && (e.trig != 0) == trig) return &e;
    }
    return nullptr;
}

TEST(MidiVoice, plays_the_last_note_held_and_goes_back_to_the_one_under_it) {
    MidiVoice v;
    Played p = play(v, MidiEvent::Kind::note_on, 60, 127);
    ASSERT_TRUE(find(p, midi_keys::note));
    EXPECT_EQ(find(p, midi_keys::note)->value, 60.0);
    EXPECT_EQ(find(p, midi_keys::gate)->value, 1.0);
    EXPECT_EQ(find(p, midi_keys::velocity)->value, 1.0);
    EXPECT_FALSE(find(p, midi_keys::gate, true)) << "the first note needs no retrigger";
    for (const ParamEvent& e : p.events) {
        EXPECT_EQ(e.name_index, ParamEvent::every_signal);
        EXPECT_EQ(e.frame, 100u);
    }

    p = play(v, MidiEvent::Kind::note_on, 64, 64);  // a second key while the first is held
    EXPECT_EQ(find(p, midi_keys::note)->value, 64.0);
    ASSERT_TRUE(find(p, midi_keys::gate, true)) << "a retrigger dips the gate";
    EXPECT_EQ(find(p, midi_keys::gate, true)->value, 0.0);
    EXPECT_EQ(v.sounding(), 64);

    p = play(v, MidiEvent::Kind::note_off, 60, 0);  // the one under it: nothing heard
    EXPECT_TRUE(p.events.empty());
    EXPECT_EQ(v.sounding(), 64);

    p = play(v, MidiEvent::Kind::note_on, 67, 100);
    p = play(v, MidiEvent::Kind::note_off, 67, 0);  // back to 64, legato: the gate stays
    ASSERT_EQ(p.events.size(), 1u);
    EXPECT_EQ(find(p, midi_keys::note)->value, 64.0);

    p = play(v, MidiEvent::Kind::note_off, 64, 0);  // the last one: the gate closes
    ASSERT_EQ(p.events.size(), 1u);
    EXPECT_EQ(find(p, midi_keys::gate)->value, 0.0);
    EXPECT_FALSE(v.sounding());

    p = play(v, MidiEvent::Kind::note_off, 64, 0);  // a stray note-off
    EXPECT_TRUE(p.events.empty());
}

TEST(MidiVoice, holds_all_128_notes_and_a_key_pressed_twice_once) {
    MidiVoice v;
    for (int twice = 0; twice < 2; ++twice) {
        for (int n = 0; n < 128; ++n) play(v, MidiEvent::Kind::note_on, static_cast<uint8_t>(n), 100);
    }
    EXPECT_EQ(v.sounding(), 127);
    for (int n = 127; n > 0; --n) {
        const Played p = play(v, MidiEvent::Kind::note_off, static_cast<uint8_t>(n), 0);
        ASSERT_TRUE(find(p, midi_keys::note)) << n;
        EXPECT_EQ(find(p, midi_keys::note)->value, n - 1);
    }
    EXPECT_EQ(find(play(v, MidiEvent::Kind::note_off, 0, 0), midi_keys::gate)->value, 0.0);
}

TEST(MidiVoice, controllers_and_the_wheel_scale_to_their_ranges) {
    MidiVoice v;
    Played p = play(v, MidiEvent::Kind::control, 74, 127);
    ASSERT_EQ(p.events.size(), 1u);
    EXPECT_EQ(p.events[0].key, param_key("midi.cc74"));
    EXPECT_EQ(p.events[0].value, 1.0);
    EXPECT_EQ(midi_keys::control(0), param_key("midi.cc0"));
    EXPECT_EQ(midi_keys::control(127), param_key("midi.cc127"));
    p = play(v, MidiEvent::Kind::bend, 0, 8192);
    EXPECT_EQ(p.events[0].key, midi_keys::bend);
    EXPECT_EQ(p.events[0].value, 0.0);
    p = play(v, MidiEvent::Kind::bend, 0, 0);
    EXPECT_EQ(p.events[0].value, -1.0);
}

// ---------------------------------------------------------------- through the engine

std::vector<double> lead_seen, other_seen;  // per frame: what each signal returned

void midi_session(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("lead", [](Context& c) {
            // note + 1000 * gate + 10000 * cc74: each visible in one number
            const double v = lel::midi_note(c) + 1000.0 * lel::midi_gate(c) + 10000.0 * lel::midi_cc(c, 74, 0.0, 0.0);
            if (c.frame < lead_seen.size()) lead_seen[c.frame] = v;
            return 0.0;
        });
        s.add("bass", [](Context& c) {  // reads the note too: every signal gets it
            const double v = lel::midi_note(c, 36.0);
            if (c.frame < other_seen.size()) other_seen[c.frame] = v;
            return 0.0;
        });
        s.add("drone", [](Context&) { return 0.0; });  // reads no MIDI
    });
}

TEST(MidiThroughTheEngine, each_event_lands_on_its_frame_in_every_signal_that_reads_it) {
    EngineConfig config;
    config.max_block = 64;
    config.state_doubles = 1 << 16;
    config.max_names = 16;
    Engine engine(config);
    SpscRing<MidiEvent> queue(64);
    engine.renderer().set_midi_queue(&queue);
    lead_seen.assign(4800, -1.0);
    other_seen.assign(4800, -1.0);
    const CommandResult r = engine.run_session(&midi_session, nullptr, "test", LoadOptions{});
    ASSERT_TRUE(r) << r.message;
    std::vector<StereoFrame> out(64);
    engine.renderer().render(out);  // the program takes effect: frames 0-63
    // Events for frames inside later blocks, at odd offsets, one already late.
    const std::vector<MidiEvent> events = {
        {100, MidiEvent::Kind::note_on, 60, 100},   // frame 100: offset 36 in its block
        {130, MidiEvent::Kind::control, 74, 127},
        {201, MidiEvent::Kind::note_on, 62, 100},   // retrigger: gate 0 at 201 only
        {333, MidiEvent::Kind::note_off, 62, 0},    // back to 60
        {334, MidiEvent::Kind::note_off, 60, 0},    // gate off
    };
    ASSERT_EQ(queue.try_write(events), events.size());
    out.resize(4800 - 64);
    engine.renderer().render(out);
    EXPECT_EQ(engine.renderer().midi_events_approx(), events.size());
    EXPECT_EQ(engine.renderer().params_late_approx(), 0u);
    EXPECT_EQ(lead_seen[99], 60.0);  // the default note, gate off
    EXPECT_EQ(lead_seen[100], 1060.0);
    EXPECT_EQ(lead_seen[129], 1060.0);
    EXPECT_EQ(lead_seen[130], 11060.0);
    EXPECT_EQ(lead_seen[200], 11060.0);
    EXPECT_EQ(lead_seen[201], 10062.0) << "the retrigger's dip: gate 0 for this one sample";
    EXPECT_EQ(lead_seen[202], 11062.0);
    EXPECT_EQ(lead_seen[332], 11062.0);
    EXPECT_EQ(lead_seen[333], 11060.0) << "back to the key still held, legato";
    EXPECT_EQ(lead_seen[334], 10060.0);
    EXPECT_EQ(other_seen[99], 36.0);
    EXPECT_EQ(other_seen[100], 60.0);
    EXPECT_EQ(other_seen[201], 62.0);

    // A late event plays at once and is counted.
    ASSERT_EQ(queue.try_write(std::vector<MidiEvent>{{10, MidiEvent::Kind::note_on, 72, 100}}), 1u);
    lead_seen.assign(4800 + 64, -1.0);
    out.resize(64);
    engine.renderer().render(out);
    EXPECT_EQ(lead_seen[4800], 11072.0);
    EXPECT_EQ(engine.renderer().params_late_approx(), 3u);  // note, velocity, gate
}

}  // namespace
