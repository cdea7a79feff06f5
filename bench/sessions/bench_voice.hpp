// bench sessions: the voice bench/dsp_cost compares with Faust — a band-
// limited saw into a state-variable low-pass (1,200 Hz, q 2) under an ADSR
// (5 ms, 100 ms, 0.6, 200 ms) — N of them, voice k at 100 + 0.37 k Hz, its
// gate on for 6,000 of every 12,000 frames (4 notes a second), shifted by
// 97 k frames so that the voices do not all switch at once. The same
// numbers are in bench/faust/voice.dsp; keep the two in step.
//
// N: $LEL_BENCH_N (bench_sines.hpp). The voices are named voice-<k>.
#pragma once

#include "bench_sines.hpp"

#include <cstdint>
#include <string>

namespace bench::voice {

inline constexpr double cutoff = 1200.0, q = 2.0;
inline constexpr double attack = 0.005, decay = 0.1, sustain = 0.6, release = 0.2;
inline constexpr uint64_t period = 12000, on = 6000, stagger = 97;

/// The gate of a voice shifted by `offset` frames: 1 or 0. In 32 bits, as
/// Faust computes it from ba.time (an int); it wraps after 2^32 frames
/// (25 hours).
inline double gate(uint64_t frame, uint64_t offset) noexcept {
    return static_cast<uint32_t>(frame + offset) % static_cast<uint32_t>(period) < on ? 1.0 : 0.0;
}

/// Clears the session and adds the N voices, `make(freq, offset)` making each.
template <class MakeVoice>
void add_voices(lel::Session& session, MakeVoice make) {
    session.clear();
    const int n = sines();
    for (int k = 0; k < n; ++k) {
        session.add("voice-" + std::to_string(k),
                    make(100.0 + 0.37 * k, static_cast<uint64_t>(k) * stagger % period));
    }
}

}  // namespace bench::voice
