// State that outlives leld (issue 11): leld killed with SIGKILL while a
// counter plays (tests/modules/counter.cpp: raw s.state on the left, a
// helper's state times a /lel/set parameter on the right), then started
// again on the same state directory: with no load, the ramp goes on from
// where it was, within 2 s of the start, and so do time (s.frame), the
// tempo and the fade time. --fresh, /lel/reset and a state
// file of another arena size start from nothing instead.
#include "analysis.hpp"
#include "capture.hpp"
#include "harness.hpp"
#include "protocol.hpp"
#include "retry.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <cstdio>
#include <optional>

namespace lel::test {
namespace {

namespace fs = std::filesystem;

/// The counter's ramps rise by this much per second (0.5 over 100 s).
constexpr double slope = 0.005;

class Persistence : public ::testing::Test {
protected:
    fs::path state() const { return state_; }

    /// A leld on state(), with `extra` arguments; fades on (the default), as
    /// a resumed program fades in.
    Leld& start(std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"--state-dir", state().string()};
        args.insert(args.end(), extra.begin(), extra.end());
        capture_.reset();
        const fs::path logs = dir_.path() / ("run-" + std::to_string(runs_++));
        fs::create_directories(logs);
        leld_.emplace(logs, args);
        capture_.emplace(leld_->client_name());
        if (!capture_->wait_frames(JackServer::period, 2000ms)) throw HarnessError("the capture records nothing");
        return *leld_;
    }
    /// SIGKILL: no destructor, no exit handler, nothing saved on the way out.
    void kill_leld() {
        capture_.reset();
        ASSERT_EQ(::kill(leld_->process().pid(), SIGKILL), 0);
        const auto status = leld_->process().wait_for(3000ms);
        ASSERT_TRUE(status && WIFSIGNALED(*status)) << "leld did not die of SIGKILL";
        leld_.reset();
    }
    void record(double seconds) {
        if (!capture_->wait_seconds(seconds)) throw HarnessError("the capture did not advance");
    }
    /// The last frame recorded: the counter's two ramps.
    std::pair<double, double> last_values() {
        const std::size_t n = capture_->frames_approx();
        const Take t = capture_->take(n - 1, n);
        return {t.left.at(0), t.right.at(0)};
    }
    int64_t status_of(std::string_view key) { return status_int(leld_->osc(), key); }
    static OscReply osc_reply_of(const std::optional<OscReply>& r) {
        if (!r) throw HarnessError("no answer");
        return *r;
    }
    double status_number(std::string_view key) {
        const OscReply r = status(leld_->osc());
        const auto v = r.value_of(key);
        const auto n = v ? OscReply{"", {*v}}.number_at(0) : std::nullopt;
        if (!n) throw HarnessError("/lel/status has no number '" + std::string(key) + "': " + r.describe());
        return *n;
    }

    void SetUp() override { jack_.emplace(dir_.path()); }
    void TearDown() override {
        capture_.reset();
        leld_.reset();
        jack_.reset();
        std::error_code ec;
        fs::remove_all(state_, ec);
    }

