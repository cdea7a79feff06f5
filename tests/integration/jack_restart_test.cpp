// The JACK server restarts under a playing leld (issue 11): jackd stopped
// (SIGTERM, as qjackctl or a service manager stops it) and started again
// under the same name, the capture client that leld's ports fed started
// again after it. leld stays the same process, reconnects, connects its
// ports to the capture again by itself, and the counter (tests/modules/
// counter.cpp) plays on from where it was.
#include "analysis.hpp"
#include "capture.hpp"
#include "harness.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <cstdio>
#include <optional>

namespace lel::test {
namespace {

namespace fs = std::filesystem;

TEST(JackRestart, leld_plays_on_with_its_state_and_reconnects_its_ports_when_the_server_comes_back) {
    const TempDir dir;
    for (const char* d : {"first", "second"}) fs::create_directories(dir.path() / d);
    std::optional<JackServer> jack(std::in_place, dir.path() / "first");
    const std::string server = jack->name();
    Leld leld(dir.path(), Leld::no_fades());
    const pid_t pid = leld.process().pid();
    const std::string capture_name = unique_name("lel-capture");
    std::optional<Capture> capture(std::in_place, leld.client_name(), 60.0, capture_name, true);
    load_frame(leld.osc(), module_path("counter").string());
    ASSERT_TRUE(capture->wait_seconds(1.0));
    const std::size_t n = capture->frames_approx();
    const float before = capture->take(n - 1, n).left.at(0);
    ASSERT_GT(before, 0.0f);

    // The server goes, and the capture with it (its client is shut down).
    ::kill(jack->process().pid(), SIGTERM);
    ASSERT_TRUE(jack->process().wait_for(5000ms)) << "jackd did not stop";
    jack.reset();
    capture.reset();
    std::this_thread::sleep_for(500ms);
    ASSERT_FALSE(leld.process().try_wait()) << "leld ended with its server:\n" << leld.log_tail();
    EXPECT_TRUE(leld.osc().ping());

    // Back under the same name; the capture comes back after it, and does
    // not connect itself: leld must.
    jack.emplace(dir.path() / "second", server);
    const auto back = Clock::now();
    std::optional<OscReply> st;
    while (Clock::now() - back < 3s) {
        st = status(leld.osc());
        const auto j = st->value_of("jack");
        if (j && OscReply{"", {*j}}.string_at(0) == std::optional<std::string>("connected")) break;
        std::this_thread::sleep_for(20ms);
    }
    const double reconnected_s = std::chrono::duration<double>(Clock::now() - back).count();
    EXPECT_LT(reconnected_s, 1.0) << "leld did not play on within 1 s of the server being back";
    EXPECT_EQ(status_int(leld.osc(), "reconnects"), 1);
    capture.emplace(leld.client_name(), 60.0, capture_name, false);
    // A second of audio, with room for a new server that starts slowly.
    ASSERT_TRUE(capture->wait_frames(JackServer::sample_rate, 5000ms))
        << "the capture recorded " << capture->frames_approx() << " frames in 5 s:\n" << leld.log_tail();
    EXPECT_TRUE(capture->connected_to_same_client()) << "leld did not connect its ports to the capture again";
    const Take take = capture->take_all();
    const auto first = first_nonzero(take.left);
    ASSERT_TRUE(first) << "nothing reached the capture after the restart:\n" << leld.log_tail();
    const float after = take.left.back();
    std::printf("JACK server restarted: leld back %.3f s after the server, counter %.6f before, %.6f after (from "
                "frame %zu of the new capture)\n", reconnected_s, before, after, *first);
    EXPECT_GT(after, before) << "the counter's state did not go on";
    EXPECT_LT(after, before + 0.005 * 10.0);
    EXPECT_EQ(leld.process().pid(), pid);
    EXPECT_FALSE(leld.process().try_wait());
}

}  // namespace
}  // namespace lel::test
