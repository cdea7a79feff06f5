// Named parameters through the engine (issue 10): lel::param's default
// until set, /lel/set's value reached by a linear ramp of the lag (the
// code's, or the set's), clamped into range, a trigger for exactly one
// sample, the set value kept across reloads (a crossfade's fresh state and
// moved code included) until reset, and every bad set refused with nothing
// changed. Sessions compiled into the test; no JACK.
#include "engine.hpp"
#include "load_options.hpp"

#include <lel/lel.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <vector>

using namespace lel;
using namespace std::chrono_literals;

namespace {

constexpr double sr = 48000.0;
std::vector<double> cutoff_seen, gate_seen;  // per frame

void record(const Context& s, double cutoff, double gate) {
    if (s.frame < cutoff_seen.size()) {
        cutoff_seen[s.frame] = cutoff;
        gate_seen[s.frame] = gate;
    }
}

template <int Version>
void voice(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("bass", [](Context& c) {
            const double cutoff = lel::param(c, "cutoff", 800.0, {.lag = 0.01, .min = 20.0, .max = 20000.0});
            const double gate = lel::param(c, "gate", 0.0);
            record(c, cutoff, gate);
            return 1e-6 * Version * (cutoff + gate);
        });
    });
}

// The same parameters, declared in the other order around another helper.
void voice_moved(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("bass", [](Context& c) {
            const double gate = lel::param(c, "gate", 0.0);
            (void)lel::phasor(c, 1.0);
            const double cutoff = lel::param(c, "cutoff", 800.0, {.lag = 0.01, .min = 20.0, .max = 20000.0});
            record(c, cutoff, gate);
            return 1e-6 * (cutoff + gate);
        });
    });
}

struct Rig {
    Engine engine{[] {
        EngineConfig c;
        c.max_block = 64;
        c.state_doubles = 1 << 16;
        c.max_names = 64;
        return c;
    }()};
    uint64_t frame = 0;

    Rig() {
        cutoff_seen.assign(48000, -1.0);
        gate_seen.assign(48000, -1.0);
    }
    void play(std::size_t frames) {
        std::vector<StereoFrame> out(frames);
        engine.renderer().render(out);
        engine.collect();
        frame += frames;
    }
    void load(lel_entry_fn session, LoadOptions options = {}) {
        const CommandResult r = engine.run_session(session, nullptr, "test", options);
        ASSERT_TRUE(r) << r.message;
        play(64);
        ASSERT_TRUE(engine.wait_swapped(r.program_id, 0ms));
    }
    CommandResult set(double cutoff, std::optional<double> lag = std::nullopt) {
        return engine.set_params("bass", {{"cutoff", cutoff}}, lag);
    }
};

TEST(Params, a_parameter_is_its_default_until_set_then_ramps_linearly_over_its_lag) {
    Rig rig;
    rig.load(voice<1>);
    rig.play(1000);
    EXPECT_EQ(cutoff_seen[rig.frame - 1], 800.0);
    const uint64_t at = rig.frame;  // the set applies at the next block's first frame
    ASSERT_TRUE(rig.set(1280.0));
    rig.play(2000);
    // 10 ms = 480 samples from 800 to 1280: one per sample.
    EXPECT_DOUBLE_EQ(cutoff_seen[at], 801.0);
    EXPECT_DOUBLE_EQ(cutoff_seen[at + 239], 1040.0);
    EXPECT_DOUBLE_EQ(cutoff_seen[at + 478], 1279.0);
    EXPECT_DOUBLE_EQ(cutoff_seen[at + 479], 1280.0) << "there on the 480th sample";
    EXPECT_DOUBLE_EQ(cutoff_seen[at + 1500], 1280.0);
}

