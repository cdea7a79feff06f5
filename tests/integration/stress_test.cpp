// Stress test: leld at its default fades against a private jackd (dummy,
// 48 kHz / 64), 10,000 /lel/load in a row while it plays, alternating
// two_tones (adds "low" + "high"), sine_440 (adds "tone") and only_tone
// (clears, then adds "tone"). Every 500th swap is "checked": the test pauses
// ~150 ms before sending it and ~150 ms after its reply, so there is steady
// play on both sides, and the pop ratio (../pop_ratio.hpp) at the frame its
// /lel/done reports must be <= 1.1. At the end leld must still answer
// /lel/ping, must not have underrun after the first second, and its resident
// memory must have grown by at most 1 MiB since the first 100 loads.
//
// One capture records the whole run (~20 s, under its 60 s buffer). Engine
// frames are mapped to capture indices through the first load, whose
// reported frame is the first sample with sound (as in leld_test.cpp).
//
// An attempt that fails while JACK reported an xrun (a glitch of the
// machine, not of leld) is discarded and run again, up to three times.
#include "analysis.hpp"
#include "capture.hpp"
#include "harness.hpp"
#include "retry.hpp"

#include "../pop_ratio.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

namespace fs = std::filesystem;

namespace lel::test {
namespace {

constexpr double sr = JackServer::sample_rate;
constexpr int total_loads = 10000;
constexpr int check_every = 500;
constexpr double max_pop_ratio = 1.1;
constexpr int64_t max_rss_growth_kib = 1024;

struct StereoFrame {
    float left, right;
};



void record(Capture& capture, double seconds) {
    if (!capture.wait_seconds(seconds)) throw HarnessError("the capture did not advance (JACK stalled?)");
}

/// One attempt; returns "" or what glitched (JACK xruns).
std::string run_once(const fs::path& dir) {
    JackServer jack(dir);
    Leld leld(dir, {});  // leld's defaults: 5 ms fades
    Capture capture(leld.client_name());
    if (!capture.wait_frames(JackServer::period, 2000ms)) throw HarnessError("the capture client records nothing");
    OscClient& osc = leld.osc();
    const pid_t pid = leld.process().pid();

    std::string glitches;
    try {
        const OscReply st = status(osc);
        const auto fade_ms = st.value_of("fade_ms");
        if (!fade_ms || !std::holds_alternative<double>(*fade_ms)) throw HarnessError("no fade_ms: " + st.describe());
        EXPECT_EQ(std::get<double>(*fade_ms), 5.0) << "leld's default fade";
        const auto settle = static_cast<std::size_t>(std::lround(std::get<double>(*fade_ms) * sr / 1000.0));
        constexpr std::size_t margin = 256, steady = 4800;

        const std::array<std::string, 3> modules = {module_path("two_tones").string(),
                                                    module_path("sine_440").string(),
                                                    module_path("only_tone").string()};

        // The first load anchors engine frames to capture indices.
        const std::size_t anchor_sent_at = capture.frames_approx();
        const int64_t first_frame = load_frame(osc, modules[0]);
        record(capture, 1.0);  // the first second: underruns here are not counted
        const int64_t underruns_at_start = status_int(osc, "underruns");
        const auto anchor_take = capture.take(anchor_sent_at, capture.frames_approx());
        const auto first_sound = first_nonzero(anchor_take.left);
        if (!first_sound) throw HarnessError("no sound after loading two_tones");
        const std::size_t start = anchor_sent_at + *first_sound;

        int64_t rss_after_100 = -1;
        double max_ratio = 0.0;
        int checks = 0;
        const auto t0 = Clock::now();
        for (int n = 1; n < total_loads; ++n) {
            const std::string& path = modules[n % 3];
            const bool checked = (n + 1) % check_every == 0;
            if (!checked) {
                load_frame(osc, path);
            } else {
                record(capture, 0.15);
                const int64_t frame = load_frame(osc, path);
                record(capture, 0.15);
                if (frame <= first_frame) throw HarnessError("a swap frame before the first load's");
                const std::size_t swap = start + static_cast<std::size_t>(frame - first_frame);
                const std::size_t from = swap - (settle + 2 * margin + steady) - 16;
                const std::size_t to = swap + settle + 2 * margin + steady + 16;
                if (!capture.wait_frames(to, 2000ms)) throw HarnessError("too little recorded after a checked swap");
                const Take take = capture.take(from, to);
                std::vector<StereoFrame> v(take.size());
                for (std::size_t i = 0; i < v.size(); ++i) v[i] = {take.left[i], take.right[i]};
                const PopRatio p = pop_ratio(v, swap - from, settle, margin, steady);
                ++checks;
                max_ratio = std::max(max_ratio, p.ratio());
                std::cout << "load " << n + 1 << " (" << fs::path(path).stem().string() << ") at frame " << frame
                          << ": pop ratio " << p.around_swap << " / " << p.steady << " = " << p.ratio() << "\n";
                EXPECT_GT(p.steady, 0.0) << "silence around load " << n + 1;
                EXPECT_LE(p.ratio(), max_pop_ratio) << "a pop at load " << n + 1 << " (" << path << ")";
            }
            if (n + 1 == 100) rss_after_100 = rss_kib(pid);
        }
        const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        record(capture, 0.1);

        EXPECT_FALSE(leld.process().try_wait()) << "leld died:\n" << leld.log_tail();
        EXPECT_TRUE(osc.ping()) << "leld does not answer /lel/ping after the run";
        const int64_t loads = status_int(osc, "loads");
        const int64_t underruns = status_int(osc, "underruns") - underruns_at_start;
        const int64_t rss_end = rss_kib(pid);
        std::cout << "loads " << loads << " in " << seconds << " s; checked swaps " << checks << ", max pop ratio "
                  << max_ratio << "; underruns after the first second " << underruns << "; JACK xruns "
                  << capture.xruns() << "; leld VmRSS after 100 loads " << rss_after_100 << " KiB, after "
                  << total_loads << " " << rss_end << " KiB (" << rss_end - rss_after_100 << " KiB)\n";
        EXPECT_EQ(loads, total_loads);
        EXPECT_EQ(checks, total_loads / check_every);
        EXPECT_LE(max_ratio, max_pop_ratio);
        EXPECT_EQ(underruns, 0);
        EXPECT_GT(rss_after_100, 0);
        EXPECT_LE(rss_end - rss_after_100, max_rss_growth_kib) << "leld's resident memory grew";
        EXPECT_FALSE(capture.overflowed()) << "the capture buffer filled up";
        EXPECT_TRUE(capture.connected_to_same_client());
    } catch (const std::exception& e) {
        ADD_FAILURE() << e.what() << "\n--- leld log tail:\n" << leld.log_tail();
    }
    if (capture.xruns() > 0) glitches = std::to_string(capture.xruns()) + " JACK xruns";
    return glitches;
}

TEST(LeldStress, ten_thousand_loads_with_default_fades) {
    retry_on_glitches(3, [](int, const std::function<bool()>&) {
        TempDir dir;
        return run_once(dir.path());
    });
}

}  // namespace
}  // namespace lel::test
