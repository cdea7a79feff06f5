// The state model through the engine (issue 9): each helper call's block
// sized and laid out by the load-time probe, kept across reloads that keep
// the helper calls, carried (and crossfaded) when they change, followed by
// key when code moves, and a helper called out of order muted. Sessions are
// compiled into the test and rendered into plain buffers, as the producer
// would; no JACK.
#include "engine.hpp"

#include <lel/lel.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace lel;

namespace {

// Test helpers of two kinds, each with a persistent counter of its calls.
struct Count {
    static constexpr uint32_t kind = kind_id("test.count");
    double n;
};
struct Other {
    static constexpr uint32_t kind = kind_id("test.other");
    double n;
    double spare;
};
double count(Context& s) noexcept { return take<Count>(s).n += 1.0; }
double other(Context& s) noexcept { return take<Other>(s).n += 1.0; }

// What the signals' helpers return lands in these (read after each render);
// the swapped session writes new_a/new_b, so that its old code, still
// playing its crossfade tail, does not overwrite what the new code saw.
double last_a = 0.0, last_b = 0.0, new_a = 0.0, new_b = 0.0;

constexpr double quiet = 1e-6;  // what a signal plays: tiny, so the limiter never acts

std::vector<StereoFrame> render(Engine& e, std::size_t frames) {
    std::vector<StereoFrame> out(frames);
    e.renderer().render(out);
    e.collect();
    return out;
}

// Two counters; the session number only changes a constant, not the helpers.
template <int Version>
void two_counters(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("sig", [](Context& c) {
            last_a = count(c);
            last_b = other(c);
            return quiet * Version;
        });
    });
}

// The same two helpers, called in the other order.
void swapped(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("sig", [](Context& c) {
            new_b = other(c);
            new_a = count(c);
            return quiet;
        });
    });
}

// A keyed counter, first then last, around an unkeyed one of another kind.
void keyed_first(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("sig", [](Context& c) {
            last_a = count(key(c, "tempo"));
            last_b = other(c);
            return quiet;
        });
    });
}
void keyed_last(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("sig", [](Context& c) {
            last_b = other(c);
            last_a = count(key(c, "tempo"));
            return quiet;
        });
    });
}

// A helper called on odd frames only.
void conditional(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("sig", [](Context& c) {
            last_a = count(c);
            if (c.frame % 2 == 1) last_b = other(c);
            return quiet;
        });
    });
}

EngineConfig config() {
    EngineConfig c;
    c.fade_ms = 5.0;
    return c;
}

TEST(HelperStateThroughTheEngine, a_reload_that_keeps_the_helper_calls_keeps_every_helpers_state) {
    Engine e(config());
    ASSERT_TRUE(e.run_session(two_counters<1>, nullptr, "v1"));
    render(e, 1000);
    EXPECT_EQ(last_a, 1000.0);
    EXPECT_EQ(last_b, 1000.0);
    ASSERT_TRUE(e.run_session(two_counters<2>, nullptr, "v2"));
    render(e, 64);
    EXPECT_EQ(last_a, 1064.0) << "the first helper's state did not carry over";
    EXPECT_EQ(last_b, 1064.0);
    EXPECT_EQ(e.renderer().fading(), 0u) << "an unchanged layout needs no crossfade";
}

TEST(HelperStateThroughTheEngine, the_state_area_is_sized_by_the_probe_and_follows_the_raw_state) {
    Engine e(config());
    const std::size_t before = e.arena().used();
    ASSERT_TRUE(e.run_session(two_counters<1>, nullptr, "v1"));
    // 256 raw doubles, then Count (1 + 1) and Other (1 + 2).
    EXPECT_EQ(e.arena().used() - before, 256u + 2u + 3u);
}

TEST(HelperStateThroughTheEngine, swapping_two_helpers_of_different_kinds_never_hands_one_the_others_state) {
    Engine e(config());
    ASSERT_TRUE(e.run_session(two_counters<1>, nullptr, "v1"));
    render(e, 1000);
    ASSERT_TRUE(e.run_session(swapped, nullptr, "swapped"));
    const auto out = render(e, 64);
    // Both blocks changed kind at their place: both start afresh, and the
    // new code crossfades in from the old.
    EXPECT_EQ(new_a, 64.0);
    EXPECT_EQ(new_b, 64.0);
    EXPECT_GT(e.renderer().fading(), 0u) << "changed helper calls crossfade from the old code";
    for (const StereoFrame& f : out) {
        ASSERT_TRUE(std::isfinite(f.left));
        ASSERT_LE(std::fabs(f.left), 4 * quiet);
    }
    render(e, 1000);
    EXPECT_EQ(e.muted(), 0u);
}

TEST(HelperStateThroughTheEngine, a_keyed_helper_keeps_its_state_when_the_code_around_it_moves) {
    Engine e(config());
    ASSERT_TRUE(e.run_session(keyed_first, nullptr, "first"));
    render(e, 1000);
    ASSERT_TRUE(e.run_session(keyed_last, nullptr, "last"));
    render(e, 64);
    EXPECT_EQ(last_a, 1064.0) << "the keyed counter lost its state when it moved";
    EXPECT_EQ(last_b, 1064.0) << "the unkeyed one keeps its place among unkeyed blocks";
}

TEST(HelperStateThroughTheEngine, a_helper_called_on_some_samples_only_is_muted_not_fed_another_helpers_state) {
    Engine e(config());
    ASSERT_TRUE(e.run_session(conditional, nullptr, "conditional"));
    render(e, 64);
    EXPECT_EQ(e.muted(), 1u);
    // The small area ran from the block loop's copy: the block whose calls
    // went out of order is dropped whole, so the counter the code saw move
    // is still 0 in the name's state.
    const StateArena::Lease* lease = e.arena().find("sig");
    ASSERT_NE(lease, nullptr);
    EXPECT_GT(last_a, 1.0);
    EXPECT_EQ(lease->data()[default_state_size + 1], 0.0) << "the mismatched block's changes were kept";
    const double at_mute = last_a;
    render(e, 640);
    EXPECT_EQ(last_a, at_mute) << "still running after it was muted";
}

TEST(HelperStateThroughTheEngine, relaid_out_state_goes_back_to_the_arena_once_the_old_code_is_gone) {
    Engine e(config());
    ASSERT_TRUE(e.run_session(two_counters<1>, nullptr, "v1"));
    render(e, 64);
    const std::size_t used = e.arena().used();
    for (int i = 0; i < 100; ++i) {
        ASSERT_TRUE(e.run_session(i % 2 ? two_counters<1> : swapped, nullptr, "flip"));
        render(e, 512);  // past the fade: the old lease returns
    }
    EXPECT_EQ(e.arena().used(), used);
}

}  // namespace
