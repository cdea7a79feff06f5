// The noises (include/lel/dsp/noise.hpp) as a musician hears them: white's
// distribution and flat spectrum, pink's -3 dB/octave and brown's -6 from
// 50 Hz to 10 kHz (issue 9's figure: pink within ±1.5 dB), their levels,
// and their seeding per signal name and place.
#include "offline.hpp"
#include "spectrum.hpp"

#include <lel/dsp/noise.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

namespace lel {
namespace {

constexpr std::size_t fft_size = 1u << 15;  // 1.5 Hz bins at 48 kHz

double rms(const std::vector<double>& x) {
    double sum = 0.0;
    for (double v : x) sum += v * v;
    return std::sqrt(sum / x.size());
}

/// The worst deviation, in dB, of x's third-octave band powers from
/// `slope` dB/octave between 50 Hz and 10 kHz (the level fitted, the slope
/// not), printing each band.
double worst_deviation_from_slope(const char* name, const std::vector<double>& x, double slope, double sr = 48000.0) {
    const auto power = test::welch(x, fft_size);
    std::vector<double> fc, level;
    for (double f = 50.0; f <= 10200.0; f *= std::pow(2.0, 1.0 / 3.0)) {  // bands to 10.2 kHz (9.0-11.4 kHz)
        fc.push_back(f);
        level.push_back(test::band_db(power, fft_size, sr, f * std::pow(2.0, -1.0 / 6.0), f * std::pow(2.0, 1.0 / 6.0)) -
                        slope * std::log2(f / 1000.0));
    }
    double mean = 0.0;
    for (double l : level) mean += l;
    mean /= level.size();
    double worst = 0.0;
    std::printf("%s, third-octave bands re %+.0f dB/octave:", name, slope);
    for (std::size_t i = 0; i < fc.size(); ++i) {
        std::printf(" %.0f:%+.2f", fc[i], level[i] - mean);
        worst = std::max(worst, std::fabs(level[i] - mean));
    }
    std::printf("\n%s: worst %.2f dB\n", name, worst);
    return worst;
}

TEST(Noise, white_noise_is_uniform_in_minus_1_to_1) {
    test::Offline sig([](Context& s) { return noise(s); });
    const auto x = sig.mono(1u << 20);
    int bins[20] = {};
    double mean = 0.0;
    for (double v : x) {
        ASSERT_TRUE(v >= -1.0 && v <= 1.0);
        mean += v;
        ++bins[std::min(19, static_cast<int>((v + 1.0) * 10.0))];
    }
    EXPECT_NEAR(mean / x.size(), 0.0, 0.003);
    EXPECT_NEAR(rms(x), std::sqrt(1.0 / 3.0), 0.002);  // -4.8 dBFS
    for (int b : bins) EXPECT_NEAR(b / (x.size() / 20.0), 1.0, 0.02);
}

TEST(Noise, white_noise_is_flat_from_50_Hz_to_10_kHz) {
    test::Offline sig([](Context& s) { return noise(s); });
    EXPECT_LE(worst_deviation_from_slope("white", sig.mono(1u << 21), 0.0), 0.5);
}

TEST(Pink, pink_noise_is_within_1_5_dB_of_minus_3_dB_per_octave_from_50_Hz_to_10_kHz) {
    test::Offline sig([](Context& s) { return pink(s); });
    const auto x = sig.mono(1u << 21);
    const double worst = worst_deviation_from_slope("pink", x, -3.0);
    EXPECT_LE(worst, 1.5);
    EXPECT_LE(worst, 0.6);  // what it does, with the measurement's own scatter
    std::printf("pink RMS %.3f, peak %.3f\n", rms(x), std::max(*std::max_element(x.begin(), x.end()), -*std::min_element(x.begin(), x.end())));
    EXPECT_NEAR(rms(x), 0.2, 0.02);
}

TEST(Pink, pink_noise_keeps_its_slope_and_level_at_44_1_and_96_kHz) {
    for (const double sr : {44100.0, 96000.0}) {
        test::Offline sig([](Context& s) { return pink(s); }, sr);
        const auto x = sig.mono(1u << 21);
        EXPECT_LE(worst_deviation_from_slope(sr == 44100.0 ? "pink 44.1k" : "pink 96k", x, -3.0, sr), 1.5) << sr;
        EXPECT_NEAR(rms(x), 0.2, 0.02) << sr;
    }
}

TEST(Brown, brown_noise_falls_6_dB_per_octave_from_50_Hz_to_10_kHz) {
    test::Offline sig([](Context& s) { return brown(s); });
    const auto x = sig.mono(1u << 21);
    EXPECT_LE(worst_deviation_from_slope("brown", x, -6.0), 1.5);
    std::printf("brown RMS %.3f\n", rms(x));
    EXPECT_NEAR(rms(x), 0.25, 0.05);
    for (double v : x) ASSERT_TRUE(v >= -1.0 && v <= 1.0);
}

TEST(Noise, the_same_name_and_place_give_the_same_noise_every_run) {
    for (int which = 0; which < 3; ++which) {
        const auto fn = [which](Context& s) { return which == 0 ? noise(s) : which == 1 ? pink(s) : brown(s); };
        test::Offline a(fn, 48000.0, 16, "hat"), b(fn, 48000.0, 16, "hat");
        EXPECT_EQ(a.mono(1000), b.mono(1000)) << which;
    }
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
    double ab = 0.0, aa = 0.0, bb = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ab += a[i] * b[i];
        aa += a[i] * a[i];
        bb += b[i] * b[i];
    }
    return ab / std::sqrt(aa * bb);
}

TEST(Noise, another_name_or_another_place_gives_an_unrelated_noise) {
    test::Offline hat([](Context& s) { return noise(s); }, 48000.0, 16, "hat");
    test::Offline snare([](Context& s) { return noise(s); }, 48000.0, 16, "snare");
    EXPECT_LT(std::fabs(correlation(hat.mono(48000), snare.mono(48000))), 0.02);
    std::vector<double> first, second;
    test::Offline two([&](Context& s) {
        first.push_back(noise(s));
        second.push_back(noise(s));
        return 0.0;
    });
    first.clear();
    second.clear();  // the probe's sample
    two.mono(48000);
    EXPECT_LT(std::fabs(correlation(first, second)), 0.02);
    // And white noise has no memory: consecutive samples are unrelated.
    std::vector<double> later(first.begin() + 1, first.end());
    first.pop_back();
    EXPECT_LT(std::fabs(correlation(first, later)), 0.02);
}

TEST(Noise, each_call_takes_one_block_of_its_documented_size) {
    test::Offline sig([](Context& s) { return noise(s) + pink(s) + brown(s); });
    sig.mono(1);
    ASSERT_EQ(sig.layout().size(), 3u);
    EXPECT_EQ(sig.layout()[0].size, 2u);
    EXPECT_EQ(sig.layout()[1].size, 25u);
    EXPECT_EQ(sig.layout()[2].size, 6u);
    EXPECT_EQ(sig.layout()[1].kind, kind_id("lel.pink"));
}

TEST(Noise, a_reload_carries_each_generator_on_where_it_was) {
    const auto fn = [](Context& s) { return noise(s) + 10.0 * pink(s) + 100.0 * brown(s); };
    test::Offline whole(fn, 48000.0, 16, "wind"), before(fn, 48000.0, 16, "wind"), after(fn, 48000.0, 16, "wind");
    const auto expected = whole.mono(2000);
    before.mono(1000);
    std::memcpy(after.context().helpers.area, before.context().helpers.area, sizeof(double) * before.context().helpers.size);
    const auto got = after.mono(1000);
    for (int n = 0; n < 1000; ++n) ASSERT_EQ(got[n], expected[1000 + n]) << n;
}

TEST(Noise, every_noise_stays_finite_and_within_1_at_any_sample_rate) {
    for (const double sr : {1.0, 8000.0, 22050.0, 192000.0, 768000.0}) {
        test::Offline sig([](Context& s) { return noise(s) + 10.0 * pink(s) + 100.0 * brown(s); }, sr);
        for (const double y : sig.mono(100000)) {
            ASSERT_TRUE(std::isfinite(y)) << sr;
            ASSERT_LE(std::fabs(y), 111.0) << sr;
        }
    }
}

}  // namespace
}  // namespace lel
