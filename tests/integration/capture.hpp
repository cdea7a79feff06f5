// lel integration tests — Capture: a JACK client that records what leld
// puts on its ports.
//
// Design: two input ports connected to <lel>:out_1 and <lel>:out_2. The
// process callback appends each period to buffers allocated up front (60 s
// of stereo at the server's rate) and then publishes the new length with a
// release store; readers load it with acquire and may read every sample
// below it, which the callback never touches again. So the callback never
// allocates, locks or blocks, and readers need no lock either. Once the
// buffers are full, recording stops and overflowed() says so.
//
// JACK's notification thread counts disconnections of our ports and
// unregistrations of the lel client, so a test can tell whether the
// capture stayed connected to the same client all along, and the server's
// xruns, so a test can tell a glitch of the machine from one of leld.
//
// Threads: construction, destruction and every accessor are the test's
// thread; process() is JACK's real-time thread; on_connect(), on_client()
// and on_xrun() are JACK's notification thread.
#pragma once

#include <jack/jack.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace lel::test {

/// One channel's samples, [begin, end) of the recording.
struct Take {
    std::size_t begin = 0;  ///< index of the first sample in the recording
    std::vector<float> left;
    std::vector<float> right;
    std::size_t size() const noexcept { return left.size(); }
};

class Capture {
public:
    /// Opens a client on the server named by JACK_DEFAULT_SERVER, connects
    /// it to `lel_client`'s out_1/out_2 and starts recording. Throws
    /// HarnessError.
    /// With a `name`, the client takes it (else a unique one); without
    /// `connect`, it waits for someone else (leld) to connect it.
    explicit Capture(const std::string& lel_client, double seconds = 60.0, std::string name = {}, bool connect = true);
    ~Capture();
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;

    /// Test thread; racy but monotonic: samples recorded so far.
    std::size_t frames_approx() const noexcept { return written_.load(std::memory_order_acquire); }
    /// Test thread; blocking. Waits until `count` frames are recorded;
    /// false on timeout (or when the buffer filled up first).
    bool wait_frames(std::size_t count, std::chrono::milliseconds timeout);
    /// Blocks until `seconds` more audio has been recorded; false on timeout.
    bool wait_seconds(double seconds);
    /// A copy of frames [begin, end); `end` is clamped to what is recorded.
    Take take(std::size_t begin, std::size_t end) const;
    /// A copy of everything recorded so far.
    Take take_all() const { return take(0, frames_approx()); }

    double sample_rate() const noexcept { return sample_rate_; }
    /// JACK frame time of the first recorded frame; 0 until it is known.
    jack_nframes_t first_frame_time() const noexcept { return first_frame_time_.load(std::memory_order_acquire); }
    bool overflowed() const noexcept { return overflowed_.load(std::memory_order_relaxed); }

    /// True when in_1 is connected to exactly <lel>:out_1 and in_2 to
    /// <lel>:out_2, and the lel client is the one first connected (same UUID).
    bool connected_to_same_client() const;
    /// Times one of our connections was broken, or the lel client went away.
    uint64_t disconnections() const noexcept { return disconnections_.load(std::memory_order_relaxed); }
    uint64_t lel_client_unregistrations() const noexcept { return unregistrations_.load(std::memory_order_relaxed); }
    /// Xruns the JACK server reported since the capture started: cycles
    /// in which some client (or the driver) missed its deadline.
    uint64_t xruns() const noexcept { return xruns_.load(std::memory_order_relaxed); }

private:
    static int process(jack_nframes_t frames, void* self) noexcept;
    std::atomic<bool> lost_{false};  // the server shut us down (JACK's notification thread)
    static void on_connect(jack_port_id_t a, jack_port_id_t b, int connect, void* self) noexcept;
    static void on_client(const char* name, int registered, void* self) noexcept;
    static int on_xrun(void* self) noexcept;
    std::string lel_uuid() const;

    std::string lel_client_;
    std::string lel_uuid_;  // set before activation
    jack_client_t* client_ = nullptr;
    jack_port_t* ports_[2] = {nullptr, nullptr};
    double sample_rate_ = 0.0;

    // Written by process() below written_, read by the test above it.
    std::vector<float> left_, right_;
    std::atomic<std::size_t> written_{0};  // process() stores (release), readers load (acquire)
    std::atomic<jack_nframes_t> first_frame_time_{0};
    std::atomic<bool> overflowed_{false};
    std::atomic<uint64_t> disconnections_{0};   // notification thread writes
    std::atomic<uint64_t> unregistrations_{0};  // notification thread writes
    std::atomic<uint64_t> xruns_{0};            // notification thread writes
    static_assert(std::atomic<std::size_t>::is_always_lock_free);
};

}  // namespace lel::test
