#include "rt_log.hpp"

#include <lel/detail/block.hpp>

#include "fault_guard.hpp"

#include <spdlog/spdlog.h>

namespace lel {

void RtLog::try_log(RtLogRecord::Kind kind, uint64_t frame, const char* name, int32_t code) noexcept {
    RtLogRecord r{kind, frame, code, {}};
    std::size_t i = 0;
    for (; name && name[i] != '\0' && i + 1 < sizeof r.name; ++i) r.name[i] = name[i];
    r.name[i] = '\0';
    if (ring_.try_write(std::span<const RtLogRecord>(&r, 1)) == 0) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
    }
}

// Control thread only (Engine::collect): the one place where queued records
// become spdlog calls.
void RtLog::drain() {
    RtLogRecord r{};
    while (ring_.try_read(std::span<RtLogRecord>(&r, 1)) == 1) {
        switch (r.kind) {
            case RtLogRecord::Kind::signal_out_of_range:
                spdlog::warn("signal '{}' produced NaN, infinity or a sample beyond ±{} at frame {}: muted until it "
                             "is replaced (its next code gets fresh state)",
                             r.name, detail::max_sample, r.frame);
                break;
            case RtLogRecord::Kind::helper_order:
                spdlog::warn("signal '{}' called its helpers in another order at frame {} than when it was loaded "
                             "(a helper called on some samples only?): muted until it is replaced; call every "
                             "helper on every sample, in the same order", r.name, r.frame);
                break;
            case RtLogRecord::Kind::signal_threw:
                spdlog::warn("signal '{}' threw an exception at frame {}: muted until it is replaced", r.name, r.frame);
                break;
            case RtLogRecord::Kind::signal_crashed:
                spdlog::error("signal '{}' {} at frame {}: muted until it is replaced; the other signals play on",
                              r.name, fault::Report{fault::Ending::crashed, r.code, 0}.describe(), r.frame);
                break;
            case RtLogRecord::Kind::signal_stalled:
                spdlog::error("signal '{}' did not return from its block at frame {} within a period (an endless "
                              "loop?): stopped and muted until it is replaced; the other signals play on",
                              r.name, r.frame);
                break;
            case RtLogRecord::Kind::signal_exited:
                spdlog::error("signal '{}' called exit({}) at frame {}: muted until it is replaced; leld plays on",
                              r.name, r.code, r.frame);
                break;
        }
    }
}

}  // namespace lel
