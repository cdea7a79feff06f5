// lel — the JACK side: a client with two output ports whose process
// callback pulls frames from the ring, two input ports whose frames it
// pushes into the input ring for lel::input, and a MIDI input port whose
// events it passes on to the producer (midi.hpp).
//
// The callback is the ring's only consumer. It copies what the ring holds
// (up to the period) into out_1/out_2, writes silence for the rest and
// counts an underrun when it came up short. It pushes in_1/in_2 into the
// input ring, as many frames as it took from the ring, so that the producer
// (which reads one input frame per frame it renders) stays exactly the
// ring's depth behind the input: the input ring starts with that many
// frames of silence (leld_main puts them there before the producer starts),
// and then input-to-output latency is the depth, frame for frame,
// underruns or not. A MIDI event on midi_in is stamped with the frame the
// producer renders while it reads the input frame of the event's instant,
// so it too sounds exactly the depth later, at its offset in the period.
// Then it wakes the producer. It never blocks,
// allocates, locks, logs or throws. The client and its ports live as long
// as the daemon: loads, clears and resets never touch them.
//
// It is lel's audio backend (audio_backend.hpp); what it adds are JACK's
// ports and connections, which jack_session.hpp keeps across restarts of
// the server.
//
// Threads: the constructor, connect() and the destructor are control
// thread; process() is JACK's real-time thread; on_xrun()/on_shutdown()
// are JACK's notification thread.
#pragma once

#include <lel/detail/rt.hpp>

#include "audio_backend.hpp"

#include <atomic>
#include <optional>
#include <jack/jack.h>
#include <jack/thread.h>
#include <stdexcept>
#include <string>
#include <vector>

namespace lel {

/// JACK refused: no server, or a port/client error. The message says what
/// to do about it.
class JackError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class JackClient final : public AudioBackend {
public:
    /// Opens the client `name` (never starts a server) and registers in_1,
    /// in_2, out_1, out_2 and midi_in. Throws JackError.
    explicit JackClient(const std::string& name);
    ~JackClient() override;
    JackClient(const JackClient&) = delete;
    JackClient& operator=(const JackClient&) = delete;

    uint32_t sample_rate() const noexcept override;
    uint32_t period() const noexcept override;
    int helper_priority() const noexcept override;
    std::string client_name() const override;

    /// Starts pulling from the streams (the process callback: see above).
    /// Throws JackError. `consumed_before`: ring frames a client before
    /// this one took (the server restarted), so that frame_at() goes on
    /// counting from there.
    void activate(const AudioStreams& streams, uint64_t consumed_before = 0) override;
    /// Stops the callback (ports and connections stay). Blocking.
    void deactivate() noexcept override;

    /// Connects out_1/out_2 to `targets` in order. An empty list means the
    /// first two physical playback ports. Returns one message per failure.
    std::vector<std::string> connect(const std::vector<std::string>& targets);

    uint64_t underruns() const noexcept override { return underruns_.load(std::memory_order_relaxed); }
    /// Process callbacks run so far (modulo 2^31); racy.
    uint64_t cycles() const noexcept override { return clock_seq_.load(std::memory_order_relaxed) / 2; }
    uint64_t xruns() const noexcept override { return xruns_.load(std::memory_order_relaxed); }
    /// Control thread. The engine frame that reaches out_1/out_2 at
    /// `usecs` on JACK's clock (jack_get_time()), from the last cycle's
    /// start and the frames taken from the ring before it (a later underrun
    /// moves it); nullopt before the first cycle. Never blocks.
    std::optional<uint64_t> frame_at(jack_time_t usecs) const noexcept;
    /// Control thread. The engine frame at the ports now (a reading for
    /// FrameClock, with the jitter of the last cycle's wake-up).
    std::optional<uint64_t> frame_now() const noexcept override { return frame_at(jack_get_time()); }

    /// MIDI events the full MIDI queue refused; racy.
    uint64_t midi_dropped_approx() const noexcept { return midi_dropped_.load(std::memory_order_relaxed); }
    /// Input frames lost because the producer stalled; racy.
    uint64_t input_dropped_approx() const noexcept { return input_dropped_.load(std::memory_order_relaxed); }
    /// True once the server has shut the client down.
    bool lost() const noexcept override { return lost_.load(std::memory_order_acquire); }
    /// Ring frames the callback has taken (with consumed_before); exact
    /// once the callback no longer runs (the server is gone).
    uint64_t consumed_approx() const noexcept override { return consumed_total_.load(std::memory_order_relaxed); }

    /// One connection of a port of ours: its short name ("out_1") and the
    /// other port's full name ("capture:in_1").
    struct PortLink {
        std::string ours, other;
        bool operator==(const PortLink&) const = default;
    };
    /// Control thread: every connection our ports have now.
    std::vector<PortLink> connections() const;
    /// Control thread: makes each of `links` that it can; returns those
    /// whose other port does not exist yet (to try again later).
    std::vector<PortLink> reconnect(const std::vector<PortLink>& links);
    /// Control thread: whether a port of that full name exists.
    bool has_port(const std::string& name) const { return jack_port_by_name(client_, name.c_str()) != nullptr; }
    /// Control thread: whether a connection of any port changed since the
    /// last call (set by JACK's notification thread).
    bool take_connections_changed() noexcept { return connections_changed_.exchange(false, std::memory_order_acq_rel); }

private:
    static int process(jack_nframes_t frames, void* self) noexcept LEL_RT;
    static int on_xrun(void* self) noexcept;
    static void on_shutdown(void* self) noexcept;
    static void on_port_connect(jack_port_id_t a, jack_port_id_t b, int connect, void* self) noexcept;

    jack_client_t* client_ = nullptr;
    jack_port_t* ports_[2] = {nullptr, nullptr};
    jack_port_t* inputs_[2] = {nullptr, nullptr};
    jack_port_t* midi_in_ = nullptr;
    bool active_ = false;
    SpscRing<StereoFrame>* ring_ = nullptr;   // set before activation, then read by process()
    SpscRing<StereoFrame>* input_ = nullptr;  // likewise; process() is its only writer
    SpscRing<MidiEvent>* midi_ = nullptr;      // likewise
    uint32_t depth_ = 0;                       // the input ring's lead: set before activation
    Producer* producer_ = nullptr;
    // The last cycle's start (JACK frame time) and the ring frames taken
    // before it: a seqlock, written by process() only (odd: being written).
    std::atomic<uint32_t> clock_seq_{0};
    std::atomic<uint32_t> cycle_start_{0};
    std::atomic<uint64_t> consumed_at_cycle_{0};
    uint64_t consumed_ = 0;  // process() only
    std::atomic<uint64_t> consumed_total_{0};  // process() writes consumed_ after each cycle
    std::atomic<uint64_t> underruns_{0};  // process() writes
    std::atomic<uint64_t> input_dropped_{0};  // process() writes: input frames the full input ring refused
    std::atomic<uint64_t> midi_dropped_{0};   // process() writes: MIDI events the full queue refused
    std::atomic<uint64_t> xruns_{0};      // on_xrun() writes
    std::atomic<bool> connections_changed_{true};  // on_port_connect() writes; true: read them at least once
    std::atomic<bool> lost_{false};       // on_shutdown() writes (release), control reads (acquire)
};

}  // namespace lel
