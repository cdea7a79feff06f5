// scripts/supercollider-example.scd run as a script by a real sclang
// (headless) against leld on a private jackd (dummy, 48 kHz / 64).
//
// The example's defaults are changed through its environment variables only
// (LEL_PORT, LEL_SC_FM / LEL_SC_ECHO = the test modules sine_440 / sine_660,
// LEL_SC_BARS = 1, LEL_SC_CYCLES = 2), so the file under test is the one a
// user runs. What the script intends, checked from leld's side (its log and
// /lel/status): the two scenes take turns, fm first, each on a bar line of
// leld's grid (a quantum of 4 beats at 120 bpm) and for exactly LEL_SC_BARS
// bars, no load is superseded, nothing else is loaded, and the clear at the
// end comes on the bar line after the last scene. ~15 s, most of it sclang
// compiling its class library.
//
// Then the issue-10 acceptance from a real sclang, each script under
// tests/integration/sc/: a Pbind of \lel events lands each note on its
// bundle's frame; a TempoClock's beat shared with /lel/tempo is the beat
// quantized loads land on; an OSCFunc subscribed with /lel/notify receives
// the events of a load and a remove; a /lel/set with a lag is heard as a
// ramp of that length.
//
// Skipped when sclang (Debian: supercollider-language) is not installed.
#include "harness.hpp"
#include "live.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;

