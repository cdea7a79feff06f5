// lel — the producer thread: renders into the ring while there is room,
// sleeps while it is full.
//
// Design: the ring's consumer (the JACK callback) calls notify() after each
// read; notify() posts a semaphore, which never blocks and is safe from a
// real-time thread. The producer keeps at most `depth` frames in the ring:
// that depth is exactly the latency the ring adds. It renders in blocks of
// `block` frames and, when fill + block would exceed depth, waits on the
// semaphore: no polling, no sleeps.
//
// Threads: start()/stop() on the control thread; run() is the producer
// thread; notify() on the consumer thread.
#pragma once

#include <lel/detail/rt.hpp>

#include "renderer.hpp"
#include "ring.hpp"

#include <atomic>
#include <chrono>
#include <semaphore.h>
#include <string>
#include <thread>
#include <vector>

namespace lel {

class Producer {
public:
    /// Control thread; allocates the staging blocks. depth >= block. With
    /// `input`, each block renders with as many frames read from it as it
    /// renders (silence for any it lacks: lel::input).
    Producer(Renderer& renderer, SpscRing<StereoFrame>& ring, uint32_t block, uint32_t depth,
             SpscRing<StereoFrame>* input = nullptr);
    ~Producer();
    Producer(const Producer&) = delete;
    Producer& operator=(const Producer&) = delete;

    /// Control thread. Starts the thread; asks for SCHED_FIFO at
    /// `rt_priority` when it is > 0. With a `stall_limit`, a signal's block
    /// that runs that long (CPU time) is stopped by a fault::Watchdog, if
    /// one runs. Returns a warning to log ("" if none).
    std::string start(int rt_priority, std::chrono::nanoseconds stall_limit = std::chrono::nanoseconds::zero());
    /// Control thread; blocking (joins).
    void stop();

    /// Consumer thread; wait-free. Room was freed in the ring.
    void notify() noexcept LEL_RT;

    uint32_t depth() const noexcept { return depth_; }
    uint32_t block() const noexcept { return block_; }

private:
    /// Producer thread; blocking: waits on the semaphore while the ring is full.
    void run() noexcept;
    /// Producer thread; wait-free apart from the signals: renders one block
    /// into the ring if it fits. False when the ring is full.
    bool try_fill() noexcept LEL_RT;

    Renderer& renderer_;
    SpscRing<StereoFrame>& ring_;
    const uint32_t block_;
    const uint32_t depth_;
    SpscRing<StereoFrame>* input_;      // the producer is its only reader
    std::vector<StereoFrame> staging_;  // producer-owned after start()
    std::vector<StereoFrame> input_staging_;
    sem_t wake_;
    std::atomic<bool> running_{false};  // stored by control, read by producer
    std::thread thread_;
};

}  // namespace lel
