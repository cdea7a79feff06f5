// Routing through a real leld (issue 9): a signal that listens to a send
// hears it on the same frame, and only through itself; removing the send
// fades it out in its listener without a click; and the audio input reaches
// the outputs exactly the ring's depth later. A second JACK client, the
// ClickSender (click_sender.hpp), plays a click into lel:in_1 and lel:in_2 at every JACK frame time
// that is a multiple of click_every; the capture records lel:out_1/out_2,
// and the JACK frame time of each click heard, modulo click_every, is the
// input-to-output latency.
#include "analysis.hpp"
#include "click_sender.hpp"
#include "live.hpp"

#include "../pop_ratio.hpp"

#include <jack/jack.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

namespace lel::test {
namespace {

struct StereoSample {
    float left, right;
};

class Routing : public LiveLeld {
protected:
    Routing() { leld_args_ = {}; }  // default fades

    int64_t load(std::string_view name) { return load_frame(osc(), module_path(name).string()); }
};

TEST_F(Routing, the_input_reaches_the_outputs_exactly_the_rings_depth_later) {
    run([&] {
        ClickSender sender(leld_->client_name());
        load("routed");
        const int64_t depth = status_int("ring_frames");
        const std::size_t from = capture().frames_approx();
        record(1.0);
        const Take take = capture().take(from, capture().frames_approx());
        const jack_nframes_t origin = capture().first_frame_time() + static_cast<jack_nframes_t>(from);
        // The clicks: 0.5 on the left and -0.25 on the right, on top of the
        // echo of src (0.2 left, 0.4 right at most).
        std::vector<int64_t> latencies;
        for (std::size_t i = 1; i < take.size(); ++i) {
            const float dl = take.left[i] - take.left[i - 1];
            if (dl > 0.4f) {
                EXPECT_NEAR(take.right[i] - take.right[i - 1], -0.25f, 0.05f) << "the right input reaches out_2";
                latencies.push_back((origin + i) % click_every);
            }
        }
        ASSERT_GE(latencies.size(), 8u) << "the clicks played into lel:in_1 were not heard";
        std::printf("input to output latency: %lld frames (%.2f ms) at period %d, ring %lld frames; %zu clicks\n",
                    static_cast<long long>(latencies[0]), 1000.0 * latencies[0] / JackServer::sample_rate,
                    JackServer::period, static_cast<long long>(depth), latencies.size());
        for (const int64_t l : latencies) EXPECT_EQ(l, depth) << "latency is the ring's depth, click for click";
    });
}

TEST_F(Routing, a_listener_hears_a_send_and_removing_the_send_fades_it_out_without_a_click) {
    run([&] {
        load("routed");
        record(0.5);
        const std::size_t from = capture().frames_approx();
        record(0.3);
        Take take = capture().take(from, capture().frames_approx());
        // echo plays src at 0.5 on the left and 1.0 on the right; src itself is
        // a send, so the left is half the right, and the right is 0.4 at most.
        double peak_left = 0.0, peak_right = 0.0;
        for (std::size_t i = 0; i < take.size(); ++i) {
            peak_left = std::max(peak_left, std::fabs(double(take.left[i])));
            peak_right = std::max(peak_right, std::fabs(double(take.right[i])));
            ASSERT_NEAR(take.left[i], 0.5f * take.right[i], 1e-6) << "src is heard only through echo";
        }
        EXPECT_NEAR(peak_right, 0.4, 0.01);
        EXPECT_NEAR(peak_left, 0.2, 0.01);
        EXPECT_EQ(status_int("buses"), 1) << "one bus: src's";

        const OscReply r = call(OscOut("/lel/remove").s("src"));
        ASSERT_EQ(r.path, "/lel/done");
        record(0.3);
        take = capture().take(from, capture().frames_approx());  // steady play, the removal, silence
        std::vector<StereoSample> frames(take.size());
        for (std::size_t i = 0; i < take.size(); ++i) frames[i] = {take.left[i], take.right[i]};
        // Where it went silent: the last nonzero sample, and the fade before it.
        std::size_t last = 0;
        for (std::size_t i = 0; i < take.size(); ++i) {
            if (take.right[i] != 0.0f) last = i;
        }
        ASSERT_GT(last, 240u) << "the send was not heard before its removal";
        ASSERT_LT(last + 4800, take.size()) << "echo still hears src after its removal";
        const std::size_t at = last - 240;
        const PopRatio p = pop_ratio(frames, at, 240);
        std::printf("pop ratio of removing a send under its listener: %.3f\n", p.ratio());
        EXPECT_LE(p.ratio(), 1.1) << "jump " << p.around_swap << " vs steady " << p.steady;
    });
}

}  // namespace
}  // namespace lel::test
