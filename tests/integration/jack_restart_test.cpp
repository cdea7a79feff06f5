// The JACK server restarts under a playing leld (issue 11): jackd stopped
// (SIGTERM, as qjackctl or a service manager stops it) and started again
// under the same name, the capture client that leld's ports fed started
// again after it. leld stays the same process, reconnects, connects its
// ports to the capture again by itself, and the counter (tests/modules/
// counter.cpp) plays on from where it was. Then the same with a server that
// comes back at another rate and period: leld plays on at them, with the
// state it had.
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

/// A leld playing the counter into a capture client, on a server that the
/// test stops and starts again under the same name.
class CounterOnAServer : public ::testing::Test {
protected:
    CounterOnAServer()
        : jack_(std::in_place, first_dir()), server_(jack_->name()), leld_(dir_.path(), Leld::no_fades()),
          pid_(leld_.process().pid()), capture_name_(unique_name("lel-capture")) {
        capture_.emplace(leld_.client_name(), 60.0, capture_name_, true);
        load_frame(leld_.osc(), module_path("counter").string());
    }

    /// The last frame recorded after `seconds` of play.
    Take play(double seconds) {
        if (!capture_->wait_seconds(seconds)) throw HarnessError("the capture did not record");
        const std::size_t n = capture_->frames_approx();
        return capture_->take(n - 1, n);
    }

    /// The server goes (SIGTERM, as qjackctl or a service manager stops
    /// it), and the capture with it (its client is shut down).
    void stop_server() {
        ::kill(jack_->process().pid(), SIGTERM);
        if (!jack_->process().wait_for(5000ms)) throw HarnessError("jackd did not stop");
        jack_.reset();
        capture_.reset();
    }

    /// The server back under the same name; seconds until leld says it is
    /// connected (up to 3 s).
    double start_server(uint32_t rate = JackServer::sample_rate, uint32_t period = JackServer::period) {
        jack_.emplace(dir_.path() / "second", server_, rate, period);
        const auto back = Clock::now();
        while (Clock::now() - back < 3s) {
            const auto j = status(leld_.osc()).value_of("jack");
            if (j && OscReply{"", {*j}}.string_at(0) == std::optional<std::string>("connected")) break;
            std::this_thread::sleep_for(20ms);
        }
        return std::chrono::duration<double>(Clock::now() - back).count();
    }

    /// The capture comes back after the server and does not connect
    /// itself: leld must. What it recorded in its first second.
    Take record_again(uint32_t rate) {
        capture_.emplace(leld_.client_name(), 60.0, capture_name_, false);
        if (!capture_->wait_frames(rate, 5000ms)) {
            throw HarnessError("the capture recorded " + std::to_string(capture_->frames_approx()) +
                               " frames in 5 s:\n" + leld_.log_tail());
        }
        EXPECT_TRUE(capture_->connected_to_same_client()) << "leld did not connect its ports to the capture again";
        return capture_->take_all();
    }

    fs::path first_dir() {
        for (const char* d : {"first", "second"}) fs::create_directories(dir_.path() / d);
        return dir_.path() / "first";
    }

    const TempDir dir_;
    std::optional<JackServer> jack_;
    const std::string server_;
    Leld leld_;
    const pid_t pid_;
    const std::string capture_name_;
    std::optional<Capture> capture_;
};

TEST_F(CounterOnAServer, leld_plays_on_with_its_state_and_reconnects_its_ports_when_the_server_comes_back) {
    const float before = play(1.0).left.at(0);
    ASSERT_GT(before, 0.0f);
    stop_server();
    std::this_thread::sleep_for(500ms);
    ASSERT_FALSE(leld_.process().try_wait()) << "leld ended with its server:\n" << leld_.log_tail();
    EXPECT_TRUE(leld_.osc().ping());

    const double reconnected_s = start_server();
    EXPECT_LT(reconnected_s, 1.0) << "leld did not play on within 1 s of the server being back";
    EXPECT_EQ(status_int(leld_.osc(), "reconnects"), 1);
    const Take take = record_again(JackServer::sample_rate);
    const auto first = first_nonzero(take.left);
    ASSERT_TRUE(first) << "nothing reached the capture after the restart:\n" << leld_.log_tail();
    const float after = take.left.back();
    std::printf("JACK server restarted: leld back %.3f s after the server, counter %.6f before, %.6f after (from "
                "frame %zu of the new capture)\n", reconnected_s, before, after, *first);
    EXPECT_GT(after, before) << "the counter's state did not go on";
    EXPECT_LT(after, before + 0.005 * 10.0);
    EXPECT_EQ(leld_.process().pid(), pid_);
    EXPECT_FALSE(leld_.process().try_wait());
}

TEST_F(CounterOnAServer, a_server_back_at_another_rate_and_period_gets_the_same_leld_with_its_state) {
    // Left: the raw count over 100 s of the rate; right: a phasor's phase
    // (helper state), which does not depend on the rate.
    const Take last = play(1.0);
    const double count_before = last.left.at(0) * 200.0 * JackServer::sample_rate;
    const float phase_before = last.right.at(0);
    ASSERT_GT(phase_before, 0.0f);
    stop_server();
    std::this_thread::sleep_for(300ms);

    constexpr uint32_t rate = 44100, period = 128;
    const double reconnected_s = start_server(rate, period);
    EXPECT_LT(reconnected_s, 1.0) << "leld did not play on within 1 s of the server being back:\n" << leld_.log_tail();
    OscClient& osc = leld_.osc();
    EXPECT_EQ(status_int(osc, "sample_rate"), rate);
    EXPECT_EQ(status_int(osc, "period"), period);
    EXPECT_EQ(status_int(osc, "ring_frames"), 2 * period);
    EXPECT_EQ(status_int(osc, "signals"), 1) << "the program did not come back:\n" << leld_.log_tail();
    EXPECT_EQ(status_int(osc, "reconnects"), 1);

    const Take take = record_again(rate);
    const auto first = first_nonzero(take.right);
    ASSERT_TRUE(first) << "nothing reached the capture after the restart:\n" << leld_.log_tail();
    // s.sr is the new rate: a second of it is 44,100 counts; the phasor
    // still moves 0.005 a second (0.5 * 0.01 Hz).
    const double count_after = take.left.back() * 200.0 * rate;
    const float phase_after = take.right.back();
    std::printf("JACK server back at %u Hz, period %u: leld playing %.3f s after the server; raw count %.0f before, "
                "%.0f after; phasor %.6f before, %.6f after (%.2f s of new capture)\n", rate, period, reconnected_s,
                count_before, count_after, phase_before, phase_after,
                static_cast<double>(take.size() - *first) / rate);
    EXPECT_GT(count_after, count_before) << "the raw state did not go on";
    EXPECT_LT(count_after, count_before + 10.0 * rate);
    EXPECT_GT(phase_after, phase_before) << "the helper's state did not go on";
    EXPECT_LT(phase_after, phase_before + 0.005f * 10.0f);
    EXPECT_EQ(leld_.process().pid(), pid_);
    EXPECT_FALSE(leld_.process().try_wait());
}

}  // namespace
}  // namespace lel::test
