// lel — the seam between the engine and the audio server: what the daemon
// needs from whatever takes frames out of the ring and plays them.
//
// Design: as scsynth's driver layer, the engine never sees the server. The
// producer renders into the output ring and reads the input ring; a backend
// is the rings' other side: its real-time callback consumes the output
// ring, fills the input ring, queues MIDI, and wakes the producer. Every
// figure the daemon reports (rate, period, underruns, the frame at the
// ports) comes through this interface, so the daemon loop and the playback
// (playback.hpp) work the same whatever plays. JACK (jack_client.hpp) is the
// one backend today; the server's comings and goings are jack_session.hpp's.
//
// Threads: every member is control thread unless it says otherwise; the
// backend's own callback is its real-time thread.
#pragma once

#include "midi.hpp"
#include "producer.hpp"
#include "renderer.hpp"
#include "ring.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace lel {

/// The rings a backend plays from and records into, and the producer it
/// wakes. `input` holds at least `depth` + the period and starts with
/// `depth` frames in it (the producer's lead over the input).
struct AudioStreams {
    SpscRing<StereoFrame>& output;
    SpscRing<StereoFrame>& input;
    SpscRing<MidiEvent>& midi;
    uint32_t depth;
    Producer& producer;
};

class AudioBackend {
public:
    virtual ~AudioBackend() = default;

    virtual uint32_t sample_rate() const noexcept = 0;
    virtual uint32_t period() const noexcept = 0;
    /// The SCHED_FIFO priority for a helper thread just below the
    /// backend's real-time thread; 0 when it does not run real-time.
    virtual int helper_priority() const noexcept = 0;
    /// The name its ports are known by.
    virtual std::string client_name() const = 0;

    /// Starts pulling from `streams`. `consumed_before`: the ring frames
    /// taken before this backend started, so that frame_now() counts on
    /// from there. Throws on failure.
    virtual void activate(const AudioStreams& streams, uint64_t consumed_before = 0) = 0;
    /// Stops the callback. Blocking.
    virtual void deactivate() noexcept = 0;

    /// Callbacks that found the ring short; racy.
    virtual uint64_t underruns() const noexcept = 0;
    /// Cycles the server itself reported late; racy.
    virtual uint64_t xruns() const noexcept = 0;
    /// Callbacks run so far; racy. That it grows is how the service
    /// watchdog knows the callback makes progress.
    virtual uint64_t cycles() const noexcept = 0;
    /// The engine frame at the ports now; nullopt before the first cycle.
    /// Never blocks.
    virtual std::optional<uint64_t> frame_now() const noexcept = 0;
    /// Ring frames taken so far (with consumed_before); exact once the
    /// callback no longer runs.
    virtual uint64_t consumed_approx() const noexcept = 0;
    /// True once the server has gone: the callback will not run again.
    virtual bool lost() const noexcept = 0;
};

}  // namespace lel
