#include "output_stage.hpp"

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

TEST(AllFinite, FindsASingleNaNOrInfinity) {
    std::vector<double> v(100, 0.5);
    EXPECT_TRUE(lel::all_finite(v));
    v[63] = std::nan("");
    EXPECT_FALSE(lel::all_finite(v));
    v[63] = -INFINITY;
    EXPECT_FALSE(lel::all_finite(v));
}
