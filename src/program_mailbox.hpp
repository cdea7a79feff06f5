// lel — how programs cross the real-time boundary, both ways.
//
// Design (after scsynth's sequenced commands): the control thread publishes
// a new Program into a one-slot mailbox (an atomic pointer). The producer
// takes it at the start of a block, makes it current, and hands the program
// it replaced back through an SPSC ring together with the id of the new one
// and the frame at which it took effect, then posts a semaphore. The control
// thread drains that ring and deletes retired programs: only programs the
// producer has handed back are ever deleted, so the producer never sees
// freed memory, and nothing is freed on the real-time thread. Deleting a
// program is also what gives the state slices only it held back to the
// arena (see state_arena.hpp).
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
    /// What the producer hands back: a program it is done with, a swap, or
    /// both.
    struct Swap {
        Program* retired;     // a program to free (may be null)
        uint64_t program_id;  // the program that took over (0: no swap)
        uint64_t frame;       // first frame it rendered, or superseded
    };
    /// The frame reported for a program replaced before it took effect.
    static constexpr uint64_t superseded = ~uint64_t{0};
    static_assert(std::is_trivially_copyable_v<Swap>);

    ProgramMailbox();
    ~ProgramMailbox();
    ProgramMailbox(const ProgramMailbox&) = delete;
    ProgramMailbox& operator=(const ProgramMailbox&) = delete;

    /// Control thread. Makes `next` the program the producer takes at its
    /// next block; a pending program it replaces is recorded as superseded.
    void publish(std::unique_ptr<Program> next);

    /// Producer thread; wait-free. The pending program, if any (ownership
    /// passes to the producer until it hands it back). Returns null unless
    /// the return ring has room for `returns` more records, so that the
    /// hand-backs the producer then makes always fit.
    Program* try_take(std::size_t returns) noexcept LEL_RT;

    /// Producer thread; wait-free; may fail. Room for `n` more records?
    bool has_room(std::size_t n) const noexcept LEL_RT { return returned_.write_available() >= n; }

    /// Producer thread; wait-free (sem_post never blocks). Hands `retired`
    /// (may be null) back and reports that `program_id` (0: none) took
    /// effect at `frame`. Precondition: has_room(1).
    void retire(Program* retired, uint64_t program_id, uint64_t frame) noexcept LEL_RT;

    /// Control thread; deletes every retired program and returns the last
    /// swap seen, if any. Never blocks.
    std::optional<Swap> collect();

    /// Control thread; blocks up to `timeout` until program `id` has taken
    /// effect or was superseded. Returns the frame at which it took effect
    /// (`superseded` if it never did), nullopt on timeout.
    std::optional<uint64_t> wait_swapped(uint64_t id, std::chrono::milliseconds timeout);

    /// Control thread; never blocks. The frame program `id` took effect at
    /// (or `superseded`), if the producer has said so yet.
    std::optional<uint64_t> swap_frame(uint64_t id);

private:
    std::atomic<Program*> pending_{nullptr};  // stored by control, exchanged by both
    SpscRing<Swap> returned_{256};            // producer writes, control reads
    sem_t swapped_;                           // posted by the producer after each retire
    Swap last_{nullptr, 0, 0};                // control only
    std::unordered_map<uint64_t, uint64_t> frames_;  // control only: id -> swap frame, pruned
};

}  // namespace lel
