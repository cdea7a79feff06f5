// The state model on its own: blocks by call order, the probe's layout,
// keys, and what a helper called out of order gets.
#include "offline.hpp"

#include <lel/dsp/state.hpp>

#include <gtest/gtest.h>

namespace lel {
namespace {

struct Counter {
    static constexpr uint32_t kind = kind_id("test.counter");
    double n;
};

// A helper: counts its own calls.
double count(Context& s) noexcept {
    Counter& c = take<Counter>(s);
    return c.n += 1.0;
}

TEST(HelperState, each_call_in_a_sample_owns_its_own_block) {
    test::Offline sig([](Context& s) { return count(s) * 1000.0 + count(s); });
    const auto x = sig.mono(3);
    EXPECT_EQ(x, (std::vector<double>{1001.0, 2002.0, 3003.0}));
    ASSERT_EQ(sig.layout().size(), 2u);
    EXPECT_EQ(sig.layout()[0].kind, Counter::kind);
    EXPECT_EQ(sig.layout()[0].size, 1u);
    EXPECT_FALSE(sig.mismatched());
}

TEST(HelperState, a_key_is_recorded_with_its_block) {
    test::Offline sig([](Context& s) { return count(s) + count(key(s, "second")); });
    sig.mono(1);
    ASSERT_EQ(sig.layout().size(), 2u);
    EXPECT_STREQ(sig.layout()[0].key, "");
    EXPECT_STREQ(sig.layout()[1].key, "second");
}

TEST(HelperState, a_helper_called_on_some_samples_only_gets_scratch_and_flags_it) {
    test::Offline sig([](Context& s) {
        const double a = count(s);
        const double b = s.frame % 2 == 1 ? take(s, kind_id("test.other"), 8)[0] : count(s);
        return a + b;
    });
    sig.mono(1);
    EXPECT_FALSE(sig.mismatched());
    sig.mono(1);  // frame 1: the second call is of another kind
    EXPECT_TRUE(sig.mismatched());
}

TEST(HelperState, a_block_larger_than_the_area_never_reaches_past_it) {
    test::Offline sig([](Context& s) { return static_cast<double>(take(s, kind_id("test.big"), s.frame == 0 ? 4 : 1u << 20).size()); });
    EXPECT_EQ(sig.mono(1)[0], 4.0);
    EXPECT_LE(sig.mono(1)[0], detail::mismatch_doubles);
    EXPECT_TRUE(sig.mismatched());
}

TEST(HelperState, a_call_beyond_the_last_block_reads_the_areas_end_and_gets_scratch) {
    // The probe sees one call; frame 1 makes two more, the first of them
    // where the area ends (no bounds check in take: the end never matches).
    double extra = -1.0;
    test::Offline sig([&](Context& s) {
        const double a = count(s);
        if (s.frame == 1) {
            extra = count(s);
            extra += count(s);
        }
        return a;
    });
    EXPECT_EQ(sig.mono(2), (std::vector<double>{1.0, 2.0}));
    EXPECT_GT(extra, 0.0) << "the extra calls counted in scratch";
    EXPECT_TRUE(sig.mismatched());
    EXPECT_EQ(sig.mono(1)[0], 3.0) << "the block that matched kept counting";
}

TEST(HelperState, after_a_call_that_found_another_block_the_samples_later_calls_touch_no_block) {
    // Frame 1: the second call asks for another kind and size, so the
    // third, whose cursor now lies inside the second block, must not
    // count in anyone's block.
    test::Offline sig([](Context& s) {
        const double a = count(s);
        const double b = s.frame == 1 ? take(s, kind_id("test.other"), 3)[0] : count(s);
        return a * 100.0 + b * 10.0 + count(s);
    });
    EXPECT_EQ(sig.mono(1)[0], 111.0);
    sig.mono(1);
    EXPECT_TRUE(sig.mismatched());
    EXPECT_EQ(sig.mono(1)[0], 322.0) << "the second and third blocks did not count at frame 1";
}

}  // namespace
}  // namespace lel
