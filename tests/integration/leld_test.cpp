// Integration tests: a real leld against a private JACK server (dummy
// driver, 48 kHz, 64-frame periods), driven over OSC, its output recorded
// by a JACK client and measured.
//
// Each test gets a fresh jackd + leld + capture. Waveform checks lean on
// sine_break() (analysis.hpp): a pure sine satisfies a three-term
// recurrence to float precision, so "the sound goes on uninterrupted" is
// checked sample by sample, not just as an average frequency.
#include "analysis.hpp"
#include "live.hpp"

#include "../pop_ratio.hpp"

#include <lel/abi.hpp>

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <sys/wait.h>

namespace fs = std::filesystem;

namespace lel::test {
namespace {

constexpr double sr = JackServer::sample_rate;
constexpr std::size_t everything = std::numeric_limits<std::size_t>::max();
/// A run of exact zeros this long, once sound has started, is a gap.
constexpr std::size_t gap_frames = 32;

std::size_t frames(double seconds) {
    return static_cast<std::size_t>(seconds * sr);
}

std::span<const float> part(const std::vector<float>& v, std::size_t from, std::size_t to = everything) {
    to = std::min(to, v.size());
    from = std::min(from, to);
    return std::span<const float>(v).subspan(from, to - from);
}

std::string samples_around(std::span<const float> x, std::size_t at) {
    std::string out;
    for (std::size_t n = at >= 3 ? at - 3 : 0; n < std::min(x.size(), at + 4); ++n) {
        out += (n == at ? " [" : " ") + std::to_string(x[n]) + (n == at ? "]" : "");
    }
    return out;
}

/// Where one channel, from the first nonzero sample to the end, is a single
/// uninterrupted 0.5-amplitude sine of `hz`. Records failures; returns the
/// index of the first nonzero sample.
std::optional<std::size_t> expect_one_uninterrupted_sine(std::span<const float> x, double hz, const char* channel) {
    SCOPED_TRACE(channel);
    const auto start = first_nonzero(x);
    if (!start) {
        ADD_FAILURE() << "silent: no nonzero sample in " << x.size() << " frames";
        return std::nullopt;
    }
    const auto sound = x.subspan(*start > 0 ? *start - 1 : 0);
    EXPECT_LT(longest_zero_run(sound), gap_frames) << "a gap in the sound";
    EXPECT_NEAR(zero_crossing_frequency(sound, sr), hz, 1.0);
    EXPECT_NEAR(peak(sound), 0.5, 0.01);
    if (const auto at = sine_break(sound, sr, hz)) {
        ADD_FAILURE() << "the " << hz << " Hz sine breaks " << *at << " frames after it started ("
                      << static_cast<double>(*at) / sr << " s):" << samples_around(sound, *at);
    }
    return start;
}

/// True when `text` contains `word`; a number must stand alone ("1" is not
/// found in "10" or "999").
bool mentions(std::string_view text, std::string_view word) {
    const bool number = !word.empty() && word.find_first_not_of("0123456789") == std::string_view::npos;
    for (auto at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
        if (!number) return true;
        const auto end = at + word.size();
        const bool before = at == 0 || !std::isdigit(static_cast<unsigned char>(text[at - 1]));
        const bool after = end == text.size() || !std::isdigit(static_cast<unsigned char>(text[end]));
        if (before && after) return true;
    }
    return false;
}

struct Loaded {
    int64_t frame = -1;       ///< the frame /lel/done reported
    std::size_t sent_at = 0;  ///< frames captured when the request was sent
};

// ------------------------------------------------------------------ fixture

/// LiveLeld (live.hpp) with the loads and checks these tests share.
class LeldIntegration : public LiveLeld {
protected:
    /// Loads the test module `name`, expecting /lel/done.
    Loaded load(std::string_view name) {
        const fs::path path = module_path(name);
        Loaded l;
        l.sent_at = capture().frames_approx();
        l.frame = load_frame(osc(), path.string());
        return l;
    }