namespace lel::test {
namespace {

constexpr int bars = 1;    // per scene
constexpr int cycles = 2;  // fm + echo, twice
constexpr int64_t bar_frames = JackServer::sample_rate * 2;  // 4 beats at 120 bpm
/// How far from its bar line the closing clear may land: sclang sends it
/// when its own clock says the last bar is over, leld swaps at its next block.
constexpr int64_t clear_early = JackServer::sample_rate / 10, clear_late = JackServer::sample_rate / 2;
/// sclang starts in ~5 s (class library) and plays ~10 s.
constexpr auto sclang_timeout = 50s;

/// sclang from LEL_TEST_SCLANG or PATH; empty if there is none.
fs::path find_sclang() {
    if (const char* set = std::getenv("LEL_TEST_SCLANG"); set && *set) return set;
    std::istringstream dirs(std::getenv("PATH") ? std::getenv("PATH") : "");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        const fs::path candidate = fs::path(dir) / "sclang";
        if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return {};
}


struct Landed {
    std::string path;
    int64_t frame;
};

/// leld's "loaded PATH: N signals, in effect at frame F" lines, in order.
std::vector<Landed> landed_loads(const std::string& log) {
    static const std::regex line(R"(loaded (.+?)(?: \(crossfade\))?: \d+ signals, in effect at frame (-?\d+))");
    std::vector<Landed> out;
    for (std::sregex_iterator it(log.begin(), log.end(), line), end; it != end; ++it) {
        out.push_back({(*it)[1].str(), std::stoll((*it)[2].str())});
    }
    return out;
}

/// Every line of `log` that contains `word`.
std::string lines_with(const std::string& log, std::string_view word) {
    std::istringstream in(log);
    std::string out;
    for (std::string l; std::getline(in, l);) {
        if (l.find(word) != std::string::npos) out += l + "\n";
    }
    return out;
}

/// What the script intends, read from leld's log: the scenes take turns, fm
/// first, each on a bar line and for `bars` bars; nothing superseded; one
/// clear, on the bar line after the last scene.
void expect_scenes_as_intended(const std::string& log, const std::string& fm, const std::string& echo) {
    EXPECT_EQ(lines_with(log, "superseded"), "") << "a load was superseded";

    const std::vector<Landed> landed = landed_loads(log);
    ASSERT_EQ(landed.size(), 2u * cycles) << "loads that took effect";
    for (std::size_t i = 0; i < landed.size(); ++i) {
        SCOPED_TRACE("scene " + std::to_string(i) + " at frame " + std::to_string(landed[i].frame));
        EXPECT_EQ(landed[i].path, i % 2 == 0 ? fm : echo) << "the scenes do not take turns, fm first";
        EXPECT_EQ(landed[i].frame % bar_frames, 0) << "not on a bar line of leld's grid";
        if (i > 0) {
            EXPECT_EQ(landed[i].frame - landed[i - 1].frame, bars * bar_frames)
                << "the scene before lasted " << (landed[i].frame - landed[i - 1].frame) / double(bar_frames)
                << " bars, not " << bars;
        }
    }

    static const std::regex cleared_line(R"(cleared: no signals from frame (-?\d+))");
    std::vector<int64_t> cleared;
    for (std::sregex_iterator it(log.begin(), log.end(), cleared_line), end; it != end; ++it) {
        cleared.push_back(std::stoll((*it)[1].str()));
    }
    ASSERT_EQ(cleared.size(), 1u) << "one clear, at the end";
    const int64_t end_of_last = landed.back().frame + bars * bar_frames;
    EXPECT_GE(cleared[0], end_of_last - clear_early) << "the last scene was cut short";
    EXPECT_LE(cleared[0], end_of_last + clear_late) << "the last scene played on too long";
}

TEST(SuperColliderExample, RunAsAScriptItAlternatesTheScenesOnLeldsBarLinesWithNoLoadSuperseded) {
    const fs::path sclang = find_sclang();
    if (sclang.empty()) GTEST_SKIP() << "sclang is not installed (apt install supercollider-language)";
    const fs::path example = path_from_env("LEL_TEST_SC_EXAMPLE");
    const std::string fm = module_path("sine_440").string(), echo = module_path("sine_660").string();

    TempDir dir;
    JackServer jack(dir.path());
    Leld leld(dir.path(), {});  // leld's defaults, as a user starts it
    EnvChanges env = {{"LEL_PORT", std::to_string(leld.port())},
                      {"LEL_HOST", std::nullopt},
                      {"LEL_SC_FM", fm},
                      {"LEL_SC_ECHO", echo},
                      {"LEL_SC_BARS", std::to_string(bars)},
                      {"LEL_SC_CYCLES", std::to_string(cycles)},
                      {"QT_QPA_PLATFORM", "offscreen"},
                      {"HOME", dir.path().string()}};  // no user's sclang_conf.yaml or extensions
    if (geteuid() == 0) env.push_back({"QTWEBENGINE_DISABLE_SANDBOX", "1"});
    Process sc({sclang.string(), "-u", std::to_string(free_udp_port()), example.string()}, environment_with(env),
               dir.path() / "sclang.log");

    const auto waited = sc.wait_for(sclang_timeout);
    ASSERT_TRUE(waited.has_value()) << "sclang still runs after " << sclang_timeout.count()
                                    << " s (the script did not quit)\n--- sclang:\n"
                                    << sc.log_tail(60) << "--- leld:\n"
                                    << leld.log_tail(40);
    EXPECT_EQ(*waited, 0) << "sclang " << describe_wait_status(*waited) << "\n" << sc.log_tail(60);

    OscClient& osc = leld.osc();
    EXPECT_EQ(status_int(osc, "loads"), 2 * cycles) << "loads other than the switcher's were sent";
    EXPECT_EQ(status_int(osc, "signals"), 0) << "the script did not clear at its end";

    const std::string log = read_file(leld.process().log());
    expect_scenes_as_intended(log, fm, echo);
    if (HasFailure()) std::cout << "--- leld:\n" << log << "--- sclang:\n" << sc.log_tail(60);
}

/// sclang running `script` (a file under tests/integration/sc) against
/// `leld`, headless, with scripts/supercollider (the Lel class) in its class
/// library and nothing of the user's.
Process start_sclang(const fs::path& sclang, const std::string& script, const Leld& leld, const fs::path& dir,
                     EnvChanges extra = {}) {
    const fs::path source = path_from_env("LEL_TEST_SC_DIR");
    const fs::path conf = dir / "sclang_conf.yaml";
    std::ofstream(conf) << "includePaths:\n  - " << (source / "scripts" / "supercollider").string() << "\n";
    EnvChanges env = {{"LEL_PORT", std::to_string(leld.port())},
                      {"QT_QPA_PLATFORM", "offscreen"},
                      {"HOME", dir.string()}};
    if (geteuid() == 0) env.push_back({"QTWEBENGINE_DISABLE_SANDBOX", "1"});
    env.insert(env.end(), extra.begin(), extra.end());
    const fs::path file = source / "tests" / "integration" / "sc" / script;
    return Process({sclang.string(), "-u", std::to_string(free_udp_port()), "-l", conf.string(), file.string()},
                   environment_with(env), dir / "sclang.log");
}

class SuperColliderLive : public LiveLeld {
protected:
    SuperColliderLive() { leld_args_ = {"--fade-ms", "0", "--log-level", "debug"}; }  // it logs each timed set's frame
};

/// The frames leld timed the /lel/set of each bundle for, from its log.
std::vector<int64_t> timed_set_frames(const std::string& log) {
    static const std::regex line(R"(/lel/set dc: timed for frame (\d+))");
    std::vector<int64_t> out;
    for (std::sregex_iterator it(log.begin(), log.end(), line), end; it != end; ++it) out.push_back(std::stoll((*it)[1].str()));
    return out;
}

// The notes of a Pbind (\type, \lel) land on the frames leld timed their
// bundles for, each to the frame: one sample of its level + 0.3 (the gate's
// trigger), then its level. The frames are 6000 apart (a quarter beat at
// 120 bpm) in wall-clock time; leld's time -> frame mapping (FrameClock)
// keeps within +-8 frames (0.17 ms) of it on the loaded 2-core VM, where
// the dummy driver's cycles wake up with ~0.2 ms of jitter.
TEST_F(SuperColliderLive, a_pbind_of_8_notes_lands_each_note_on_its_bundles_frame) {
    const fs::path sclang = find_sclang();
    if (sclang.empty()) GTEST_SKIP() << "sclang is not installed (apt install supercollider-language)";
    run([&] {
        load_frame(osc(), module_path("param_dc").string());
        const std::size_t from = capture().frames_approx();
        Process sc = start_sclang(sclang, "pbind_notes.scd", *leld_, dir_.path());
        const auto waited = sc.wait_for(sclang_timeout);
        ASSERT_TRUE(waited.has_value()) << "sclang did not quit\n" << sc.log_tail(40);
        ASSERT_EQ(*waited, 0) << sc.log_tail(40);
        record(0.2);
        const Take take = capture().take(from, capture().frames_approx());
        std::vector<long> notes;
        for (std::size_t i = 1; i + 1 < take.size(); ++i) {
            const int k = static_cast<int>(notes.size()) + 1;
            if (k <= 8 && std::fabs(take.left[i] - (0.04f * k + 0.3f)) < 1e-5f) {
                EXPECT_NEAR(take.left[i + 1], 0.04f * k, 1e-5f) << "note " << k << ": its level after the trigger";
                notes.push_back(static_cast<long>(i));
            }
        }
        ASSERT_EQ(notes.size(), 8u) << "notes heard\n" << sc.log_tail(20);
        const std::vector<int64_t> timed = timed_set_frames(read_file(leld_->process().log()));
        ASSERT_EQ(timed.size(), 8u) << "timed sets in leld's log";
        std::string gaps, offsets;
        for (std::size_t k = 0; k < notes.size(); ++k) {
            // Capture index and engine frame differ by a constant (where the capture started).
            const int64_t offset = notes[k] - timed[k];
            offsets += std::to_string(offset - (notes[0] - timed[0])) + " ";
            EXPECT_NEAR(offset, notes[0] - timed[0], 1) << "note " << k << " is off its bundle's frame";
            if (k == 0) continue;
            gaps += std::to_string(notes[k] - notes[k - 1]) + " ";
            EXPECT_NEAR(notes[k] - notes[k - 1], 6000, 8) << "note " << k;
        }
        std::printf("a Pbind of 8 notes from sclang: each note's frame minus its bundle's: %s(0 expected); "
                    "frames between notes %s(6000 in wall-clock time); late %lld\n",
                    offsets.c_str(), gaps.c_str(), static_cast<long long>(status_int("late")));
        EXPECT_EQ(status_int("late"), 0);
    });
}

// A TempoClock's beat shared with leld: a load quantized to 8 beats lands
// on the frame of the clock's beat 8 (which a bundle timed for that beat
// maps to), within one block.
TEST_F(SuperColliderLive, a_tempoclocks_beat_sent_with_lel_tempo_is_the_beat_quantized_loads_land_on) {
    const fs::path sclang = find_sclang();
    if (sclang.empty()) GTEST_SKIP() << "sclang is not installed (apt install supercollider-language)";
    run([&] {
        Process sc = start_sclang(sclang, "tempo_beat.scd", *leld_, dir_.path(),
                                  {{"LEL_SC_MODULE", module_path("param_dc").string()}});
        const auto waited = sc.wait_for(sclang_timeout);
        ASSERT_TRUE(waited.has_value()) << "sclang did not quit\n" << sc.log_tail(40);
        ASSERT_EQ(*waited, 0) << sc.log_tail(40);
        const std::string log = read_file(leld_->process().log());
        const std::vector<Landed> loads = landed_loads(log);
        const std::vector<int64_t> timed = timed_set_frames(log);
        ASSERT_EQ(loads.size(), 1u) << lines_with(log, "load");
        ASSERT_EQ(timed.size(), 1u) << lines_with(log, "timed");
        std::printf("load quantized to beat 8 at frame %lld; sclang's beat 8 at frame %lld: %lld frames apart\n",
                    static_cast<long long>(loads[0].frame), static_cast<long long>(timed[0]),
                    static_cast<long long>(loads[0].frame - timed[0]));
        EXPECT_LE(std::abs(loads[0].frame - timed[0]), JackServer::period) << "not within a block";
    });
}

// /lel/notify from a real sclang: an OSCFunc (Lel.onEvent) receives the
// events of a load and a remove that took effect, with the frames leld
// reports in its answers' log lines.
TEST_F(SuperColliderLive, an_oscfunc_subscribed_with_lel_notify_receives_the_events_of_a_load_and_a_remove) {
    const fs::path sclang = find_sclang();
    if (sclang.empty()) GTEST_SKIP() << "sclang is not installed (apt install supercollider-language)";
    run([&] {
        const std::string module = module_path("param_dc").string();
        Process sc = start_sclang(sclang, "notify_events.scd", *leld_, dir_.path(), {{"LEL_SC_MODULE", module}});
        const auto waited = sc.wait_for(sclang_timeout);
        ASSERT_TRUE(waited.has_value()) << "sclang did not quit\n" << sc.log_tail(40);
        ASSERT_EQ(*waited, 0) << sc.log_tail(40);
        const std::string out = read_file(sc.log());
        const std::vector<Landed> loads = landed_loads(read_file(leld_->process().log()));
        ASSERT_EQ(loads.size(), 1u);
        const std::string load_event = "EVENT load " + module + " 1 " + std::to_string(loads[0].frame);
        EXPECT_NE(out.find(load_event + "\n"), std::string::npos) << "no '" << load_event << "' in\n" << out;
        const std::regex remove_event(R"(EVENT remove dc 0 (\d+))");
        std::smatch m;
        ASSERT_TRUE(std::regex_search(out, m, remove_event)) << out;
        EXPECT_GT(std::stoll(m[1].str()), loads[0].frame) << "the remove took effect after the load";
        EXPECT_EQ(status_int("signals"), 0);
        std::printf("sclang's OSCFunc received: %s and %s\n", load_event.c_str(), m[0].str().c_str());
    });
}

// /lel/set with a lag from a real sclang (Lel.set(..., \lag, 0.1)): the
// level is heard moving from 0.1 to 0.4 in a straight ramp of 0.1 s, 4,800
// frames at 48 kHz.
TEST_F(SuperColliderLive, a_set_with_a_lag_from_sclang_is_heard_as_a_ramp_of_that_length) {
    const fs::path sclang = find_sclang();
    if (sclang.empty()) GTEST_SKIP() << "sclang is not installed (apt install supercollider-language)";
    run([&] {
        load_frame(osc(), module_path("param_dc").string());
        const std::size_t from = capture().frames_approx();
        Process sc = start_sclang(sclang, "lag_ramp.scd", *leld_, dir_.path());
        const auto waited = sc.wait_for(sclang_timeout);
        ASSERT_TRUE(waited.has_value()) << "sclang did not quit\n" << sc.log_tail(40);
        ASSERT_EQ(*waited, 0) << sc.log_tail(40);
        record(0.1);
        const Take take = capture().take(from, capture().frames_approx());
        // The ramp: the frames strictly between the two levels.
        std::size_t first = 0, last = 0, count = 0;
        for (std::size_t i = 0; i < take.size(); ++i) {
            if (take.left[i] > 0.1f + 1e-5f && take.left[i] < 0.4f - 1e-5f) {
                if (count++ == 0) first = i;
                last = i;
            }
        }
        ASSERT_GT(count, 0u) << "no ramp heard; level at the end " << take.left.back();
        EXPECT_NEAR(take.left.back(), 0.4f, 1e-6f);
        EXPECT_EQ(last - first + 1, count) << "one ramp, without a break";
        const double step = take.left[first + 1] - take.left[first];
        for (std::size_t i = first + 1; i <= last; ++i) {
            ASSERT_NEAR(take.left[i] - take.left[i - 1], step, 1e-6) << "a straight ramp: frame " << i - first;
        }
        std::printf("sclang's set with a lag of 0.1 s: a ramp of %zu frames (4800 at 48 kHz)\n", count + 1);
        EXPECT_NEAR(static_cast<double>(count + 1), 4800.0, 1.0);
    });
}

}  // namespace
}  // namespace lel::test
