#include "program_mailbox.hpp"

#include "rt_calls.hpp"

#include <cerrno>
#include <ctime>

namespace lel {

ProgramMailbox::ProgramMailbox() { sem_init(&swapped_, 0, 0); }

ProgramMailbox::~ProgramMailbox() {
    collect();
    delete pending_.exchange(nullptr, std::memory_order_acquire);
    sem_destroy(&swapped_);
}

void ProgramMailbox::publish(std::unique_ptr<Program> next) {
    // release: the program's contents are visible to the producer's acquire
    // exchange in try_take; acquire: a superseded program came from us.
    Program* never_taken = pending_.exchange(next.release(), std::memory_order_acq_rel);
    if (never_taken) {
        frames_[never_taken->id()] = superseded;
        delete never_taken;
    }
}

Program* ProgramMailbox::try_take(std::size_t returns) noexcept {
    if (pending_.load(std::memory_order_relaxed) == nullptr) return nullptr;  // the common case: one load
    if (returned_.write_available() < returns) return nullptr;  // retry next block once control has drained
    return pending_.exchange(nullptr, std::memory_order_acq_rel);  // acquire pairs with publish's release
}

void ProgramMailbox::retire(Program* retired, uint64_t program_id, uint64_t frame) noexcept {
    const Swap s{retired, program_id, frame};
    returned_.try_write(std::span<const Swap>(&s, 1));  // room checked in try_take
    rt::post(swapped_);
}

std::optional<ProgramMailbox::Swap> ProgramMailbox::collect() {
    std::optional<Swap> seen;
    Swap s{};
    while (returned_.try_read(std::span<Swap>(&s, 1)) == 1) {
        delete s.retired;
        s.retired = nullptr;
        if (s.program_id == 0) continue;  // a hand-back only
        if (s.frame != superseded) last_ = s;
        seen = s;
        frames_[s.program_id] = s.frame;
    }
    // Keep the table small: only the recent ids can still be waited for.
    if (frames_.size() > 256) {
        std::erase_if(frames_, [&](const auto& kv) { return kv.first + 128 < last_.program_id; });
    }
    return seen;
}

std::optional<uint64_t> ProgramMailbox::wait_swapped(uint64_t id, std::chrono::milliseconds timeout) {
    timespec deadline{};
    clock_gettime(CLOCK_REALTIME, &deadline);
    const auto ns = deadline.tv_nsec + std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
    deadline.tv_sec += static_cast<time_t>(ns / 1'000'000'000);
    deadline.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    for (;;) {
        if (const auto frame = swap_frame(id)) return frame;
        if (sem_timedwait(&swapped_, &deadline) != 0 && errno == ETIMEDOUT) return swap_frame(id);
    }
}

std::optional<uint64_t> ProgramMailbox::swap_frame(uint64_t id) {
    collect();
    if (const auto it = frames_.find(id); it != frames_.end()) return it->second;
    return std::nullopt;
}

}  // namespace lel