    /// With sine_440 loaded as `first` (no fades) and then sine_660 reported
    /// in effect at engine frame `reported`: checks that the recording turns
    /// from the one tone to the other exactly there.
    ///
    /// Engine frames are not JACK frame times (leld's producer runs ahead by
    /// its ring), so they are mapped to the capture through the first load:
    /// its frame is the first nonzero sample (sine_440 starts at sin of one
    /// step). The change is located as where the 440 Hz recurrence breaks,
    /// which is the first 660 Hz sample, or the one after it in the rare case
    /// that sample still fits the old recurrence within the tolerance.
    void expect_tone_change_at(const Loaded& first, int64_t reported) {
        const Take take = capture().take(first.sent_at, everything);
        const auto x = std::span<const float>(take.left);
        const auto start = first_nonzero(x);
        ASSERT_TRUE(start && *start >= 1) << "no sound after loading sine_440, or sound before it";
        ASSERT_GT(reported, first.frame);
        const auto break_440 = sine_break(x.subspan(*start - 1), sr, 440.0);
        ASSERT_TRUE(break_440) << "the tone never changed to 660 Hz";
        const std::size_t observed = *start + *break_440;
        const std::size_t predicted = *start + static_cast<std::size_t>(reported - first.frame);
        std::cout << "reported frame " << reported << " (first load at " << first.frame << ") -> capture index "
                  << predicted << "; the tone changes at index " << observed << "\n";
        const auto off = static_cast<int64_t>(observed) - static_cast<int64_t>(predicted);
        EXPECT_TRUE(off == 0 || off == 1) << "the tone changes " << off << " frames after the reported frame "
                                          << reported << ":" << samples_around(x, observed);
        ASSERT_LT(observed + frames(0.1), x.size()) << "too little recorded after the change";
        if (const auto at = sine_break(x.subspan(observed - 1), sr, 660.0)) {
            ADD_FAILURE() << "after the change (" << observed << ") the 660 Hz tone breaks at " << observed + *at
                          << ":" << samples_around(x, observed - 1 + *at);
        }
    }