TEST(Params, a_lag_given_with_the_set_replaces_the_codes_and_zero_jumps) {
    Rig rig;
    rig.load(voice<1>);
    rig.play(128);
    uint64_t at = rig.frame;
    ASSERT_TRUE(rig.set(3200.0, 0.05));  // 2400 samples
    rig.play(3000);
    EXPECT_DOUBLE_EQ(cutoff_seen[at + 1199], 2000.0);
    EXPECT_DOUBLE_EQ(cutoff_seen[at + 2399], 3200.0);
    at = rig.frame;
    ASSERT_TRUE(rig.set(100.0, 0.0));
    rig.play(64);
    EXPECT_DOUBLE_EQ(cutoff_seen[at], 100.0);
}

TEST(Params, a_value_out_of_range_is_clamped_and_the_answer_says_so) {
    Rig rig;
    rig.load(voice<1>);
    const CommandResult r = rig.set(99999.0, 0.0);
    ASSERT_TRUE(r);
    EXPECT_NE(r.message.find("cutoff 99999 clamped to 20000"), std::string::npos) << r.message;
    rig.play(128);
    EXPECT_EQ(cutoff_seen[rig.frame - 1], 20000.0);
    std::string why;
    EXPECT_EQ(rig.engine.param("bass", "cutoff", why)->value, 20000.0);
}

TEST(Params, bad_sets_are_refused_with_the_name_and_change_nothing) {
    Rig rig;
    rig.load(voice<1>);
    ASSERT_TRUE(rig.set(1000.0, 0.0));
    rig.play(128);
    CommandResult r = rig.engine.set_params("lead", {{"cutoff", 1.0}});
    EXPECT_FALSE(r);
    EXPECT_NE(r.message.find("no signal named 'lead'"), std::string::npos) << r.message;
    r = rig.engine.set_params("bass", {{"cutoff", 500.0}, {"resonance", 1.0}});
    EXPECT_FALSE(r);
    EXPECT_NE(r.message.find("no parameter 'resonance'"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("cutoff, gate"), std::string::npos) << "it lists what there is: " << r.message;
    r = rig.engine.set_params("bass", {{"cutoff", NAN}});
    EXPECT_FALSE(r);
    r = rig.engine.set_params("bass", {{"cutoff", INFINITY}});
    EXPECT_FALSE(r);
    r = rig.engine.set_params("bass", {{"cutoff", 500.0}}, -1.0);
    EXPECT_FALSE(r) << "a negative lag";
    rig.play(2000);
    EXPECT_EQ(cutoff_seen[rig.frame - 1], 1000.0) << "no refused set changed anything, not even its good half";
    std::string why;
    EXPECT_FALSE(rig.engine.param("bass", "nope", why));
    EXPECT_NE(why.find("no parameter 'nope'"), std::string::npos);
}

TEST(Params, a_trigger_lasts_exactly_one_sample) {
    Rig rig;
    rig.load(voice<1>);
    rig.play(1000);
    const uint64_t at = rig.frame;
    ASSERT_TRUE(rig.engine.set_params("bass", {{"gate", 1.0}}, std::nullopt, true));
    rig.play(1000);
    int ones = 0;
    for (uint64_t f = at - 500; f < rig.frame; ++f) ones += gate_seen[f] == 1.0;
    EXPECT_EQ(ones, 1);
    EXPECT_EQ(gate_seen[at], 1.0) << "on the first frame of the next block";
    std::string why;
    EXPECT_EQ(rig.engine.param("bass", "gate", why)->value, 0.0) << "a trigger sets nothing";
}

TEST(Params, a_set_value_is_kept_across_reloads_crossfades_and_moved_code_until_reset) {
    Rig rig;
    rig.load(voice<1>);
    ASSERT_TRUE(rig.set(1500.0, 0.0));
    rig.play(128);
    rig.load(voice<2>);  // same helpers: same state
    rig.play(128);
    EXPECT_EQ(cutoff_seen[rig.frame - 1], 1500.0);
    rig.load(voice<1>, lel::test::crossfading());  // fresh state for the new code
    rig.play(512);
    EXPECT_EQ(cutoff_seen[rig.frame - 1], 1500.0) << "a crossfade's fresh state starts with the set value";
    rig.load(voice_moved);  // the helpers changed: carried by key
    rig.play(512);
    EXPECT_EQ(cutoff_seen[rig.frame - 1], 1500.0) << "the parameter follows its name, not its place";
    rig.engine.reset();
    rig.play(512);
    rig.load(voice<1>);
    rig.play(128);
    EXPECT_EQ(cutoff_seen[rig.frame - 1], 800.0) << "after reset the code's default applies again";
    std::string why;
    EXPECT_FALSE(rig.engine.param("bass", "cutoff", why)->set);
}

TEST(Params, params_lists_every_parameter_with_value_and_range) {
    Rig rig;
    rig.load(voice<1>);
    ASSERT_TRUE(rig.set(440.0));
    const std::vector<ParamInfo> all = rig.engine.params();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].signal, "bass");
    EXPECT_EQ(all[0].decl.name, "cutoff");
    EXPECT_EQ(all[0].value, 440.0);
    EXPECT_EQ(all[0].decl.min, 20.0);
    EXPECT_EQ(all[0].decl.max, 20000.0);
    EXPECT_TRUE(all[0].set);
    EXPECT_EQ(all[1].decl.name, "gate");
    EXPECT_EQ(all[1].value, 0.0);
    EXPECT_FALSE(all[1].set);
}

