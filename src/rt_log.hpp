// lel — logging from real-time threads, deferred.
//
// Design: a real-time thread never formats, allocates or writes. It fills a
// fixed-size record and tries to push it into an SPSC ring; when the ring is
// full the record is dropped and counted. The control thread drains the ring
// and hands each record to spdlog.
#pragma once

#include <lel/detail/rt.hpp>

#include "ring.hpp"

#include <atomic>
#include <cstdint>

namespace lel {

struct RtLogRecord {
    enum class Kind : uint8_t {
        signal_out_of_range,  // a signal produced NaN, infinity or a sample beyond detail::max_sample; muted
        signal_threw,       // a signal's code threw and it was muted
        helper_order,       // a signal's helper calls changed order since its probe; muted
        signal_crashed,     // a fatal signal in a signal's code (code: the signal number); muted
        signal_stalled,     // a signal's block did not return in time and was stopped; muted
        signal_exited,      // a signal's code called exit() (code: its status); muted
    };
    Kind kind;
    uint64_t frame;
    int32_t code = 0;
    char name[64];  // truncated copy: the program holding the name may be gone when drained
};
static_assert(std::is_trivially_copyable_v<RtLogRecord>);

class RtLog {
public:
    RtLog() : ring_(256) {}

    /// Producer thread (the single writer); wait-free. Never fails loudly:
    /// a record that does not fit is counted in dropped().
    void try_log(RtLogRecord::Kind kind, uint64_t frame, const char* name, int32_t code = 0) noexcept LEL_RT;

    /// Control thread; blocking (spdlog). Logs every queued record.
    void drain();

    uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }

private:
    SpscRing<RtLogRecord> ring_;
    std::atomic<uint64_t> dropped_{0};  // incremented by the writer, read by anyone
};

}  // namespace lel
