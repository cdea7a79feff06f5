// The standard library's state model through a real leld (issue 9): a voice
// of helpers (saw -> low-pass -> ADSR -> feedback delay, tests/modules/
// voice.cpp) reloaded 20 times with a changed cutoff keeps every helper's
// state without a click; reloads that swap two helpers or put a delay where
// the filter was never feed one helper another's state (no NaN, no blow-up,
// no click); a keyed helper moved in the code keeps its state. leld runs
// with its default 5 ms fades; the capture records its ports.
#include "analysis.hpp"
#include "live.hpp"

#include "../pop_ratio.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace lel::test {
namespace {

constexpr double sr = JackServer::sample_rate;
constexpr std::size_t fade_frames = 240;  // leld's default 5 ms
constexpr double max_pop_ratio = 1.1;

struct StereoSample {
    float left, right;
};

class StdlibReload : public LiveLeld {
protected:
    StdlibReload() { leld_args_ = {}; }  // default fades: a change of helpers crossfades

    /// Loads test module `name`: the engine frame it took effect at.
    int64_t load(std::string_view name) { return load_frame(osc(), module_path(name).string()); }
    /// Loads test module `name` on the first frame of a note (the notes
    /// start every 0.25 s from frame 0): the change falls on the attack,
    /// the loudest moment of the voice, never in the silence between notes.
    int64_t load_on_a_note(std::string_view name) {
        return load_frame(osc(), module_path(name).string(), static_cast<int32_t>(0.25 * sr));
    }

    /// The recording from the first load on, as frames, and the engine
    /// frame of its first sample (the first load's frame: the voice's first
    /// sample is not 0, so the first nonzero one is it, as in leld_test.cpp).
    std::vector<StereoSample> recording_since(std::size_t sent_at, int64_t first_frame, int64_t& origin) {
        const Take take = capture().take(sent_at, capture().frames_approx());
        const auto start = first_nonzero(take.left);
        if (!start) throw HarnessError("nothing was heard after the first load");
        origin = first_frame - static_cast<int64_t>(*start);
        std::vector<StereoSample> v(take.size());
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = {take.left[i], take.right[i]};
        return v;
    }

    static void expect_finite_and_bounded(const std::vector<StereoSample>& v) {
        for (std::size_t i = 0; i < v.size(); ++i) {
            ASSERT_TRUE(std::isfinite(v[i].left) && std::isfinite(v[i].right)) << "at " << i;
            ASSERT_LE(std::fabs(v[i].left), 1.0f) << "at " << i;
        }
    }
};

double rms_of(const std::vector<StereoSample>& v, std::size_t from, std::size_t to) {
    double sum = 0.0;
    to = std::min(to, v.size());
    for (std::size_t i = from; i < to; ++i) sum += double(v[i].left) * v[i].left;
    return to > from ? std::sqrt(sum / double(to - from)) : 0.0;
}

TEST_F(StdlibReload, a_voice_reloaded_20_times_with_a_changed_cutoff_keeps_its_state_and_its_echoes_without_a_click) {
    run([&] {
        const std::size_t sent_at = capture().frames_approx();
        const int64_t first = load("voice_a");
        std::vector<int64_t> swaps;
        for (int i = 0; i < 20; ++i) {
            record(0.3);
            swaps.push_back(load(i % 2 == 0 ? "voice_b" : "voice_a"));
        }
        record(0.5);
        int64_t origin = 0;
        const auto v = recording_since(sent_at, first, origin);
        expect_finite_and_bounded(v);
        EXPECT_EQ(status_int("muted"), 0);
        // Notes play for 3 s after the first load; after that, what plays is
        // the delay's echoes of them, which a reset delay line would silence.
        const auto notes_end = static_cast<std::size_t>(3.2 * sr);
        const auto echo = static_cast<std::size_t>(0.25 * sr);
        double worst = 0.0;
        for (const int64_t swap : swaps) {
            const auto at = static_cast<std::size_t>(swap - origin);
            ASSERT_LT(at + echo, v.size());
            // The window opens 8 frames before the swap (the capture is
            // aligned to the frame, give or take the first sample): before
            // it the old program plays untouched, and while the echoes
            // build up its note can be louder than the one before it.
            worst = std::max(worst, pop_ratio(v, at, fade_frames, 256, 12000, 8).ratio());
            if (at > notes_end) {
                EXPECT_GT(rms_of(v, at + fade_frames, at + echo), 1e-4)
                    << "the echoes stopped at the reload at frame " << swap << ": the delay line lost its state";
            }
        }
        std::cout << "worst pop ratio over 20 reloads of the voice: " << worst << "\n";
        EXPECT_LE(worst, max_pop_ratio);
    });
}

TEST_F(StdlibReload, reloads_that_swap_two_helpers_or_replace_the_filter_by_a_delay_stay_finite_bounded_and_click_free) {
    run([&] {
        const std::size_t sent_at = capture().frames_approx();
        const int64_t first = load("voice_a");
        record(0.8);
        const int64_t swapped = load_on_a_note("voice_swapped");
        record(0.8);
        const int64_t delayed = load_on_a_note("voice_delay_for_filter");
        record(0.8);
        int64_t origin = 0;
        const auto v = recording_since(sent_at, first, origin);
        expect_finite_and_bounded(v);
        EXPECT_EQ(status_int("muted"), 0);
        for (const int64_t swap : {swapped, delayed}) {
            const auto at = static_cast<std::size_t>(swap - origin);
            // Steady references of two whole note cycles (0.5 s) on each side:
            // the loudest onset of each sound, whatever the saw's phase there.
            const double ratio = pop_ratio(v, at, fade_frames, 256, 24000).ratio();
            std::cout << "pop ratio at the change of helpers at frame " << swap << ": " << ratio << "\n";
            EXPECT_LE(ratio, max_pop_ratio);
        }
        EXPECT_NE(leld_->log_tail(80).find("helper calls changed"), std::string::npos)
            << "the change of helpers is not in the load's log:\n" << leld_->log_tail(80);
    });
}

TEST_F(StdlibReload, a_keyed_helper_moved_in_the_code_keeps_its_state) {
    run([&] {
        const std::size_t sent_at = capture().frames_approx();
        const int64_t first = load("keyed_first");
        record(1.0);
        const int64_t moved = load("keyed_last");
        record(0.3);
        int64_t origin = 0;
        const auto v = recording_since(sent_at, first, origin);
        const auto at = static_cast<std::size_t>(moved - origin);
        // The ramp (0.5 * a 0.25 Hz phasor) rises 2.6e-6 per frame: just
        // before and just after the crossfade it is where it was, not back at 0.
        const double before = v[at - 1].left;
        const double after = v[at + fade_frames + 10].left;
        EXPECT_GT(before, 0.1);
        EXPECT_NEAR(after, before + (fade_frames + 11) * 0.5 * 0.25 / sr, 1e-3)
            << "the keyed phasor did not keep its phase when it moved";
    });
}

}  // namespace
}  // namespace lel::test
