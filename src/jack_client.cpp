#include "jack_client.hpp"

#include "rt_jack_calls.hpp"

#include <algorithm>
#include <cerrno>
#include <fmt/format.h>

namespace lel {

JackClient::JackClient(const std::string& name) {
    jack_status_t status{};
    client_ = jack_client_open(name.c_str(), JackNoStartServer, &status);
    if (!client_) {
        if (status & JackServerFailed) {
            throw JackError(
                "no JACK server is running (or JACK_DEFAULT_SERVER names one that is not). Start one, e.g.\n"
                "    jackd -d alsa          # with a sound card\n"
                "    jackd -d dummy -r 48000 -p 64   # without one\n"
                "or start PipeWire with its JACK support (pipewire-jack), then start leld again");
        }
        throw JackError(fmt::format("cannot open JACK client '{}' (jack status 0x{:x})", name,
                                    static_cast<unsigned>(status)));
    }
    for (int i = 0; i < 4; ++i) {
        const bool in = i >= 2;
        const std::string port = fmt::format("{}_{}", in ? "in" : "out", i % 2 + 1);
        jack_port_t*& p = in ? inputs_[i % 2] : ports_[i % 2];
        p = jack_port_register(client_, port.c_str(), JACK_DEFAULT_AUDIO_TYPE, in ? JackPortIsInput : JackPortIsOutput,
                               0);
        if (!p) {
            jack_client_close(client_);
            throw JackError(fmt::format("cannot register JACK port {}:{}", name, port));
        }
    }
    midi_in_ = jack_port_register(client_, "midi_in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
    if (!midi_in_) {
        jack_client_close(client_);
        throw JackError(fmt::format("cannot register JACK port {}:midi_in", name));
    }
    jack_on_shutdown(client_, &JackClient::on_shutdown, this);
    jack_set_xrun_callback(client_, &JackClient::on_xrun, this);
    jack_set_port_connect_callback(client_, &JackClient::on_port_connect, this);
}

JackClient::~JackClient() {
    // Once the server is gone, closing would wait for it forever; the
    // process is about to exit and the kernel reclaims the client.
    if (client_ && !lost()) {
        deactivate();
        jack_client_close(client_);
    }
}

void JackClient::deactivate() noexcept {
    if (active_ && !lost()) jack_deactivate(client_);
    active_ = false;
}

uint32_t JackClient::sample_rate() const noexcept { return jack_get_sample_rate(client_); }
uint32_t JackClient::period() const noexcept { return jack_get_buffer_size(client_); }
std::string JackClient::client_name() const { return jack_get_client_name(client_); }

int JackClient::helper_priority() const noexcept {
    if (!jack_is_realtime(client_)) return 0;
    const int jack_priority = jack_client_real_time_priority(client_);
    return jack_priority > 1 ? jack_priority - 1 : 0;
}

void JackClient::activate(const AudioStreams& streams, uint64_t consumed_before) {
    if (streams.input.capacity() < std::size_t{streams.depth} + period()) throw JackError("the input ring is too small");
    consumed_ = consumed_before;
    consumed_at_cycle_.store(consumed_before, std::memory_order_relaxed);
    consumed_total_.store(consumed_before, std::memory_order_relaxed);
    ring_ = &streams.output;
    input_ = &streams.input;
    midi_ = &streams.midi;
    depth_ = streams.depth;
    producer_ = &streams.producer;
    jack_set_process_callback(client_, &JackClient::process, this);
    if (jack_activate(client_) != 0) throw JackError("cannot activate the JACK client");
    active_ = true;
}

std::vector<std::string> JackClient::connect(const std::vector<std::string>& targets) {
    std::vector<std::string> problems;
    std::vector<std::string> to = targets;
    if (to.empty()) {
        const char** physical = jack_get_ports(client_, nullptr, JACK_DEFAULT_AUDIO_TYPE,
                                               JackPortIsPhysical | JackPortIsInput);
        for (int i = 0; physical && physical[i] && i < 2; ++i) to.emplace_back(physical[i]);
        if (physical) jack_free(physical);
        if (to.empty()) problems.emplace_back("no physical playback ports to connect to");
    }
    for (std::size_t i = 0; i < to.size() && i < 2; ++i) {
        const char* from = jack_port_name(ports_[i]);
        const int err = jack_connect(client_, from, to[i].c_str());
        if (err != 0 && err != EEXIST) problems.push_back(fmt::format("cannot connect {} to {}", from, to[i]));
    }
    if (to.size() == 1) {
        // One target: a mono sink gets both channels.
        const int err = jack_connect(client_, jack_port_name(ports_[1]), to[0].c_str());
        if (err != 0 && err != EEXIST) problems.push_back(fmt::format("cannot connect out_2 to {}", to[0]));
    }
    return problems;
}

int JackClient::process(jack_nframes_t frames, void* arg) noexcept {
    auto& self = *static_cast<JackClient*>(arg);
    // Publish the clock first: this cycle's start, and the frames played before it.
    const uint32_t seq = self.clock_seq_.load(std::memory_order_relaxed);
    self.clock_seq_.store(seq + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);  // the odd count is seen before the fields change
    self.cycle_start_.store(rt::cycle_start(self.client_), std::memory_order_relaxed);
    self.consumed_at_cycle_.store(self.consumed_, std::memory_order_relaxed);
    self.clock_seq_.store(seq + 2, std::memory_order_release);  // pairs with the acquire in frame_at()
    // What the ring holds now, at most a period, is what this cycle plays:
    // nothing else consumes, so all of it is still there below.
    const std::size_t want = std::min<std::size_t>(frames, self.ring_->read_available());
    const std::size_t skip = frames - want;  // an underrun: the input's first `skip` frames are dropped
    // MIDI first, while the ring is still full and the producer cannot
    // render the frames the events are stamped with. The input frame at
    // offset i (i >= skip) is the (consumed before this cycle + i - skip)-th
    // pushed after the `depth` frames the input ring started with; the
    // producer reads it while rendering that frame + depth. Events among
    // the frames an underrun skipped play with the first.
    void* midi = rt::port_buffer(self.midi_in_, frames);
    const uint64_t first = self.consumed_ + self.depth_;
    const uint32_t events = rt::midi_event_count(midi);
    for (uint32_t i = 0; i < events; ++i) {
        jack_midi_event_t raw;
        if (!rt::midi_event(raw, midi, i)) continue;
        const jack_nframes_t at = raw.time < frames ? raw.time : frames - 1;
        const uint64_t frame = first + (at > skip ? at - skip : 0);
        const auto e = decode_midi(std::span<const uint8_t>(raw.buffer, raw.size), frame);
        if (e && self.midi_->try_write(std::span<const MidiEvent>(&*e, 1)) != 1) {
            self.midi_dropped_.fetch_add(1, std::memory_order_relaxed);
        }
    }
    float* left = rt::port_buffer(self.ports_[0], frames);
    float* right = rt::port_buffer(self.ports_[1], frames);
    const std::size_t got = self.ring_->try_consume(want, [&](const StereoFrame& f, std::size_t i) {
        left[i] = f.left;
        right[i] = f.right;
    });
    self.consumed_ += got;
    self.consumed_total_.store(self.consumed_, std::memory_order_relaxed);
    if (got < frames) {
        for (std::size_t i = got; i < frames; ++i) left[i] = right[i] = 0.0f;
        self.underruns_.fetch_add(1, std::memory_order_relaxed);
    }
    // As many input frames as output frames were taken (the latest ones):
    // the producer's lead over the input stays the depth.
    const float* in_left = rt::port_buffer(self.inputs_[0], frames);
    const float* in_right = rt::port_buffer(self.inputs_[1], frames);
    const std::size_t pushed = self.input_->try_produce(got, [&](StereoFrame& f, std::size_t i) {
        f = StereoFrame{in_left[skip + i], in_right[skip + i]};
    });
    if (pushed < got) self.input_dropped_.fetch_add(got - pushed, std::memory_order_relaxed);
    self.producer_->notify();
    return 0;
}

std::optional<uint64_t> JackClient::frame_at(jack_time_t usecs) const noexcept {
    uint32_t before, after, start;
    uint64_t consumed;
    int tries = 0;
    do {
        before = clock_seq_.load(std::memory_order_acquire);  // pairs with the release in process()
        start = cycle_start_.load(std::memory_order_relaxed);
        consumed = consumed_at_cycle_.load(std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_acquire);
        after = clock_seq_.load(std::memory_order_relaxed);
        if (++tries > 1000) return std::nullopt;  // the callback keeps writing: give up rather than spin
    } while (before != after || (before & 1u));
    if (before == 0) return std::nullopt;  // no cycle yet
    const jack_nframes_t target = jack_time_to_frames(client_, usecs);
    const auto ahead = static_cast<int32_t>(target - start);  // JACK frame times wrap at 2^32
    if (ahead < 0 && static_cast<uint64_t>(-static_cast<int64_t>(ahead)) > consumed) return 0;
    return static_cast<uint64_t>(static_cast<int64_t>(consumed) + ahead);
}

int JackClient::on_xrun(void* arg) noexcept {
    static_cast<JackClient*>(arg)->xruns_.fetch_add(1, std::memory_order_relaxed);
    return 0;
}

std::vector<JackClient::PortLink> JackClient::connections() const {
    std::vector<PortLink> out;
    for (jack_port_t* p : {ports_[0], ports_[1], inputs_[0], inputs_[1], midi_in_}) {
        const char** others = jack_port_get_all_connections(client_, p);
        for (int i = 0; others && others[i]; ++i) out.push_back({jack_port_short_name(p), others[i]});
        if (others) jack_free(others);
    }
    return out;
}

std::vector<JackClient::PortLink> JackClient::reconnect(const std::vector<PortLink>& links) {
    std::vector<PortLink> waiting;
    for (const PortLink& l : links) {
        jack_port_t* ours = jack_port_by_name(client_, (client_name() + ":" + l.ours).c_str());
        if (!ours) continue;  // not a port of ours: nothing to restore
        if (!jack_port_by_name(client_, l.other.c_str())) {
            waiting.push_back(l);  // its client has not come back (yet)
            continue;
        }
        const bool output = (jack_port_flags(ours) & JackPortIsOutput) != 0;
        const char* our_name = jack_port_name(ours);
        const int err = output ? jack_connect(client_, our_name, l.other.c_str())
                               : jack_connect(client_, l.other.c_str(), our_name);
        if (err != 0 && err != EEXIST) waiting.push_back(l);
    }
    return waiting;
}

void JackClient::on_port_connect(jack_port_id_t, jack_port_id_t, int, void* arg) noexcept {
    static_cast<JackClient*>(arg)->connections_changed_.store(true, std::memory_order_release);
}

void JackClient::on_shutdown(void* arg) noexcept {
    static_cast<JackClient*>(arg)->lost_.store(true, std::memory_order_release);
}

}  // namespace lel
