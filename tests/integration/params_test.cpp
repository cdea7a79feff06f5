// Named parameters through a real leld (issue 10): tests/modules/param_dc.cpp
// plays a parameter as a DC level, so the capture shows /lel/set as a
// linear ramp whose length is the lag (the code's 20 ms, or the set's), and
// /lel/trig as a step of exactly one sample.
#include "analysis.hpp"
#include "live.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

namespace lel::test {
namespace {

class Params : public LiveLeld {};

// Frames from the first sample that left `from` to the first that reached
// `to` (within 1e-6: a step is at least 6e-5 here), in the left channel of `take`; -1 if it never did.
long ramp_length(const Take& take, float from, float to) {
    long start = -1;
    for (std::size_t i = 0; i < take.size(); ++i) {
        const float x = take.left[i];
        if (start < 0 && std::fabs(x - from) > 1e-6f) start = static_cast<long>(i);
        if (start >= 0 && std::fabs(x - to) <= 1e-6f) return static_cast<long>(i) - start + 1;
    }
    return -1;
}

TEST_F(Params, a_set_is_heard_as_a_ramp_of_the_lags_length_and_a_trigger_as_one_sample) {
    run([&] {
        load_frame(osc(), module_path("param_dc").string());
        record(0.2);
        std::size_t from = capture().frames_approx();
        OscReply r = call(OscOut("/lel/set").s("dc").s("level").f(0.5f));
        ASSERT_EQ(r.path, "/lel/done");
        record(0.2);
        long length = ramp_length(capture().take(from, capture().frames_approx()), 0.1f, 0.5f);
        std::printf("the code's 20 ms lag: a ramp of %ld frames (960 expected)\n", length);
        EXPECT_EQ(length, 960);

        from = capture().frames_approx();
        r = call(OscOut("/lel/set").s("dc").s("level").f(0.2f).s("lag").f(0.1f));
        ASSERT_EQ(r.path, "/lel/done");
        record(0.3);
        length = ramp_length(capture().take(from, capture().frames_approx()), 0.5f, 0.2f);
        std::printf("a 100 ms lag from /lel/set: a ramp of %ld frames (4800 expected)\n", length);
        EXPECT_EQ(length, 4800);

        from = capture().frames_approx();
        r = call(OscOut("/lel/trig").s("dc").s("gate"));
        ASSERT_EQ(r.path, "/lel/done");
        record(0.1);
        const Take take = capture().take(from, capture().frames_approx());
        int high = 0;
        for (std::size_t i = 0; i < take.size(); ++i) {
            if (std::fabs(take.left[i] - 0.5f) < 1e-4f) ++high;
            else ASSERT_NEAR(take.left[i], 0.2f, 1e-4f) << "at " << i;
        }
        EXPECT_EQ(high, 1) << "the trigger lasts one sample";

        r = call(OscOut("/lel/get").s("dc").s("level"));
        ASSERT_EQ(r.path, "/lel/get.reply");
        EXPECT_NEAR(r.number_at(2).value_or(0.0), 0.2, 1e-6);
    });
}

// Each bundle sets the level with no lag: a DC step at the bundle's time.
TEST_F(Params, two_bundles_tagged_100_ms_apart_land_4800_frames_apart) {
    run([&] {
        load_frame(osc(), module_path("param_dc").string());
        record(0.1);
        const std::size_t from = capture().frames_approx();
        const uint64_t t0 = ntp_in(0.3);
        const uint64_t t1 = t0 + (uint64_t{1} << 32) / 10;  // + 100 ms
        // The later one first: leld orders them by time, not by arrival.
        for (const auto& [tag, level] : {std::pair{t1, 0.4f}, std::pair{t0, 0.25f}}) {
            const auto reply = osc().call_raw(osc_bundle({OscOut("/lel/set").s("dc").s("level").f(level).s("lag").f(0.0f).bytes()}, tag));
            ASSERT_TRUE(reply && reply->path == "/lel/done");
        }
        record(0.6);
        const Take take = capture().take(from, capture().frames_approx());
        long first = -1, second = -1;
        for (std::size_t i = 0; i < take.size(); ++i) {
            if (first < 0 && std::fabs(take.left[i] - 0.25f) < 1e-6f) first = static_cast<long>(i);
            if (second < 0 && std::fabs(take.left[i] - 0.4f) < 1e-6f) second = static_cast<long>(i);
        }
        ASSERT_GE(first, 0) << "the first bundle was not heard";
        ASSERT_GE(second, 0) << "the second bundle was not heard";
        std::printf("two bundles tagged 100 ms apart: %ld frames apart (4800 expected); late %lld\n",
                    second - first, static_cast<long long>(status_int("late")));
        EXPECT_NEAR(second - first, 4800, 1);
        EXPECT_EQ(status_int("late"), 0);
        // A bundle an hour and more ahead is refused; one in the past applies at once, counted late.
        auto r = osc().call_raw(osc_bundle({OscOut("/lel/set").s("dc").s("level").f(0.1f).bytes()}, ntp_in(4000.0)));
        ASSERT_TRUE(r);
        EXPECT_EQ(r->path, "/lel/fail");
        r = osc().call_raw(osc_bundle({OscOut("/lel/set").s("dc").s("level").f(0.1f).bytes()}, ntp_in(-10.0)));
        ASSERT_TRUE(r);
        EXPECT_EQ(r->path, "/lel/done");
        EXPECT_EQ(status_int("late"), 1);
    });
}

}  // namespace
}  // namespace lel::test
