// MIDI in through a real leld (issue 10): a JACK MIDI client, wired to
// lel:midi_in, plays notes and a controller at known JACK frame times, at
// different offsets within the period, while a ClickSender plays clicks
// into lel:in_2; the capture records what tests/modules/midi_dc.cpp makes
// of them (DC steps, and the clicks). Every note-on, note-off and
// controller change must reach lel:out_1/out_2 exactly as long after it
// reached midi_in as the audio input takes, the ring's depth (so its
// offset in the period is kept), with the right note number and value;
// messages lel does not use (SysEx, clock, program change) change nothing.
//
// Why the clicks: JACK orders its clients by their connections, and with a
// MIDI connection alone to lel (no audio into it) this jackd put the
// capture's timeline one period off leld's; the audio connection fixes the
// order, and the clicks are the reference the MIDI is measured against.
#include "analysis.hpp"
#include "click_sender.hpp"
#include "live.hpp"

#include <jack/jack.h>
#include <jack/midiport.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

namespace lel::test {
namespace {

// One cycle of every `every` frames: at each of these frame times (modulo
// `every`) the sender plays one thing; their offsets in a 64-frame period
// are 17, 21, 6 and 56.
constexpr jack_nframes_t every = click_every;  // 100 ms at 48 kHz; the clicks at 0
constexpr jack_nframes_t note_on_at = 17, control_at = 1045, note_off_at = 2438, ignored_at = 3000;

/// The note of cycle k (frame time / every): a different one each cycle.
uint8_t note_of(jack_nframes_t cycle) { return static_cast<uint8_t>(60 + cycle % 12); }

/// A JACK client whose MIDI output, connected to <lel>:midi_in, plays in
/// every cycle: a note-on (velocity 100) at note_on_at, controller 74 at
/// control_at (127 in even cycles, 0 in odd ones), the note-off at
/// note_off_at, and at ignored_at a SysEx, a clock tick and a program
/// change. Threads: construction and destruction on the test's thread;
/// process() on JACK's real-time thread.
class MidiSender {
public:
    explicit MidiSender(const std::string& lel_client) {
        open_sender(client_, "lel-test-midi", &MidiSender::process, this,
                    {{"out", JACK_DEFAULT_MIDI_TYPE, lel_client + ":midi_in", &port_}});
    }
    ~MidiSender() { jack_client_close(client_); }
    MidiSender(const MidiSender&) = delete;
    MidiSender& operator=(const MidiSender&) = delete;

private:
    static int process(jack_nframes_t frames, void* arg) noexcept {
        auto& self = *static_cast<MidiSender*>(arg);
        void* buffer = jack_port_get_buffer(self.port_, frames);
        jack_midi_clear_buffer(buffer);
        const jack_nframes_t start = jack_last_frame_time(self.client_);
        for (jack_nframes_t i = 0; i < frames; ++i) {
            const jack_nframes_t t = start + i;
            const jack_nframes_t cycle = t / every;
            const uint8_t channel = static_cast<uint8_t>(cycle % 16);  // omni: any channel plays
            switch (t % every) {
                case note_on_at: self.write(buffer, i, {uint8_t(0x90 | channel), note_of(cycle), 100}); break;
                case control_at:
                    self.write(buffer, i, {uint8_t(0xb0 | channel), 74, uint8_t(cycle % 2 == 0 ? 127 : 0)});
                    break;
                case note_off_at: self.write(buffer, i, {uint8_t(0x80 | channel), note_of(cycle), 0}); break;
                case ignored_at:
                    self.write(buffer, i, {0xf0, 0x7e, 0x7f, 0x09, 0x01, 0xf7});
                    self.write(buffer, i, {0xf8});
                    self.write(buffer, i, {uint8_t(0xc0 | channel), 5});
                    break;
                default: break;
            }
        }
        return 0;
    }
    void write(void* buffer, jack_nframes_t at, std::initializer_list<uint8_t> bytes) noexcept {
        const uint8_t* data = bytes.begin();
        jack_midi_event_write(buffer, at, data, bytes.size());
    }

