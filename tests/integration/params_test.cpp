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

}  // namespace
}  // namespace lel::test
