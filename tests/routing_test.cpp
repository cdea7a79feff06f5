// Routing through the engine (issue 9): lel::listen hears another signal on
// the same frame whatever the registration order, a send stays out of the
// main mix, a cycle costs one block, a source that stops, is removed or is
// reloaded never clicks its listeners, buses run out with a clear error, and
// lel::input hands the input to signals frame for frame. Sessions are
// compiled into the test and rendered into plain buffers; no JACK.
#include "engine.hpp"
#include "load_options.hpp"
#include "pop_ratio.hpp"

#include <lel/lel.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

using namespace lel;
using namespace std::chrono_literals;
using lel::test::pop_ratio;

namespace {

constexpr uint32_t block = 64;
constexpr std::size_t fade = 240;  // 5 ms at 48 kHz

EngineConfig config() {
    EngineConfig c;
    c.max_block = block;
    c.state_doubles = 1 << 18;
    c.max_names = 1024;
    c.fade_ms = 5.0;
    return c;
}

struct Rig {
    Engine engine{config()};
    std::vector<StereoFrame> out;

    void play(std::size_t frames, std::span<const StereoFrame> in = {}) {
        const std::size_t at = out.size();
        out.resize(at + frames);
        engine.renderer().render(std::span<StereoFrame>(out.data() + at, frames), in);
        engine.collect();
    }
    // Applies a command and returns the frame it took effect at.
    std::size_t swap(const CommandResult& r) {
        EXPECT_TRUE(r) << r.message;
        play(block);
        const auto frame = engine.wait_swapped(r.program_id, 0ms);
        EXPECT_TRUE(frame);
        return frame ? static_cast<std::size_t>(*frame) : 0;
    }
    std::size_t load(lel_entry_fn session, LoadOptions options = {}) {
        return swap(engine.run_session(session, nullptr, "test", options));
    }
};

// A ramp that never repeats within a test: any delay or gap shows.
double ramp(const Context& s) { return 1e-5 * static_cast<double>(s.frame % 50000); }

template <int Hz>
double tone(Context& s) {
    return 0.3 * lel::sine(s, Hz);
}

// "fx" plays twice what it hears of "src"; "src" is a send. fx is added
// first: leld must still render src before it.
void doubler_then_send(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("fx", [](Context& c) { return 2.0 * lel::listen(c, "src").left; });
        s.add("src", ramp, {.main = false});
    });
}

TEST(Routing, a_listener_hears_its_source_on_the_same_frame_whatever_the_registration_order) {
    Rig rig;
    const std::size_t at = rig.load(doubler_then_send);
    rig.play(1000);
    for (std::size_t i = at + fade + 1; i < rig.out.size(); ++i) {  // once both have faded in
        const double src = 1e-5 * static_cast<double>(i % 50000);
        ASSERT_NEAR(rig.out[i].left, 2.0 * src, 1e-6) << "frame " << i << ": only fx, at twice src, same frame";
        ASSERT_NEAR(rig.out[i].right, 2.0 * src, 1e-6) << "a mono source is heard on both sides";
    }
}

void send_alone(const lel_host* h) {
    detail::run_session(h, [](Session& s) { s.add("src", tone<440>, {.main = false}); });
}

TEST(Routing, a_send_that_nobody_listens_to_is_silent_and_a_main_source_is_heard_once) {
    Rig rig;
    rig.load(send_alone);
    rig.play(2000);
    for (std::size_t i = 0; i < rig.out.size(); ++i) ASSERT_EQ(rig.out[i].left, 0.0f) << i;

    // A source on the main mix and a listener at -1: they cancel exactly
    // when the source is mixed once, in the same frame.
    Rig both;
    const std::size_t at = both.load([](const lel_host* h) {
        detail::run_session(h, [](Session& s) {
            s.add("src", tone<440>);
            s.add("minus", [](Context& c) { return -lel::listen(c, "src").left; });
        });
    });
    both.play(2000);
    for (std::size_t i = at + fade; i < both.out.size(); ++i) ASSERT_NEAR(both.out[i].left, 0.0, 1e-6) << i;
}

void stereo_pair(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("src", [](Context& c) { return Frame{ramp(c), -ramp(c)}; }, {.main = false});
        s.add("swap", [](Context& c) {
            const Frame f = lel::listen(c, "src");
            return Frame{f.right, f.left};
        });
    });
}

TEST(Routing, a_stereo_source_is_heard_in_stereo) {
    Rig rig;
    const std::size_t at = rig.load(stereo_pair);
    rig.play(500);
    for (std::size_t i = at + fade + 1; i < rig.out.size(); ++i) {
        const double src = 1e-5 * static_cast<double>(i % 50000);
        ASSERT_NEAR(rig.out[i].left, -src, 1e-6) << i;
        ASSERT_NEAR(rig.out[i].right, src, 1e-6) << i;
    }
}