    jack_client_t* client_ = nullptr;
    jack_port_t* port_ = nullptr;
};

class Midi : public LiveLeld {};

TEST_F(Midi, every_event_reaches_the_outputs_exactly_the_rings_depth_later_at_its_offset_in_the_period) {
    run([&] {
        const int64_t depth = status_int("ring_frames");
        ASSERT_GT(load_frame(osc(), module_path("midi_dc").string()), 0);
        MidiSender sender(leld_->client_name());
        ClickSender clicks(leld_->client_name());
        const std::size_t from = capture().frames_approx();
        record(1.2);
        const Take take = capture().take(from, capture().frames_approx());
        const jack_nframes_t origin = capture().first_frame_time() + static_cast<jack_nframes_t>(from);
        // Each step, by kind: it was sent `depth` frames before it was heard.
        int ons = 0, offs = 0, controls = 0;
        std::vector<jack_nframes_t> click_latencies;
        for (std::size_t i = 1; i < take.size(); ++i) {
            const float dl = take.left[i] - take.left[i - 1];
            const float dr = take.right[i] - take.right[i - 1];
            const jack_nframes_t t = origin + static_cast<jack_nframes_t>(i);
            const jack_nframes_t sent = t - static_cast<jack_nframes_t>(depth);
            if (dl > 0.4f) {
                ++ons;
                EXPECT_EQ(sent % every, note_on_at) << "a note-on heard at frame time " << t;
                EXPECT_NEAR(take.left[i], 0.5 + 0.001 * note_of(sent / every), 1e-4) << "its note";
            } else if (dl < -0.4f) {
                ++offs;
                EXPECT_EQ(sent % every, note_off_at) << "a note-off heard at frame time " << t;
                EXPECT_NEAR(take.left[i], 0.001 * note_of(sent / every), 1e-4) << "the note stays after it";
            } else if (std::fabs(dl) > 1e-5f) {
                ADD_FAILURE() << "the left moved by " << dl << " at frame time " << t << ": no note event there";
            }
            if (std::fabs(dr) > 0.4f) {
                ++controls;
                EXPECT_EQ(sent % every, control_at) << "a controller change heard at frame time " << t;
                EXPECT_NEAR(take.right[i], (sent / every) % 2 == 0 ? 0.5 : 0.0, 1e-6);
            } else if (dr < -0.2f && dr > -0.3f) {
                click_latencies.push_back(t % every);  // the click (-0.25) arrives
            } else if (std::fabs(dr) > 1e-6f && !(dr > 0.2f && dr < 0.3f)) {
                ADD_FAILURE() << "the right moved by " << dr << " at frame time " << t;
            }
        }
        ASSERT_GE(click_latencies.size(), 10u) << "the clicks played into in_2 were not heard";
        for (const jack_nframes_t l : click_latencies) {
            EXPECT_EQ(l, depth) << "the audio input's latency, the reference, is the ring's depth";
        }
        std::printf("MIDI to output: %d note-ons, %d note-offs, %d controller changes, each heard %lld frames "
                    "(%.2f ms, the ring's depth) after it reached midi_in, at offsets %u, %u and %u in the period\n",
                    ons, offs, controls, static_cast<long long>(depth), 1000.0 * depth / JackServer::sample_rate,
                    note_on_at % JackServer::period, note_off_at % JackServer::period,
                    control_at % JackServer::period);
        EXPECT_GE(ons, 10);
        EXPECT_GE(offs, 10);
        EXPECT_GE(controls, 9);
        EXPECT_GE(status_int("midi"), 3 * 10) << "leld counts the events it played";
        EXPECT_EQ(status_int("late"), 0);
    });
}

}  // namespace
}  // namespace lel::test
