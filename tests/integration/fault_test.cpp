// Fault isolation through a real leld (issue 11): a signal that writes
// through a null pointer, loops for ever, divides by zero, calls abort() or
// exit() half a second after its load is muted, and the steady 440 Hz sine
// beside it plays on with no gap longer than a period, leld's PID the same
// (tests/modules/faulty.cpp); a hundred such crashes in a row leave leld
// answering, its memory flat; a session body that crashes, loops or calls
// exit() fails its load with the reason, and the sound playing plays on
// (tests/modules/bad_session.cpp, session_exits.cpp).
#include "analysis.hpp"
#include "live.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

namespace lel::test {
namespace {

/// The longest run of exact silence on the left channel in `take` from
/// `from` on: a gap in the sine (which is never 0 two samples running).
std::size_t longest_silence(const Take& take, std::size_t from) {
    std::size_t longest = 0, run = 0;
    for (std::size_t i = from; i < take.size(); ++i) {
        run = take.left[i] == 0.0f ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return longest;
}

class Faults : public LiveLeld {
protected:
    Faults() { leld_args_ = {"--fade-ms", "0", "--session-timeout", "1"}; }
};

struct Fault {
    const char* module;
    const char* logged;  ///< what leld's log says about it
};

TEST_F(Faults, a_signal_that_crashes_loops_or_exits_is_muted_and_the_others_play_on_without_a_gap) {
    const Fault faults[] = {
        {"fault_null", "crashed (SIGSEGV"},
        {"fault_endless", "did not return from its block"},
        {"fault_divide", "crashed (SIGFPE"},
        {"fault_abort", "crashed (SIGABRT"},
        {"fault_exit", "called exit(0)"},
    };
    run([&] {
        const pid_t pid = leld_->process().pid();
        for (const Fault& f : faults) {
            SCOPED_TRACE(f.module);
            const int64_t underruns = status_int("underruns");
            const std::size_t from = capture().frames_approx();
            load_frame(osc(), module_path(f.module).string());
            record(1.0);  // the fault comes 0.5 s after the load
            const Take take = capture().take(from, capture().frames_approx());
            const auto start = first_nonzero(take.left);
            ASSERT_TRUE(start) << "the sine was not heard";
            const std::size_t gap = longest_silence(take, *start + 1);
            std::printf("%s: longest gap in the sine after the fault: %zu frames (period %d); underruns %lld\n",
                        f.module, gap, JackServer::period, static_cast<long long>(status_int("underruns") - underruns));
            EXPECT_LE(gap, static_cast<std::size_t>(JackServer::period)) << "a gap in the other signal's sound";
            EXPECT_EQ(status_int("muted"), 1) << "the faulty signal is muted, the sine is not";
            EXPECT_EQ(status_int("signals"), 2);
            EXPECT_FALSE(leld_->process().try_wait().has_value()) << "leld ended";
            EXPECT_EQ(leld_->process().pid(), pid);
            EXPECT_NE(read_file(leld_->process().log()).find(f.logged), std::string::npos)
                << "no '" << f.logged << "' in leld's log:\n" << leld_->log_tail(20);
        }
    });
}

TEST_F(Faults, a_hundred_crashes_in_a_row_leave_leld_answering_with_its_memory_flat) {
    run([&] {
        const pid_t pid = leld_->process().pid();
        const std::string module = module_path("fault_null_at_once").string();
        load_frame(osc(), module);
        record(0.1);
        const int64_t rss_before = rss_kib(pid);
        for (int i = 0; i < 100; ++i) {
            load_frame(osc(), module);
            record(0.01);  // its first block: the crash
        }
        record(0.1);
        const int64_t rss_after = rss_kib(pid);
        const std::string log = read_file(leld_->process().log());
        std::size_t crashes = 0;
        for (std::size_t at = log.find("crashed (SIGSEGV"); at != std::string::npos; at = log.find("crashed (SIGSEGV", at + 1)) {
            ++crashes;
        }
        std::printf("101 loads of a signal that crashes at once: %zu crashes caught; leld's RSS %lld -> %lld KiB\n",
                    crashes, static_cast<long long>(rss_before), static_cast<long long>(rss_after));
        EXPECT_EQ(crashes, 101u);
        EXPECT_TRUE(osc().ping());
        EXPECT_EQ(status_int("muted"), 1);
        EXPECT_LT(rss_after - rss_before, 2048) << "leld's memory grew with the crashes";
        const Take take = capture().take(capture().frames_approx() - 4800, capture().frames_approx());
        EXPECT_GT(rms(take.left), 0.1) << "the sine beside the crashing signal went quiet";
    });
}

TEST_F(Faults, a_session_body_that_crashes_loops_or_exits_fails_its_load_and_the_sound_plays_on) {
    const Fault bodies[] = {
        {"body_null", "crashed (SIGSEGV"},
        {"body_endless", "did not return in time"},
        {"session_exits", "called exit(0)"},
    };
    run([&] {
        load_frame(osc(), module_path("sine_440").string());
        record(0.1);  // until the sine reaches the capture (the ring's latency)
        for (const Fault& b : bodies) {
            SCOPED_TRACE(b.module);
            const std::size_t from = capture().frames_approx();
            const OscReply r = call(OscOut("/lel/load").s(module_path(b.module).string()), 5000ms);
            EXPECT_EQ(r.path, "/lel/fail") << r.describe();
            EXPECT_NE(r.string_at(1).value_or("").find(b.logged), std::string::npos) << r.describe();
            std::printf("%s: %s\n", b.module, r.string_at(1).value_or("?").c_str());
            record(0.2);
            const Take take = capture().take(from, capture().frames_approx());
            std::size_t at = 0, run = 0;
            for (std::size_t i = 0; i < take.size(); ++i) {
                run = take.left[i] == 0.0f ? run + 1 : 0;
                if (run == 2) at = i - 1;
            }
            EXPECT_EQ(longest_silence(take, 0), 0u) << "the sine stopped while the session body ran, at " << at
                << " of " << take.size() << "; underruns " << status_int("underruns");
            EXPECT_EQ(status_int("signals"), 1) << "what played before plays on";
            EXPECT_TRUE(osc().ping());
        }
    });
}

}  // namespace
}  // namespace lel::test
