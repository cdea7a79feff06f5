// lel — the frame clock: which engine frame reaches the output ports at a
// given wall-clock time, for timed OSC bundles.
//
// Design: JACK says which frame a JACK time falls on (jack_time_to_frames,
// from the last cycle's wake-up), and the process callback says which
// engine frame the cycle starts with; but on a loaded machine a cycle's
// wake-up jitters (by ~0.2 ms on the 2-core VM we test on, sometimes by a
// whole period), and the sound card's clock drifts from the system clock by
// up to a few hundred ppm. One reading per bundle would carry that jitter
// into the notes. So the control thread feeds readings (wall time, frame
// at the port) in, ten a second and at every bundle, and maps with a line
// fitted robustly to the last few seconds of them: its slope the median of
// the slopes between readings at least a second apart (the drift), its
// offset the median of what each reading says (the jitter and the late
// wake-ups fall out). Until a second of readings is there, the slope is
// the nominal rate.
//
// Threads: control thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

namespace lel {

/// Nanoseconds since 1970 of an OSC (NTP) time tag.
int64_t unix_ns_of_timetag(uint64_t timetag) noexcept;

/// CLOCK_REALTIME now, in nanoseconds since 1970.
int64_t wall_ns_now() noexcept;

class FrameClock {
public:
    explicit FrameClock(double sample_rate) : rate_(sample_rate) {}

    /// At wall time `ns` (CLOCK_REALTIME), frame `frame` was at the ports.
    /// Readings closer than 50 ms to the last are skipped.
    void observe(int64_t ns, double frame);
    /// The frame at the ports at wall time `ns`; nullopt before any reading.
    std::optional<double> frame_at(int64_t ns) const;
    /// Forgets every reading (the clock jumped: JACK restarted, an underrun).
    void clear() noexcept { readings_.clear(); }

private:
    struct Reading {
        int64_t ns;
        double frame;
    };
    void fit() const;

    double rate_;  // nominal frames per second
    std::deque<Reading> readings_;
    mutable bool fitted_ = false;
    mutable double slope_ = 0.0;   // frames per ns
    mutable double offset_ = 0.0;  // frame at readings_.back().ns
};

}  // namespace lel