    /// /lel/load of test module `name` with more arguments (a quantum): the
    /// frame /lel/done reports.
    int64_t load_with(std::string_view name, const std::function<void(OscOut&)>& more,
                      std::chrono::milliseconds timeout = 3000ms) {
        const std::string path = module_path(name).string();
        OscOut m("/lel/load");
        m.s(path);
        more(m);
        const OscReply r = call(m, timeout);
        if (r.path != "/lel/done" || r.string_at(0) != "/lel/load" || r.string_at(1) != path || !r.integer_at(3)) {
            throw HarnessError("loading " + std::string(name) + " got " + r.describe());
        }
        return *r.integer_at(3);
    }
};

// ------------------------------------------------------------------- tests

TEST_F(LeldIntegration, a_loaded_sine_plays_at_its_frequency_and_amplitude_on_both_outputs) {
    run([&] {
        const Loaded loaded = load("sine_440");
        EXPECT_GE(loaded.frame, 0) << "the load did not take effect";
        record(1.2);
        const Take take = capture().take(loaded.sent_at, everything);
        const std::size_t skip = frames(0.1);
        for (const auto* channel : {&take.left, &take.right}) {
            SCOPED_TRACE(channel == &take.left ? "out_1" : "out_2");
            const auto x = part(*channel, skip);
            ASSERT_GE(x.size(), frames(1.0));
            EXPECT_NEAR(zero_crossing_frequency(x, sr), 440.0, 1.0);
            EXPECT_NEAR(dft_peak_frequency(x, sr, 400.0, 480.0), 440.0, 1.0);
            EXPECT_NEAR(peak(x), 0.5, 0.01);
            EXPECT_NEAR(rms(x), 0.5 / std::sqrt(2.0), 0.01);
        }
        expect_one_uninterrupted_sine(take.left, 440.0, "out_1");
        expect_one_uninterrupted_sine(take.right, 440.0, "out_2");
        EXPECT_EQ(take.left, take.right) << "a mono signal goes to both ports unchanged";
    });
}

TEST_F(LeldIntegration, reloading_a_signal_under_the_same_name_continues_its_phase_without_a_click) {
    run([&] {
        ASSERT_TRUE(capture().connected_to_same_client());
        const int64_t underruns_before = status_int("underruns");
        const Loaded first = load("sine_440");
        record(0.3);
        const Loaded second = load("sine_660");
        record(0.5);
        const bool underran = status_int("underruns") != underruns_before;

        const Take take = capture().take(first.sent_at, everything);
        const auto x = std::span<const float>(take.left);
        const auto start = first_nonzero(x);
        ASSERT_TRUE(start && *start >= 1) << "no sound after loading sine_440, or sound before it";
        ASSERT_GE(second.frame, first.frame);

        // Locate the swap in the waveform: the 440 Hz sine runs up to where its
        // recurrence first breaks; from there on it must be one 660 Hz sine.
        const auto break_440 = sine_break(x.subspan(*start - 1), sr, 440.0);
        ASSERT_TRUE(break_440) << "the tone never changed to 660 Hz";
        const std::size_t swap = *start + *break_440;  // <= the first 660 Hz sample + 1
        ASSERT_GT(swap, *start + frames(0.2));
        ASSERT_LT(swap + frames(0.3), x.size());
        if (const auto at = sine_break(x.subspan(swap - 1), sr, 660.0)) {
            ADD_FAILURE() << "after the swap (" << swap << ") the 660 Hz tone breaks at " << swap + *at << ":"
                          << samples_around(x, swap - 1 + *at);
        }

        // The frame /lel/done reported maps to the capture exactly, as long as
        // no underrun shifted the output meanwhile: verify the swap is there.
        const std::size_t predicted = *start + static_cast<std::size_t>(second.frame - first.frame);
        if (underran) {
            std::cerr << "note: leld underran during the test; not checking the reported swap frame exactly\n";
        } else if (predicted + 2 >= x.size() || predicted < *start + 2) {
            ADD_FAILURE() << "the reported swap frame " << second.frame << " is outside the recording";
        } else {
            EXPECT_FALSE(sine_break(part(take.left, *start - 1, predicted), sr, 440.0))
                << "the 440 Hz tone does not last until the reported frame " << second.frame;
            EXPECT_FALSE(sine_break(part(take.left, predicted - 1), sr, 660.0))
                << "the 660 Hz tone does not start at the reported frame " << second.frame;
        }

        // Clicks: the largest step around the swap is no larger than the new
        // tone's own largest step.
        const double steady = max_jump(part(take.left, swap + frames(0.05), swap + frames(0.25)));
        const auto around = part(take.left, swap - frames(0.01), swap + frames(0.01));
        EXPECT_LE(max_jump(around), 1.1 * steady) << "a click at the swap";
        EXPECT_LE(max_jump(part(take.left, *start)), 1.1 * steady) << "a click somewhere";
        EXPECT_LT(longest_zero_run(part(take.left, *start)), gap_frames) << "a gap after the sound started";
        EXPECT_LT(longest_zero_run(part(take.right, *start)), gap_frames) << "a gap on out_2";
        EXPECT_NEAR(zero_crossing_frequency(part(take.left, *start, swap - 1), sr), 440.0, 1.0);
        EXPECT_NEAR(zero_crossing_frequency(part(take.left, swap), sr), 660.0, 1.0);
        EXPECT_EQ(take.left, take.right);

        EXPECT_TRUE(capture().connected_to_same_client())
            << "the capture lost its connection to " << leld_->client_name();
        EXPECT_EQ(capture().disconnections(), 0u);
        EXPECT_EQ(capture().lel_client_unregistrations(), 0u);
    });
}

TEST_F(LeldIntegration, the_frame_a_load_reports_is_where_the_new_program_starts_sounding) {
    run([&] {
        const Loaded first = load("sine_440");
        record(0.25);
        const Loaded second = load("sine_660");
        record(0.3);
        expect_tone_change_at(first, second.frame);
    });
}

TEST_F(LeldIntegration, a_load_with_a_quantum_answers_once_in_effect_on_a_multiple_of_the_quantum) {
    run([&] {
        constexpr int64_t quantum = 9600;
        const Loaded first = load("sine_440");
        record(0.25);
        const int64_t before = status_int("frame");
        const int64_t frame = load_with("sine_660", [](OscOut& m) { m.i(quantum); });
        const int64_t after = status_int("frame");
        EXPECT_EQ(frame % quantum, 0) << "frame " << frame;
        EXPECT_GE(frame, before) << "the swap is before the load was sent";
        // The next multiple, give or take the time the load itself takes.
        EXPECT_LT(frame, before + 2 * quantum) << "the swap waited more than one quantum";
        EXPECT_GE(after, frame) << "the answer came before the producer reached the frame it reports";
        record(0.3);
        expect_tone_change_at(first, frame);
    });
}

TEST_F(LeldIntegration, with_a_tempo_a_load_quantum_counts_beats) {
    run([&] {
        constexpr int64_t beat = 24000;  // 120 bpm at 48 kHz
        const OscReply t = call(OscOut("/lel/tempo").f(120.0f));
        EXPECT_EQ(t.path, "/lel/done") << t.describe();
        EXPECT_EQ(t.string_at(0), "/lel/tempo") << t.describe();
        EXPECT_EQ(t.number_at(1), 120.0) << t.describe();
        const Loaded first = load("sine_440");
        record(0.2);
        const int64_t before = status_int("frame");
        const int64_t frame = load_with("sine_660", [](OscOut& m) { m.f(1.0f); });
        EXPECT_EQ(frame % beat, 0) << "frame " << frame;
        EXPECT_GE(frame, before);
        EXPECT_LT(frame, before + 2 * beat);
        EXPECT_GE(status_int("frame"), frame) << "the answer came before the producer reached the frame it reports";
        record(0.3);
        expect_tone_change_at(first, frame);
    });
}

TEST_F(LeldIntegration, clear_silences_the_output_and_leaves_no_signals) {
    run([&] {
        const Loaded loaded = load("sine_440");
        record(0.2);
        const std::size_t before_clear = capture().frames_approx();
        const OscReply r = call(OscOut("/lel/clear"));
        EXPECT_EQ(r.path, "/lel/done") << r.describe();
        EXPECT_EQ(r.string_at(0), "/lel/clear") << r.describe();
        ASSERT_TRUE(r.integer_at(1)) << r.describe();
        EXPECT_GE(*r.integer_at(1), loaded.frame);
        EXPECT_EQ(status_int("signals"), 0);
        record(0.3);

        const Take take = capture().take(loaded.sent_at, everything);
        const auto last = last_nonzero(take.left);
        ASSERT_TRUE(last) << "there was no sound before the clear";
        EXPECT_GE(loaded.sent_at + *last, before_clear) << "the sound stopped before /lel/clear was sent";
        EXPECT_GE(take.size() - *last, frames(0.25)) << "the sound went on after /lel/clear answered";
        EXPECT_EQ(peak(part(take.right, *last + 1)), 0.0);
        expect_one_uninterrupted_sine(part(take.left, 0, *last + 1), 440.0, "out_1 before the clear");
    });
}

TEST_F(LeldIntegration, a_signal_loaded_again_after_clear_continues_from_its_kept_phase) {
    run([&] {
        const Loaded loaded = load("sine_440");
        record(0.2);
        call(OscOut("/lel/clear"));
        record(0.1);
        const std::size_t silent_from = capture().frames_approx();
        load("sine_440");
        record(0.2);

        const Take take = capture().take(loaded.sent_at, everything);
        const auto last = last_nonzero(part(take.left, 0, silent_from - loaded.sent_at));
        ASSERT_TRUE(last && *last >= 2);
        const auto again = first_nonzero(part(take.left, silent_from - loaded.sent_at));
        ASSERT_TRUE(again) << "no sound after loading again";
        const std::size_t resume = silent_from - loaded.sent_at + *again;
        // The sine's next sample after the last one heard: x[n+1] = 2cos(w)x[n] - x[n-1].
        const double w = 2.0 * M_PI * 440.0 / sr;
        const double expected = 2.0 * std::cos(w) * take.left[*last] - take.left[*last - 1];
        EXPECT_NEAR(take.left[resume], expected, 1e-5) << "state was not kept across /lel/clear";
        expect_one_uninterrupted_sine(part(take.left, resume), 440.0, "out_1 after loading again");
    });
}

TEST_F(LeldIntegration, remove_stops_exactly_the_named_signal) {
    run([&] {
        load("two_tones");
        EXPECT_EQ(status_int("signals"), 2);
        record(0.2);
        Take take = capture().take(capture().frames_approx() - frames(0.15), everything);
        EXPECT_NEAR(tone_amplitude(take.left, sr, 220.0), 0.3, 0.01);
        EXPECT_NEAR(tone_amplitude(take.left, sr, 880.0), 0.3, 0.01);

        const OscReply r = call(OscOut("/lel/remove").s("high"));
        EXPECT_EQ(r.path, "/lel/done") << r.describe();
        EXPECT_EQ(r.string_at(0), "/lel/remove");
        EXPECT_EQ(r.string_at(1), "high");
        EXPECT_EQ(r.integer_at(2), 1) << r.describe();
        EXPECT_TRUE(r.integer_at(3)) << r.describe();
        EXPECT_EQ(status_int("signals"), 1);
        const std::size_t removed_at = capture().frames_approx();
        record(0.5);

        take = capture().take(removed_at + frames(0.05), everything);
        for (const auto* channel : {&take.left, &take.right}) {
            SCOPED_TRACE(channel == &take.left ? "out_1" : "out_2");
            EXPECT_NEAR(tone_amplitude(*channel, sr, 220.0), 0.3, 0.01) << "\"low\" should still play";
            EXPECT_LT(tone_amplitude(*channel, sr, 880.0), 0.001) << "\"high\" should be gone";
            EXPECT_NEAR(zero_crossing_frequency(*channel, sr), 220.0, 1.0);
            EXPECT_FALSE(sine_break(*channel, sr, 220.0)) << "\"low\" is not a clean sine any more";
        }

        const OscReply again = call(OscOut("/lel/remove").s("high"));
        EXPECT_EQ(again.path, "/lel/done") << again.describe();
        EXPECT_EQ(again.integer_at(2), 0) << "a name that is not there is not removed: " << again.describe();
        EXPECT_EQ(status_int("signals"), 1);
    });
}

TEST_F(LeldIntegration, reset_removes_every_signal_and_wipes_their_state) {
    run([&] {
        load("sine_440");
        record(0.2);
        const OscReply r = call(OscOut("/lel/reset"));
        EXPECT_EQ(r.path, "/lel/done") << r.describe();
        EXPECT_EQ(r.string_at(0), "/lel/reset") << r.describe();
        EXPECT_EQ(status_int("signals"), 0);
        record(0.1);
        const std::size_t after_reset = capture().frames_approx();
        record(0.1);
        EXPECT_EQ(peak(capture().take(after_reset, everything).left), 0.0) << "sound after /lel/reset";

        const Loaded loaded = load("sine_440");
        EXPECT_EQ(status_int("signals"), 1);
        record(0.2);
        const Take take = capture().take(loaded.sent_at, everything);
        const auto start = first_nonzero(take.left);
        ASSERT_TRUE(start) << "no sound after loading again";
        ASSERT_GE(*start, 1u);
        ASSERT_GE(take.size(), *start + 64);
        // Phase 0 again: the first sample is sin of one step, and so on.
        for (std::size_t k = 0; k < 64; ++k) {
            const double expected = 0.5 * std::sin(2.0 * M_PI * 440.0 * static_cast<double>(k + 1) / sr);
            ASSERT_NEAR(take.left[*start + k], expected, 1e-5)
                << "sample " << k << " after the load: state was not wiped";
        }
        expect_one_uninterrupted_sine(take.left, 440.0, "out_1");
    });
}

TEST_F(LeldIntegration, status_answers_with_every_documented_key) {
    run([&] {
        OscReply r = status();
        ASSERT_EQ(r.args.size() % 2, 0u) << r.describe();
        for (std::size_t i = 0; i < r.args.size(); i += 2) {
            EXPECT_TRUE(r.string_at(i)) << "argument " << i << " should be a key: " << r.describe();
            if (r.string_at(i) == std::optional<std::string>("jack")) {
                EXPECT_TRUE(r.string_at(i + 1)) << "jack is connected or waiting: " << r.describe();
                continue;
            }
            EXPECT_TRUE(r.number_at(i + 1)) << "argument " << i + 1 << " should be a number: " << r.describe();
        }
        for (const char* key :
             {"signals", "sample_rate", "period", "ring_frames", "underruns", "xruns", "jack", "reconnects", "loads",
              "frame"}) {
            EXPECT_TRUE(r.value_of(key)) << "no key '" << key << "' in " << r.describe();
        }
        EXPECT_EQ(status_int("signals"), 0);
        EXPECT_EQ(status_int("sample_rate"), 48000);
        EXPECT_EQ(status_int("period"), JackServer::period);
        EXPECT_GE(status_int("ring_frames"), JackServer::period);
        EXPECT_EQ(status_int("loads"), 0);
        const int64_t frame = status_int("frame");

        load("sine_440");
        record(0.05);
        EXPECT_EQ(status_int("signals"), 1);
        EXPECT_EQ(status_int("loads"), 1);
        EXPECT_GT(status_int("frame"), frame);
    });
}

TEST_F(LeldIntegration, quit_answers_done_and_the_daemon_exits_cleanly) {
    run([&] {
        const OscReply r = call(OscOut("/lel/quit"));
        EXPECT_EQ(r.path, "/lel/done") << r.describe();
        EXPECT_EQ(r.string_at(0), "/lel/quit");
        const auto status = leld_->process().wait_for(3000ms);
        ASSERT_TRUE(status) << "leld still runs 3 s after /lel/quit";
        EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describe_wait_status(*status);
    });
}

// ------------------------------------------------------------------- fades

/// A frame of the recording, as pop_ratio() (../pop_ratio.hpp) takes it.
struct StereoFrame {
    float left, right;
};

class LeldFades : public LeldIntegration {
protected:
    /// leld with its default fade; loads two_tones, sends `request` and
    /// returns the pop ratio around the frame its /lel/done reports
    /// (argument `frame_arg`). `gone`: what must be silent after the fade.
    void expect_no_pop(const OscOut& request, std::size_t frame_arg, double gone_hz, const char* what) {
        leld_args_ = {};
        run([&] {
            const OscReply st = status();
            const auto fade_ms = st.value_of("fade_ms");
            ASSERT_TRUE(fade_ms && std::holds_alternative<double>(*fade_ms)) << st.describe();
            EXPECT_EQ(std::get<double>(*fade_ms), 5.0) << "leld's default fade";
            const auto settle = static_cast<std::size_t>(std::lround(std::get<double>(*fade_ms) * sr / 1000.0));

            const Loaded first = load("two_tones");
            record(0.3);
            const OscReply r = call(request);
            ASSERT_EQ(r.path, "/lel/done") << r.describe();
            const auto frame = r.integer_at(frame_arg);
            ASSERT_TRUE(frame && *frame > first.frame) << r.describe();
            record(0.3);

            const Take take = capture().take(first.sent_at, everything);
            // Map engine frames to the capture through the first load (its
            // frame is the first sample with sound; the fade-in may make that
            // sample 0, which moves this by a sample or so: no matter here).
            const auto start = first_nonzero(take.left);
            ASSERT_TRUE(start) << "no sound after loading two_tones";
            const std::size_t swap = *start + static_cast<std::size_t>(*frame - first.frame);
            constexpr std::size_t margin = 256, steady = 4800;
            ASSERT_GE(swap, *start + settle + 2 * margin + steady) << "too little recorded before the swap";
            ASSERT_LE(swap + settle + 2 * margin + steady, take.size()) << "too little recorded after the swap";

            std::vector<StereoFrame> v(take.size());
            for (std::size_t n = 0; n < v.size(); ++n) v[n] = {take.left[n], take.right[n]};
            const PopRatio p = pop_ratio(v, swap, settle, margin, steady);
            std::cout << "pop ratio of " << what << " with a " << settle << "-frame fade: " << p.around_swap << " / "
                      << p.steady << " = " << p.ratio() << "\n";
            EXPECT_LE(p.ratio(), 1.1) << "a pop at " << what << ": largest jump " << p.around_swap
                                      << " around the swap, " << p.steady << " in steady play";

            // The change did happen, around the reported frame.
            const auto before = part(take.left, swap - 2 * margin - steady, swap - 2 * margin);
            const auto after = part(take.left, swap + settle + 2 * margin, swap + settle + 2 * margin + steady);
            EXPECT_NEAR(tone_amplitude(before, sr, gone_hz), 0.3, 0.01);
            EXPECT_LT(tone_amplitude(after, sr, gone_hz), 0.001) << gone_hz << " Hz is not gone after the fade";
        });
    }
};

TEST_F(LeldFades, removing_a_signal_fades_it_out_without_a_pop) {
    expect_no_pop(OscOut("/lel/remove").s("high"), 3, 880.0, "/lel/remove \"high\"");
}

TEST_F(LeldFades, clear_fades_everything_out_without_a_pop) {
    expect_no_pop(OscOut("/lel/clear"), 1, 220.0, "/lel/clear");
}

// ------------------------------------------------------------ bad requests

/// One request leld must refuse with /lel/fail while the sound goes on.
struct BadRequest {
    struct Packet {
        std::vector<char> bytes;
        std::string command;                ///< the /lel/fail's first argument
        std::vector<std::string> mentions;  ///< what its message must mention
    };
    std::string name;
    std::function<Packet(const fs::path& temp)> make;
};

void PrintTo(const BadRequest& request, std::ostream* out) {
    *out << request.name;
}

BadRequest::Packet load_of(const fs::path& path, std::vector<std::string> mentions) {
    return {OscOut("/lel/load").s(path.string()).bytes(), "/lel/load", std::move(mentions)};
}

void write_file(const fs::path& path, std::string_view content) {
    std::ofstream(path, std::ios::binary) << content;
}

std::vector<BadRequest> bad_requests() {
    return {
        {"a_missing_file", [](const fs::path& t) { return load_of(t / "missing.so", {(t / "missing.so").string()}); }},
        {"a_directory", [](const fs::path& t) { return load_of(t, {t.string()}); }},
        {"a_text_file_that_is_not_a_shared_object",
         [](const fs::path& t) {
             write_file(t / "notes.so", "these are not the bytes you are looking for\n");
             return load_of(t / "notes.so", {(t / "notes.so").string()});
         }},
        {"a_truncated_shared_object",
         [](const fs::path& t) {
             std::ifstream in(module_path("sine_440"), std::ios::binary);
             std::string head(256, '\0');
             in.read(head.data(), static_cast<std::streamsize>(head.size()));
             write_file(t / "truncated.so", head);
             return load_of(t / "truncated.so", {(t / "truncated.so").string()});
         }},
        {"a_shared_object_that_is_not_a_lel_module",
         [](const fs::path&) { return load_of(module_path("not_lel"), {module_path("not_lel").string()}); }},
        {"a_module_without_an_entry_function",
         [](const fs::path&) { return load_of(module_path("no_entry"), {"lel_module_entry"}); }},
        {"a_module_built_for_another_abi_version",
         [](const fs::path&) {
             return load_of(module_path("wrong_abi"), {"999", std::to_string(lel::abi_version)});
         }},
        {"a_relative_path", [](const fs::path&) { return load_of("sine_440.so", {"sine_440.so"}); }},
        {"a_packet_of_random_bytes",
         [](const fs::path&) {
             std::vector<char> bytes(61);
             uint32_t x = 0x12345678;  // xorshift: the same bytes every run
             for (char& b : bytes) {
                 x ^= x << 13, x ^= x >> 17, x ^= x << 5;
                 b = static_cast<char>(x & 0xff);
             }
             bytes[0] = 'x';  // neither '/' nor '#': no address, no bundle
             return BadRequest::Packet{bytes, "malformed", {}};
         }},
        {"a_truncated_message",
         [](const fs::path&) {
             std::vector<char> bytes = OscOut("/lel/load").s(module_path("sine_440").string()).bytes();
             bytes.resize(bytes.size() - 8);
             return BadRequest::Packet{bytes, "malformed", {}};
         }},
        {"a_bundle_whose_element_overruns_it",
         [](const fs::path&) {
             std::vector<char> bytes = {
                 '#', 'b', 'u', 'n', 'd', 'l', 'e', '\0', 0,    0,
                 0,   0,   0,   0,   0,   1,   0,   0,    0x10, 0};  // element of 4096 bytes, none there
             const std::vector<char> ping = OscOut("/lel/ping").bytes();
             bytes.insert(bytes.end(), ping.begin(), ping.end());
             return BadRequest::Packet{bytes, "malformed", {}};
         }},
        {"an_unknown_address",
         [](const fs::path&) {
             return BadRequest::Packet{OscOut("/lel/frobnicate").i(1).bytes(), "/lel/frobnicate", {"/lel/frobnicate"}};
         }},
        {"a_load_with_an_int_argument",
         [](const fs::path&) {
             return BadRequest::Packet{OscOut("/lel/load").i(42).bytes(), "/lel/load", {}};
         }},
    };
}

class LeldRefuses : public LeldIntegration, public ::testing::WithParamInterface<BadRequest> {};

TEST_P(LeldRefuses, with_fail_while_the_sound_goes_on) {
    run([&] {
        const Loaded loaded = load("sine_440");
        record(0.2);
        const int64_t loads = status_int("loads");
        const BadRequest::Packet packet = GetParam().make(dir_.path());

        const auto reply = osc().call_raw(packet.bytes);
        ASSERT_TRUE(reply) << "no answer";
        EXPECT_EQ(reply->path, "/lel/fail") << reply->describe();
        EXPECT_EQ(reply->string_at(0), packet.command) << reply->describe();
        const auto message = reply->string_at(1);
        EXPECT_TRUE(message) << "no message: " << reply->describe();
        for (const std::string& m : packet.mentions) {
            EXPECT_TRUE(mentions(message.value_or(""), m))
                << "the message should mention '" << m << "': " << reply->describe();
        }
        EXPECT_FALSE(osc().wait_reply(100ms)) << "a second answer to one request";
        EXPECT_TRUE(osc().ping()) << "leld stopped answering";
        EXPECT_EQ(status_int("signals"), 1);
        EXPECT_EQ(status_int("loads"), loads);
        record(0.4);

        const Take take = capture().take(loaded.sent_at, everything);
        expect_one_uninterrupted_sine(take.left, 440.0, "out_1");
        expect_one_uninterrupted_sine(take.right, 440.0, "out_2");
    });
}

INSTANTIATE_TEST_SUITE_P(BadRequests, LeldRefuses, ::testing::ValuesIn(bad_requests()),
                         [](const ::testing::TestParamInfo<BadRequest>& info) { return info.param.name; });

// --------------------------------------------------------- without JACK

TEST(LeldWithoutJack, exits_non_zero_quickly_and_says_that_no_jack_server_is_running) {
    const TempDir dir;
    const auto started = Clock::now();
    Process leld({path_from_env("LEL_TEST_LELD").string(), "--no-connect", "--port", std::to_string(free_udp_port()),
                  "--name", unique_name("lel")},
                 environment_with({{"JACK_DEFAULT_SERVER", unique_name("lel-test-absent")}}), dir.path() / "leld.log");
    const auto status = leld.wait_for(5000ms);
    ASSERT_TRUE(status) << "leld still runs 5 s after starting without a JACK server:\n" << leld.log_tail();
    EXPECT_LT(Clock::now() - started, 3s);
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) != 0) << describe_wait_status(*status);
    std::ifstream in(leld.log());
    const std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(output.find("no JACK server is running"), std::string::npos) << leld.log_tail();
}

}  // namespace
}  // namespace lel::test
