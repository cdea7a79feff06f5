// lel — a wait-free single-producer/single-consumer ring of trivially
// copyable items.
//
// Design: a power-of-two array and two monotonically increasing 64-bit
// indices; `write_` is owned (stored) by the producer, `read_` by the
// consumer. Each side reads the other's index with acquire and publishes its
// own with release, so items written before a release store of `write_` are
// visible to the consumer after its acquire load of `write_` (and the
// symmetric pair for freed room). Indices never wrap in practice (2^64
// frames is millions of years of audio), so full and empty are told apart
// without a spare slot. The indices sit on separate cache lines so the two
// threads do not false-share.
//
// Why not jack_ringbuffer_t: this one is typed (frames, not bytes), is
// header-only so the engine and its tests use it without libjack, and its
// memory orders are written down here.
#pragma once

#include <lel/detail/rt.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <stdexcept>
#include <type_traits>

namespace lel {

inline constexpr std::size_t cache_line = 64;

template <class T>
class SpscRing {
    static_assert(std::is_trivially_copyable_v<T>, "ring items are copied with plain stores");
    static_assert(std::atomic<uint64_t>::is_always_lock_free, "ring indices must be lock-free");

public:
    /// Allocates room for `capacity` items, rounded up to a power of two.
    /// Control thread; allocates; throws std::invalid_argument on 0.
    explicit SpscRing(std::size_t capacity)
        : capacity_(round_up_pow2(capacity)),
          mask_(capacity_ - 1),
          items_(std::make_unique<T[]>(capacity_)) {}

    SpscRing(const SpscRing&) = delete;
    SpscRing& operator=(const SpscRing&) = delete;

    std::size_t capacity() const noexcept { return capacity_; }

    /// Producer thread; wait-free. Items that can be written now.
    std::size_t write_available() const noexcept LEL_RT {
        const uint64_t r = read_.load(std::memory_order_acquire);  // pairs with release in try_read
        const uint64_t w = write_.load(std::memory_order_relaxed);  // own index
        return capacity_ - static_cast<std::size_t>(w - r);
    }

    /// Consumer thread; wait-free. Items that can be read now.
    std::size_t read_available() const noexcept LEL_RT {
        const uint64_t w = write_.load(std::memory_order_acquire);  // pairs with release in try_write
        const uint64_t r = read_.load(std::memory_order_relaxed);   // own index
        return static_cast<std::size_t>(w - r);
    }

    /// Producer thread; wait-free. Writes as many of `items` as fit and
    /// returns how many that was (0 when full); never overwrites unread items.
    std::size_t try_write(std::span<const T> items) noexcept LEL_RT {
        const uint64_t w = write_.load(std::memory_order_relaxed);
        const uint64_t r = read_.load(std::memory_order_acquire);  // pairs with release in try_read
        const std::size_t n = std::min(items.size(), capacity_ - static_cast<std::size_t>(w - r));
        for (std::size_t i = 0; i < n; ++i) items_[(w + i) & mask_] = items[i];
        write_.store(w + n, std::memory_order_release);  // pairs with acquire in try_read / read_available
        return n;
    }

    /// Producer thread; wait-free. Like try_write, but lets
    /// `source(T&, index)` fill up to `max` items in place.
    template <class Source>
    std::size_t try_produce(std::size_t max, Source&& source) noexcept LEL_RT {
        const uint64_t w = write_.load(std::memory_order_relaxed);
        const uint64_t r = read_.load(std::memory_order_acquire);  // pairs with release in try_read / try_consume
        const std::size_t n = std::min(max, capacity_ - static_cast<std::size_t>(w - r));
        for (std::size_t i = 0; i < n; ++i) source(items_[(w + i) & mask_], i);
        write_.store(w + n, std::memory_order_release);  // pairs with acquire in try_read / try_consume
        return n;
    }

    /// Consumer thread; wait-free. Reads up to `out.size()` items and returns
    /// how many it read (0 when empty).
    std::size_t try_read(std::span<T> out) noexcept LEL_RT {
        const uint64_t r = read_.load(std::memory_order_relaxed);
        const uint64_t w = write_.load(std::memory_order_acquire);  // pairs with release in try_write
        const std::size_t n = std::min(out.size(), static_cast<std::size_t>(w - r));
        for (std::size_t i = 0; i < n; ++i) out[i] = items_[(r + i) & mask_];
        read_.store(r + n, std::memory_order_release);  // pairs with acquire in try_write / write_available
        return n;
    }

    /// Consumer thread; wait-free. Like try_read, but hands the items to
    /// `sink(const T&, index)` in place instead of copying them out.
    template <class Sink>
    std::size_t try_consume(std::size_t max, Sink&& sink) noexcept LEL_RT {
        const uint64_t r = read_.load(std::memory_order_relaxed);
        const uint64_t w = write_.load(std::memory_order_acquire);  // pairs with release in try_write
        const std::size_t n = std::min(max, static_cast<std::size_t>(w - r));
        for (std::size_t i = 0; i < n; ++i) sink(items_[(r + i) & mask_], i);
        read_.store(r + n, std::memory_order_release);  // pairs with acquire in try_write / write_available
        return n;
    }

private:
    static std::size_t round_up_pow2(std::size_t n) {
        if (n == 0) throw std::invalid_argument("ring capacity must be at least 1");
        std::size_t p = 1;
        while (p < n) p <<= 1;
        return p;
    }

    const std::size_t capacity_;
    const std::size_t mask_;
    const std::unique_ptr<T[]> items_;
    alignas(cache_line) std::atomic<uint64_t> write_{0};  // stored by the producer only
    alignas(cache_line) std::atomic<uint64_t> read_{0};   // stored by the consumer only
    char pad_[cache_line - sizeof(std::atomic<uint64_t>)]{};  // keep neighbours off read_'s line
};

}  // namespace lel
