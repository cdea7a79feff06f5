#include "ring.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <thread>
#include <vector>

using lel::SpscRing;

TEST(SpscRing, CapacityIsRoundedUpToAPowerOfTwo) {
    EXPECT_EQ(SpscRing<int>(1).capacity(), 1u);
    EXPECT_EQ(SpscRing<int>(100).capacity(), 128u);
    EXPECT_EQ(SpscRing<int>(128).capacity(), 128u);
    EXPECT_THROW(SpscRing<int>(0), std::invalid_argument);
}

TEST(SpscRing, WritesOnlyWhatFitsAndNeverOverwritesUnreadItems) {
    SpscRing<int> ring(4);
    const std::vector<int> six{1, 2, 3, 4, 5, 6};
    EXPECT_EQ(ring.try_write(six), 4u);
    EXPECT_EQ(ring.write_available(), 0u);
    EXPECT_EQ(ring.try_write(six), 0u);
    std::vector<int> out(6);
    EXPECT_EQ(ring.try_read(out), 4u);
    EXPECT_EQ((std::vector<int>(out.begin(), out.begin() + 4)), (std::vector<int>{1, 2, 3, 4}));
}

TEST(SpscRing, ReadingAnEmptyRingReturnsNothing) {
    SpscRing<int> ring(8);
    std::vector<int> out(3);
    EXPECT_EQ(ring.try_read(out), 0u);
    EXPECT_EQ(ring.read_available(), 0u);
}

TEST(SpscRing, ItemsKeepTheirOrderAcrossTheWrapAround) {
    SpscRing<int> ring(8);
    int next_in = 0;
    int next_out = 0;
    for (int round = 0; round < 50; ++round) {
        std::vector<int> in(5);
        for (int& v : in) v = next_in++;
        ASSERT_EQ(ring.try_write(in), 5u);
        std::vector<int> out(5);
        ASSERT_EQ(ring.try_read(out), 5u);
        for (const int v : out) EXPECT_EQ(v, next_out++);
    }
}

TEST(SpscRing, ConsumeHandsItemsInPlaceWithTheirIndex) {
    SpscRing<int> ring(8);
    ring.try_write(std::vector<int>{10, 11, 12});
    std::vector<std::pair<int, std::size_t>> seen;
    EXPECT_EQ(ring.try_consume(8, [&](const int& v, std::size_t i) { seen.emplace_back(v, i); }), 3u);
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[2], (std::pair<int, std::size_t>{12, 2}));
    EXPECT_EQ(ring.read_available(), 0u);
}

// Two threads, random chunk sizes: every item arrives exactly once and in
// order. Run under ThreadSanitizer too (see docs/ARCHITECTURE.md).
TEST(SpscRing, EveryItemArrivesOnceAndInOrderBetweenTwoThreads) {
    constexpr uint64_t total = 2'000'000;
    SpscRing<uint64_t> ring(256);
    std::thread producer([&] {
        std::mt19937 rng(1);
        std::vector<uint64_t> chunk(97);
        uint64_t next = 0;
        while (next < total) {
            const std::size_t want = std::min<uint64_t>(1 + rng() % chunk.size(), total - next);
            for (std::size_t i = 0; i < want; ++i) chunk[i] = next + i;
            next += ring.try_write(std::span<const uint64_t>(chunk.data(), want));
        }
    });
    std::mt19937 rng(2);
    std::vector<uint64_t> out(131);
    uint64_t expected = 0;
    uint64_t mismatches = 0;
    while (expected < total) {
        const std::size_t n = ring.try_read(std::span<uint64_t>(out.data(), 1 + rng() % out.size()));
        for (std::size_t i = 0; i < n; ++i) mismatches += out[i] != expected++;
    }
    producer.join();
    EXPECT_EQ(mismatches, 0u);
    EXPECT_EQ(expected, total);
    EXPECT_EQ(ring.read_available(), 0u);
}
