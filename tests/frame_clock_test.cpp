// FrameClock (timed bundles): readings with the jitter and the late
// wake-ups of a loaded machine, on a clock that drifts from the wall clock,
// still map wall-clock times to the right frame.
#include "frame_clock.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using lel::FrameClock;

namespace {

constexpr double sr = 48000.0;
constexpr int64_t second = 1'000'000'000;

// The frame at wall time ns on a card running `ppm` off the wall clock.
double truth(int64_t ns, double ppm) { return 1000.0 + sr * (1.0 + ppm * 1e-6) * static_cast<double>(ns) / 1e9; }

TEST(FrameClock, maps_within_two_frames_through_jitter_late_wakeups_and_drift) {
    for (const double ppm : {0.0, 300.0, -500.0}) {
        FrameClock clock(sr);
        std::mt19937 rng(7);
        std::normal_distribution<double> jitter(0.0, 5.0);  // frames: ~0.1 ms
        std::uniform_int_distribution<int> late(0, 19);
        int64_t t = 10 * second;
        for (int i = 0; i < 60; ++i, t += second / 10) {
            double reading = truth(t, ppm) + jitter(rng);
            if (late(rng) == 0) reading -= 64.0;  // a cycle that woke up a period late
            clock.observe(t, reading);
        }
        // 0.3 s ahead, as sclang's latency.
        const int64_t tag = t + 3 * second / 10;
        ASSERT_TRUE(clock.frame_at(tag));
        EXPECT_NEAR(*clock.frame_at(tag), truth(tag, ppm), 2.0) << ppm << " ppm";
        // Two tags 100 ms apart: as far apart as the card plays in 100 ms.
        EXPECT_NEAR(*clock.frame_at(tag + second / 10) - *clock.frame_at(tag), 4800.0 * (1.0 + ppm * 1e-6), 0.5);
    }
}

TEST(FrameClock, knows_nothing_before_a_reading_and_starts_afresh_after_a_jump) {
    FrameClock clock(sr);
    EXPECT_FALSE(clock.frame_at(0));
    for (int i = 0; i < 30; ++i) clock.observe(i * second / 10, truth(i * second / 10, 0.0));
    // The frames jumped by a second (say the server restarted).
    const int64_t t = 3 * second;
    clock.observe(t, truth(t, 0.0) + sr);
    EXPECT_NEAR(*clock.frame_at(t + second / 10), truth(t + second / 10, 0.0) + sr, 0.5);
}

TEST(FrameClock, reads_an_osc_time_tag_as_unix_time) {
    // 2026-01-01T00:00:00.5Z: 1767225600.5 s after 1970, NTP seconds + 2208988800.
    const uint64_t tag = (uint64_t{1767225600 + 2208988800ull} << 32) | 0x80000000u;
    EXPECT_EQ(lel::unix_ns_of_timetag(tag), 1767225600LL * second + second / 2);
}

}  // namespace