void listener_only(const lel_host* h) {
    detail::run_session(h, [](Session& s) { s.add("fx", [](Context& c) { return lel::listen(c, "later").left; }); });
}
void add_later(const lel_host* h) {
    detail::run_session(h, [](Session& s) { s.add("later", tone<440>, {.main = false}); });
}

TEST(Routing, a_name_that_does_not_play_reads_silence_until_it_plays_and_then_fades_in) {
    Rig rig;
    rig.load(listener_only);
    rig.play(2000);
    for (const StereoFrame& f : rig.out) ASSERT_EQ(f.left, 0.0f);
    const std::size_t at = rig.load(add_later);
    rig.play(4000);
    double peak = 0.0;
    for (std::size_t i = at + fade; i < rig.out.size(); ++i) peak = std::max(peak, std::fabs(double(rig.out[i].left)));
    EXPECT_NEAR(peak, 0.3, 0.01) << "the listener hears the new source";
    const auto p = pop_ratio(rig.out, at, fade);
    EXPECT_LE(p.ratio(), 1.1) << "jump " << p.around_swap << " vs steady " << p.steady;
}

// a listens to b and b to a, each at half gain; b also has an impulse.
std::vector<double> heard_by_a, heard_by_b;
void cycle(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("a", [](Context& c) {
            const double x = 0.5 * lel::listen(c, "b").left;
            heard_by_a[c.frame] = x;
            return x;
        }, {.main = false});
        s.add("b", [](Context& c) {
            const double x = (c.frame == 1000 ? 0.5 : 0.0) + 0.5 * lel::listen(c, "a").left;
            heard_by_b[c.frame] = x;
            return x;
        }, {.main = false});
    });
}

TEST(Routing, a_cycle_plays_with_one_block_of_delay_where_it_closes) {
    heard_by_a.assign(4000, 0.0);
    heard_by_b.assign(4000, 0.0);
    Rig rig;
    rig.load(cycle);
    rig.play(3000);
    // a was registered first: it hears b on the same frame; b hears a one
    // block late, and the echo decays by 1/4 per round.
    EXPECT_DOUBLE_EQ(heard_by_b[1000], 0.5);
    EXPECT_DOUBLE_EQ(heard_by_a[1000], 0.25) << "a hears b on the same frame";
    EXPECT_DOUBLE_EQ(heard_by_b[1000 + block], 0.125) << "b hears a one block late";
    EXPECT_DOUBLE_EQ(heard_by_a[1000 + block], 0.0625);
    EXPECT_DOUBLE_EQ(heard_by_b[1000 + 1], 0.0);
    EXPECT_EQ(rig.engine.muted(), 0u);
}

void tone_and_listener(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("src", tone<440>, {.main = false});
        s.add("fx", [](Context& c) { return lel::listen(c, "src").left; });
    });
}
void tone_alone(const lel_host* h) { detail::run_session(h, [](Session& s) { s.add("src", tone<440>); }); }
void tone_660(const lel_host* h) {
    detail::run_session(h, [](Session& s) { s.add("src", tone<660>, {.main = false}); });
}
void tone_660_alone(const lel_host* h) { detail::run_session(h, [](Session& s) { s.add("src", tone<660>); }); }

// The same changes, once to a source on the main mix and once to a send
// heard through a listener: the listener must play what the source would.
void expect_same_sound(const Rig& direct, const Rig& routed) {
    ASSERT_EQ(direct.out.size(), routed.out.size());
    for (std::size_t i = 0; i < direct.out.size(); ++i) {
        // Both fade in from silence at the first load (the listener's own
        // fade-in, on top): compare once both are at full level.
        if (i < 2 * fade) continue;
        ASSERT_NEAR(routed.out[i].left, direct.out[i].left, 1e-6) << "frame " << i;
    }
}

TEST(Routing, removing_a_source_fades_it_out_in_its_listeners_as_it_would_on_the_main_mix) {
    Rig direct, routed;
    direct.load(tone_alone);
    routed.load(tone_and_listener);
    direct.play(9600);
    routed.play(9600);
    direct.swap(direct.engine.remove("src"));
    const std::size_t at = routed.swap(routed.engine.remove("src"));
    direct.play(9600);
    routed.play(9600);
    expect_same_sound(direct, routed);
    const auto p = pop_ratio(routed.out, at, fade);
    EXPECT_LE(p.ratio(), 1.1) << "jump " << p.around_swap << " vs steady " << p.steady;
    for (std::size_t i = at + fade + 1; i < routed.out.size(); ++i) ASSERT_EQ(routed.out[i].left, 0.0f) << i;
}

TEST(Routing, reloading_a_source_with_a_crossfade_crossfades_in_its_listeners_as_it_would_on_the_main_mix) {
    Rig direct, routed;
    direct.load(tone_alone);
    routed.load(tone_and_listener);
    direct.play(9600);
    routed.play(9600);
    direct.load(tone_660_alone, lel::test::crossfading());
    routed.load(tone_660, lel::test::crossfading());
    direct.play(9600);
    routed.play(9600);
    expect_same_sound(direct, routed);
}