    TempDir dir_;
    const fs::path state_ = state_temp_dir() / unique_name("lel-persist");
    std::optional<JackServer> jack_;
    std::optional<Leld> leld_;
    std::optional<Capture> capture_;
    int runs_ = 0;
};

TEST_F(Persistence, after_kill_9_a_new_leld_plays_the_counter_on_from_where_it_was_within_2_s) {
    start();
    load_frame(leld_->osc(), module_path("counter").string());
    const OscReply set = expect_call(leld_->osc(), OscOut("/lel/set").s("counter").s("level").d(0.8));
    ASSERT_EQ(set.path, "/lel/done") << set.describe();
    // Time, tempo and fades are kept too.
    ASSERT_EQ(expect_call(leld_->osc(), OscOut("/lel/tempo").f(90.0f)).path, "/lel/done");
    ASSERT_EQ(expect_call(leld_->osc(), OscOut("/lel/fade").f(20.0f)).path, "/lel/done");
    record(1.5);
    const auto [left_before, right_before] = last_values();
    const double frame_before = status_number("frame");
    ASSERT_GT(left_before, 0.5 * slope) << "the counter did not play";
    ASSERT_GT(right_before, 0.5 * 0.8 * slope);
    kill_leld();

    // Killed: what the ports played last is what the state held then (the
    // producer ran at most the ring ahead of it).
    const auto started = Clock::now();
    start();
    const double to_ping = std::chrono::duration<double>(Clock::now() - started).count();
    record(0.5);
    const Take take = capture_->take_all();
    const auto first = first_nonzero(take.left);
    ASSERT_TRUE(first) << "nothing played after the restart, with no load:\n" << leld_->log_tail();
    const double to_sound = to_ping + static_cast<double>(*first) / capture_->sample_rate();
    const auto [left_after, right_after] = last_values();
    std::printf("before kill -9: left %.6f right %.6f; after restart: left %.6f right %.6f, sound %.3f s after the "
                "start (ping answered at %.3f s)\n",
                left_before, right_before, left_after, right_after, to_sound, to_ping);
    EXPECT_LT(to_sound, 2.0) << "the program did not resume within 2 s";
    // Went on from where it was: above the value before the kill, and by no
    // more than the time that passed (plus a margin).
    const double elapsed = std::chrono::duration<double>(Clock::now() - started).count() + 1.0;
    EXPECT_GT(left_after, left_before) << "the raw state started again from 0";
    EXPECT_LT(left_after, left_before + slope * (elapsed + 1.0));
    EXPECT_GT(right_after, right_before) << "the helper's state (or the parameter) started again";
    EXPECT_LT(right_after, right_before + 0.8 * slope * (elapsed + 1.0));
    // The parameter's value is remembered too: /lel/get says 0.8.
    const OscReply got = expect_call(leld_->osc(), OscOut("/lel/get").s("counter").s("level"));
    const auto value = protocol::GetReply::read(got);
    ASSERT_TRUE(value) << got.describe();
    EXPECT_DOUBLE_EQ(value->value, 0.8);
    EXPECT_EQ(status_of("signals"), 1);
    EXPECT_DOUBLE_EQ(status_number("tempo"), 90.0) << "the tempo was forgotten";
    EXPECT_NEAR(status_number("fade_ms"), 20.0, 0.05) << "the fade time was forgotten";
    const double frame_after = status_number("frame");
    std::printf("frame %.0f before kill -9 (status), %.0f after restart\n", frame_before, frame_after);
    EXPECT_GT(frame_after, frame_before) << "time started again from 0";
    EXPECT_LT(frame_after, frame_before + JackServer::sample_rate * (elapsed + 1.0));
    // Timed bundles count in those frames too: one 0.3 s ahead waits for
    // its time (it is not late, as it would be if the ports counted from 0).
    const OscReply timed = osc_reply_of(leld_->osc().call_raw(osc_bundle(
        {OscOut("/lel/set").s("counter").s("level").f(0.5f).s("lag").f(0.0f).bytes()}, ntp_in(0.3))));
    EXPECT_EQ(timed.path, "/lel/done") << timed.describe();
    record(0.5);
    EXPECT_EQ(status_of("late"), 0) << "a bundle timed 0.3 s ahead was late after the restart";
    EXPECT_NE(read_file(leld_->process().log()).find("resumed 1 names' state and 1 program steps (0 failed)"),
              std::string::npos) << leld_->log_tail();
}

TEST_F(Persistence, fresh_reset_and_a_state_file_of_another_size_start_from_nothing) {
    start();
    load_frame(leld_->osc(), module_path("counter").string());
    record(0.5);
    kill_leld();

    // --fresh: nothing resumed, and the counter starts at 0 when loaded.
    start({"--fresh"});
    EXPECT_EQ(status_of("signals"), 0);
    load_frame(leld_->osc(), module_path("counter").string());
    record(0.3);
    EXPECT_LT(last_values().first, 0.5 * slope) << "--fresh kept the counter's state";

    // /lel/reset wipes the state directory too.
    const OscReply reset = expect_call(leld_->osc(), OscOut("/lel/reset"));
    ASSERT_EQ(reset.path, "/lel/done") << reset.describe();
    kill_leld();
    start();
    EXPECT_EQ(status_of("signals"), 0) << "a program resumed after /lel/reset";
    load_frame(leld_->osc(), module_path("counter").string());
    record(1.0);
    const double after_reset = last_values().first;
    EXPECT_LT(after_reset, 2.0 * slope) << "the counter kept its state through /lel/reset";
    kill_leld();

    // Another arena size: the file is set aside, never misread.
    start({"--state-size", "1048576"});
    EXPECT_EQ(status_of("signals"), 0);
    EXPECT_NE(read_file(leld_->process().log()).find("set aside"), std::string::npos) << leld_->log_tail();
    bool aside = false;
    for (const fs::directory_entry& e : fs::directory_iterator(state())) {
        aside |= e.path().filename().string().starts_with("arena.set-aside-");
    }
    EXPECT_TRUE(aside) << "the old arena file was not kept aside";
}

TEST_F(Persistence, a_second_leld_on_the_same_state_directory_is_refused) {
    start();
    const fs::path leld = path_from_env("LEL_TEST_LELD");
    Process second({leld.string(), "--no-connect", "--port", std::to_string(free_udp_port()), "--name",
                    unique_name("lel"), "--state-dir", state().string()},
                   environment_with({}), dir_.path() / "second.log");
    const auto status = second.wait_for(5000ms);
    ASSERT_TRUE(status) << "a second leld runs on the same state directory";
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) != 0);
    EXPECT_NE(read_file(second.log()).find("in use by another leld"), std::string::npos) << second.log_tail();
    EXPECT_TRUE(leld_->osc().ping());
}

}  // namespace
}  // namespace lel::test
