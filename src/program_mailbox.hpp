// lel — how programs cross the real-time boundary, both ways.
//
// Design (after scsynth's sequenced commands): the control thread publishes
// a new Program into a one-slot mailbox (an atomic pointer). The producer
// takes it at the start of a block, makes it current, and hands the program
// it replaced back through an SPSC ring together with the id of the new one
// and the frame at which it took effect, then posts a semaphore. The control
// thread drains that ring and deletes retired programs: only programs the
// producer has handed back are ever deleted, so the producer never sees
// freed memory, and nothing is freed on the real-time thread.
//
// A program published while another is still pending supersedes it; the
// superseded one was never seen by the producer (the exchange proves it)
// and is deleted by the control thread at once.
#pragma once

#include <lel/detail/rt.hpp>

#include "program.hpp"
#include "ring.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <semaphore.h>
#include <unordered_map>

namespace lel {

class ProgramMailbox {
public:
    /// What the producer reports for each swap.
    struct Swap {
        Program* retired;     // the program replaced (may be null)
        uint64_t program_id;  // the program that took over
        uint64_t frame;       // first frame it rendered
    };
    static_assert(std::is_trivially_copyable_v<Swap>);

    ProgramMailbox();
    ~ProgramMailbox();
    ProgramMailbox(const ProgramMailbox&) = delete;
    ProgramMailbox& operator=(const ProgramMailbox&) = delete;

    /// Control thread; wait-free. Makes `next` the program the producer
    /// takes at its next block.
    void publish(std::unique_ptr<Program> next) noexcept;

    /// Producer thread; wait-free. The pending program, if any (ownership
    /// passes to the producer until it retires it). Returns null while the
    /// return ring is full, so that retire() always has room.
    Program* try_take() noexcept LEL_RT;

    /// Producer thread; wait-free (sem_post never blocks). Hands `retired`
    /// back and reports that `program_id` took effect at `frame`.
    void retire(Program* retired, uint64_t program_id, uint64_t frame) noexcept LEL_RT;

    /// Control thread; deletes every retired program and returns the last
    /// swap seen, if any. Never blocks.
    std::optional<Swap> collect();

    /// Control thread; blocks up to `timeout` until program `id` (or a later
    /// one) has taken effect. Returns the frame at which `id` took effect, or
    /// the frame of the later program that superseded it.
    std::optional<uint64_t> wait_swapped(uint64_t id, std::chrono::milliseconds timeout);

    /// The latest program id known to have taken effect. Control thread.
    uint64_t swapped_id() const noexcept { return last_.program_id; }

private:
    std::atomic<Program*> pending_{nullptr};  // stored by control, exchanged by both
    SpscRing<Swap> returned_{64};             // producer writes, control reads
    sem_t swapped_;                           // posted by the producer after each retire
    Swap last_{nullptr, 0, 0};                // control only
    std::unordered_map<uint64_t, uint64_t> frames_;  // control only: id -> swap frame, pruned
};

}  // namespace lel