void bad_params(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("x", [](Context& c) { return lel::param(c, "a", 1.0) + lel::param(c, "a", 2.0); });
    });
}

TEST(Params, a_parameter_declared_twice_fails_the_load) {
    Rig rig;
    const CommandResult r = rig.engine.run_session(bad_params, nullptr, "twice");
    EXPECT_FALSE(r);
    EXPECT_NE(r.message.find("declared twice"), std::string::npos) << r.message;
}

TEST(Params, timed_sets_land_on_their_frames_in_time_order_and_one_frames_in_arrival_order) {
    Rig rig;
    rig.load(voice<1>);
    rig.play(128);
    const uint64_t f1 = rig.frame + 1000, f2 = rig.frame + 3000;
    ASSERT_TRUE(rig.engine.set_params("bass", {{"cutoff", 3000.0}}, 0.0, false, f2));  // the later one first
    ASSERT_TRUE(rig.engine.set_params("bass", {{"cutoff", 1000.0}}, 0.0, false, f1));
    ASSERT_TRUE(rig.engine.set_params("bass", {{"cutoff", 1500.0}}, 0.0, false, f1));  // same frame: this one wins
    ASSERT_TRUE(rig.engine.set_params("bass", {{"gate", 1.0}}, std::nullopt, true, f1 + 7));
    rig.play(4000);
    EXPECT_EQ(cutoff_seen[f1 - 1], 800.0);
    EXPECT_EQ(cutoff_seen[f1], 1500.0) << "on its frame, the later set of that frame";
    EXPECT_EQ(cutoff_seen[f2 - 1], 1500.0);
    EXPECT_EQ(cutoff_seen[f2], 3000.0);
    EXPECT_EQ(gate_seen[f1 + 6], 0.0);
    EXPECT_EQ(gate_seen[f1 + 7], 1.0) << "a timed trigger on its frame";
    EXPECT_EQ(gate_seen[f1 + 8], 0.0);
    EXPECT_EQ(rig.engine.renderer().params_late_approx(), 0u);
}

TEST(Params, ten_thousand_sets_in_a_row_all_arrive_or_are_refused_never_lost) {
    Rig rig;
    rig.load(voice<1>);
    int refused = 0;
    for (int i = 0; i < 10000; ++i) {
        if (!rig.set(100.0 + i, 0.0)) ++refused;
        if (i % 1000 == 999) rig.play(64);  // the producer takes them between blocks
    }
    rig.play(128);
    EXPECT_EQ(refused, 0) << "8192 fit between two blocks";
    EXPECT_EQ(cutoff_seen[rig.frame - 1], 100.0 + 9999);
    EXPECT_EQ(rig.engine.renderer().params_missed_approx(), 0u);
}

}  // namespace
