// lel — what plays at the audio server's rate and period: the engine, the
// output ring, the input ring, the MIDI queue and the producer that fills
// the ring. leld makes one when it starts, and a new one when the server
// comes back at another rate or period.
//
// Design: the sample rate is in everything the engine built (the
// renderer's s.sr and s.dt, the fades in frames, the samples converted to
// it, helper layouts sized from it: a 2 s delay line), and the ring's depth
// and the producer's block follow the period. So a change of rate is not
// patched into a playing engine: the old playback stops (its producer
// first), its engine saves every name's state and the program to the state
// directory and is freed, and a new playback opens the same directory at
// the new rate and resumes, exactly as a leld started again would. State
// is kept (it is the file), the program is loaded again (its layouts sized
// for the new rate), and time goes on: the new engine starts at the frame
// that is the same instant at the new rate, with the same tempo and beat.
// All of it happens on the control thread while no producer runs; the new
// rings are allocated there too, never on a real-time thread.
//
// Threads: control thread only (the producer and the backend's callback
// are the real-time threads it starts and stops).
#pragma once

#include "audio_backend.hpp"
#include "engine.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace lel {

class Playback {
public:
    /// What one playback runs at.
    struct Settings {
        EngineConfig engine;
        uint32_t period = 64;       ///< the server's period: the producer's block
        uint32_t ring_frames = 0;   ///< the ring's depth; 0: two periods
        std::size_t midi_queue = 4096;
        /// The tempo and beat to start with (at engine.sample_rate); none:
        /// the renderer's default (120 bpm from beat 0).
        std::optional<Renderer::BeatGrid> beat_grid;
    };
    /// Allocates everything, opens the engine (and its state directory).
    /// Throws what Engine throws.
    explicit Playback(const Settings& settings);
    /// Stops the producer, then frees the engine (which saves its state).
    ~Playback();
    Playback(const Playback&) = delete;
    Playback& operator=(const Playback&) = delete;

    /// Starts the producer at `rt_priority` (0: not real-time), a signal's
    /// block stopped after `stall_limit` of CPU time. Returns a warning to
    /// log ("" if none).
    std::string start(int rt_priority, std::chrono::nanoseconds stall_limit);
    /// What a backend plays from (AudioBackend::activate).
    AudioStreams streams() noexcept { return {ring_, input_, midi_, depth_, producer_}; }

    /// The settings of a playback that goes on from this one at
    /// `sample_rate` and `period`: the same instant (the frame scaled to the
    /// new rate), the same tempo and beat, the fade time as it is now, the
    /// state directory kept (this one must be freed before that one opens it).
    Settings follow_on(uint32_t sample_rate, uint32_t period) const;

    Engine& engine() noexcept { return engine_; }
    const Engine& engine() const noexcept { return engine_; }
    uint32_t sample_rate() const noexcept { return static_cast<uint32_t>(engine_.renderer().sample_rate()); }
    uint32_t period() const noexcept { return settings_.period; }
    uint32_t block() const noexcept { return producer_.block(); }
    uint32_t depth() const noexcept { return depth_; }

private:
    Settings settings_;
    uint32_t depth_;
    Engine engine_;
    SpscRing<StereoFrame> ring_, input_;
    SpscRing<MidiEvent> midi_;
    Producer producer_;  // last: stopped and destroyed first
};

}  // namespace lel
