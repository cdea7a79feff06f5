// lel — the renderer: runs the current program, block by block, into
// stereo frames. This is the engine's real-time core; it knows nothing of
// JACK, so tests and the offline render drive it directly.
//
// Per block it (1) takes a newly published program, if any, so a swap lands
// exactly on the first sample of the block, (2) calls each signal's block
// function into scratch buffers, (3) mutes a signal whose block holds
// NaN/inf (or whose code threw), (4) sums the rest and (5) passes the sum
// through the output stage's soft limiter.
//
// Threads: construction, release_current() and the *_approx readers are
// control-thread; render() is producer-thread only.
#pragma once

#include <lel/detail/rt.hpp>

#include "program_mailbox.hpp"
#include "rt_log.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace lel {

/// One frame as it travels through the ring to the ports.
struct StereoFrame {
    float left;
    float right;
};
static_assert(std::is_trivially_copyable_v<StereoFrame>);

class Renderer {
public:
    /// Allocates every buffer render() will ever use. Control thread.
    Renderer(double sample_rate, uint32_t max_block, ProgramMailbox& mailbox, RtLog& log);
    ~Renderer();
    Renderer(const Renderer&) = delete;
    Renderer& operator=(const Renderer&) = delete;

    /// Producer thread; wait-free apart from the signals' own code. Renders
    /// out.size() frames (any number; split into blocks of max_block).
    void render(std::span<StereoFrame> out) noexcept LEL_RT;

    double sample_rate() const noexcept { return sample_rate_; }
    uint32_t max_block() const noexcept { return max_block_; }

    /// Any thread; racy. Frames rendered so far (the next frame's index).
    uint64_t frame_approx() const noexcept { return frame_.load(std::memory_order_relaxed); }
    /// Any thread; racy. Signals muted for NaN/inf or exceptions.
    uint64_t faults_approx() const noexcept { return faults_.load(std::memory_order_relaxed); }

    /// Control thread, only once the producer has stopped for good: hands
    /// back the program it was running.
    std::unique_ptr<Program> release_current() noexcept;

private:
    void render_block(StereoFrame* out, uint32_t n) noexcept LEL_RT;
    void mute(const Voice& v, RtLogRecord::Kind why) noexcept LEL_RT;

    const double sample_rate_;
    const uint32_t max_block_;
    ProgramMailbox& mailbox_;
    RtLog& log_;

    // Producer-owned from here on.
    Program* current_ = nullptr;
    uint64_t frame_now_ = 0;
    std::vector<double> left_, right_, mix_left_, mix_right_;  // max_block each, never resized

    // Written by the producer, read by anyone.
    std::atomic<uint64_t> frame_{0};
    std::atomic<uint64_t> faults_{0};
};

}  // namespace lel
