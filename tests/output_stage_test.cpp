#include "output_stage.hpp"

#include <lel/detail/block.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

using lel::soft_limit;

TEST(SoftLimit, IsTheIdentityUpToTheKnee) {
    for (double x = -lel::limiter_knee; x <= lel::limiter_knee; x += 0.01) EXPECT_EQ(soft_limit(x), x);
}

TEST(SoftLimit, StaysInsideMinusOneToOneAndKeepsTheSign) {
    for (const double x : {0.81, 0.9, 1.0, 2.0, 10.0, 1e6, 1e300}) {
        EXPECT_LE(soft_limit(x), 1.0);
        EXPECT_GT(soft_limit(x), lel::limiter_knee);
        EXPECT_EQ(soft_limit(-x), -soft_limit(x));
    }
}

TEST(SoftLimit, IsContinuousAndMonotonicThroughTheKnee) {
    double previous = soft_limit(0.0);
    for (double x = 0.0; x < 3.0; x += 1e-4) {
        const double y = soft_limit(x);
        EXPECT_GE(y, previous);
        EXPECT_LE(y - previous, 1e-4 + 1e-12);  // slope never above 1: no step anywhere
        previous = y;
    }
}

TEST(SoftLimit, MapsNonFiniteInputIntoRange) {
    EXPECT_EQ(soft_limit(std::numeric_limits<double>::quiet_NaN()), 0.0);
    EXPECT_EQ(soft_limit(INFINITY), 1.0);
    EXPECT_EQ(soft_limit(-INFINITY), -1.0);
}

TEST(MixFinite, AddsWithGainAndCountsNonFiniteSamplesAsZero) {
    std::vector<double> bus(100, 1.0), x(100, 0.5), gain(100, 0.5);
    EXPECT_TRUE(lel::detail::mix_finite(bus.data(), x.data(), nullptr, 100));
    EXPECT_EQ(bus[0], 1.5);
    EXPECT_TRUE(lel::detail::mix_finite(bus.data(), x.data(), gain.data(), 100));
    EXPECT_EQ(bus[99], 1.75);
    x[63] = std::nan("");
    x[64] = -INFINITY;
    EXPECT_FALSE(lel::detail::mix_finite(bus.data(), x.data(), nullptr, 100));
    EXPECT_EQ(bus[62], 2.25);
    EXPECT_EQ(bus[63], 1.75);  // the NaN counted as 0
    EXPECT_EQ(bus[64], 1.75);  // and the infinity
}

TEST(BeyondKnee, IsZeroOnlyWhereSoftLimitIsTheIdentity) {
    for (double x = -lel::limiter_knee; x <= lel::limiter_knee; x += 0.01) EXPECT_EQ(lel::beyond_knee(x), 0u) << x;
    EXPECT_EQ(lel::beyond_knee(lel::limiter_knee), 0u);
    EXPECT_EQ(lel::beyond_knee(-lel::limiter_knee), 0u);
    constexpr double inf = std::numeric_limits<double>::infinity();
    for (const double x : {std::nextafter(lel::limiter_knee, 1.0), -0.9, 2.0, inf, -inf,
                           std::numeric_limits<double>::quiet_NaN()}) {
        EXPECT_EQ(lel::beyond_knee(x), 1u) << x;
    }
}