TEST(Routing, reloading_a_source_without_a_crossfade_goes_on_in_its_listeners_without_a_click) {
    Rig rig;
    rig.load(tone_and_listener);
    rig.play(9600);
    const std::size_t at = rig.load(tone_660);  // the sine's phase carries over: no crossfade needed
    rig.play(9600);
    const auto p = pop_ratio(rig.out, at, 0);
    // The steady stretches hold 440 and 660 Hz; the swap joins them.
    EXPECT_LE(p.ratio(), 1.1) << "jump " << p.around_swap << " vs steady " << p.steady;
}

TEST(Routing, a_load_that_needs_more_buses_than_there_are_fails_and_changes_nothing) {
    Rig rig;
    rig.load(tone_and_listener);
    rig.play(1000);
    const CommandResult r = rig.engine.run_session([](const lel_host* h) {
        detail::run_session(h, [](Session& s) {
            for (uint32_t i = 0; i <= Renderer::max_buses; ++i) s.add("send" + std::to_string(i), tone<220>, {.main = false});
        });
    }, nullptr, "too many sends");
    ASSERT_FALSE(r);
    EXPECT_NE(r.message.find("buses"), std::string::npos) << r.message;
    EXPECT_EQ(rig.engine.signals(), 2u);
    rig.play(1000);
    EXPECT_GT(std::fabs(rig.out.back().left) + std::fabs(rig.out[rig.out.size() - 20].left), 0.0f) << "still playing";
    // /lel/reset frees them.
    rig.swap(rig.engine.reset());
    EXPECT_TRUE(rig.engine.run_session([](const lel_host* h) {
        detail::run_session(h, [](Session& s) {
            for (uint32_t i = 0; i < Renderer::max_buses; ++i) s.add("send" + std::to_string(i), tone<220>, {.main = false});
        });
    }, nullptr, "as many sends as buses"));
}

TEST(Routing, a_send_stays_out_of_the_main_mix_while_a_reset_fades_it_out) {
    Rig rig;
    rig.load(send_alone);
    rig.play(2000);
    rig.swap(rig.engine.reset());
    rig.play(2000);
    for (std::size_t i = 0; i < rig.out.size(); ++i) ASSERT_EQ(rig.out[i].left, 0.0f) << i;
}

TEST(Routing, a_signal_that_becomes_a_send_fades_out_of_the_main_mix_and_back_in_when_it_returns) {
    Rig rig;
    rig.load(tone_alone);
    rig.play(9600);
    const std::size_t out_at = rig.load(send_alone);  // the same tone, now a send
    rig.play(9600);
    auto p = pop_ratio(rig.out, out_at, fade);
    EXPECT_LE(p.ratio(), 1.1) << "jump " << p.around_swap << " vs steady " << p.steady;
    for (std::size_t i = out_at + fade + block; i < rig.out.size(); ++i) ASSERT_EQ(rig.out[i].left, 0.0f) << i;
    const std::size_t in_at = rig.load(tone_alone);
    rig.play(9600);
    p = pop_ratio(rig.out, in_at, fade);
    EXPECT_LE(p.ratio(), 1.1) << "jump " << p.around_swap << " vs steady " << p.steady;
    double peak = 0.0;
    for (std::size_t i = in_at + fade + block; i < rig.out.size(); ++i) peak = std::max(peak, std::fabs(double(rig.out[i].left)));
    EXPECT_NEAR(peak, 0.3, 0.01) << "back on the main mix at full level";
}

void through(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("thru", [](Context& c) { return lel::input(c) * 0.5; });
    });
}

TEST(Routing, the_input_reaches_signals_frame_for_frame_and_is_silence_without_one) {
    Rig rig;
    rig.load(through);
    rig.play(1000);  // no input: silence
    for (const StereoFrame& f : rig.out) ASSERT_EQ(f.left, 0.0f);
    std::vector<StereoFrame> in(1000);
    for (std::size_t i = 0; i < in.size(); ++i) in[i] = StereoFrame{0.001f * (i % 500), -0.001f * (i % 300)};
    const std::size_t at = rig.out.size();
    rig.play(in.size(), in);
    for (std::size_t i = 0; i < in.size(); ++i) {
        ASSERT_FLOAT_EQ(rig.out[at + i].left, 0.5f * in[i].left) << i;
        ASSERT_FLOAT_EQ(rig.out[at + i].right, 0.5f * in[i].right) << i;
    }
}

void conditional_listen(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("src", tone<440>, {.main = false});
        s.add("fx", [](Context& c) { return c.frame % 2 ? lel::listen(c, "src").left : 0.0; });
    });
}

TEST(Routing, a_listen_called_on_some_samples_only_is_muted_like_any_helper_out_of_order) {
    Rig rig;
    rig.load(conditional_listen);
    rig.play(1000);
    EXPECT_EQ(rig.engine.muted(), 1u);
}

}  // namespace
