// lel — fault isolation for user code: a signal's block, a session body.
//
// Design: the code of a loaded module runs between a sigsetjmp and its
// return, with this thread marked as "in user code". A crash there
// (SIGSEGV, SIGBUS, SIGFPE, SIGILL, or SIGABRT from abort()), an exit() it
// calls (leld interposes exit: leld_main.cpp), or the watchdog's SIGUSR2
// when it has run too long, lands in a handler that siglongjmps back to the
// guard, which reports what happened instead of the process dying or
// hanging. The renderer then mutes that one signal and renders the others;
// the engine fails that one load. A fault anywhere else (leld's own code)
// takes the default action, as before.
//
// The watchdog is a thread that wakes every `interval` and, for each thread
// registered with watch_this_thread(), sends SIGUSR2 to it when it has been
// inside the same guarded call for `limit` or more and has run (CPU time)
// for half of that: an endless loop in a signal is stopped within limit +
// interval (leld: one period plus half a period), in a session body after
// 5 s. The CPU time is there so that a producer the OS preempted inside a
// signal (a loaded machine) is never taken for a stalled one: a block that
// has spent half a period of CPU is one.
//
// Why jumping out is safe enough, and where it is not (docs/ARCHITECTURE.md,
// "Fault isolation"): the code jumped out of is a signal's block function or
// a session body, whose contract forbids locks, allocation and blocking
// calls on the producer; its frames are abandoned without destructors, and
// its state is left as it was (the signal stays muted until it is
// replaced). Handlers run on an alternate stack (a stack overflow is caught
// too) with SA_NODEFER, so a second fault is caught like the first. Not
// caught: memory the code corrupted outside its own state (another
// signal's slice, the heap), a lock it held when it crashed (a session body
// inside malloc), _exit(), and faults in a module's static constructors
// (dlopen's lock would stay held).
//
// Threads: guarded calls run on any thread that called prepare_this_thread()
// (the producer, the control thread); the rest of the process is unaffected.
#pragma once

#include <lel/abi.hpp>
#include <lel/detail/rt.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <pthread.h>
#include <string>
#include <thread>

namespace lel::fault {

/// How a guarded call ended.
enum class Ending : int32_t {
    returned = 0,  ///< it ran to its end
    crashed,       ///< a fatal signal in its code (signal())
    stalled,       ///< the watchdog stopped it: it ran longer than its limit
    exited,        ///< it called exit() (status())
};

/// What became of the last guarded call on this thread.
struct Report {
    Ending ending = Ending::returned;
    int signal = 0;       ///< for crashed: SIGSEGV, SIGBUS, SIGFPE, SIGILL or SIGABRT
    int exit_status = 0;  ///< for exited
    /// "crashed (SIGSEGV: invalid memory access)", "ran longer than 5000 ms", ...
    std::string describe() const;
};

/// Installs the handlers, once per process. Control thread, before any
/// guarded call. Idempotent.
void install();

/// Gives the calling thread an alternate signal stack, so that a stack
/// overflow in user code still reaches the handler. Once per thread, before
/// its first guarded call; not real-time (it allocates).
void prepare_this_thread();

/// Runs a signal's block function with faults caught. Producer thread;
/// adds a sigsetjmp (no system call) to the call. Returns the block
/// function's result, or -1 when it did not return: then `report` says why
/// (it is left as it was when the function returned).
int32_t guarded_render(lel_render_fn render, void* user, const lel_block* block, double* state,
                       Report& report) noexcept LEL_RT;

/// Runs fn(context) with faults caught: what became of it.
Report guarded_call(void (*fn)(void*), void* context) noexcept;

template <class F>
Report guarded(F&& f) noexcept {
    return guarded_call([](void* c) { (*static_cast<F*>(c))(); }, &f);
}

/// leld's exit(): inside a guarded call it ends that call (Ending::exited);
/// elsewhere it is the C library's exit. Never returns.
[[noreturn]] void exit_called(int status) noexcept;

/// True while the calling thread is inside a guarded call.
bool inside() noexcept;

/// The watchdog (see the top of this file).
class Watchdog {
public:
    Watchdog() = default;
    ~Watchdog() { stop(); }
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    /// Starts watching, waking every `interval`; with `rt_priority` > 0 at
    /// that SCHED_FIFO priority (so that it wakes on time beside a busy
    /// real-time producer). Returns a warning to log ("" if none).
    std::string start(std::chrono::nanoseconds interval, int rt_priority = 0);
    void stop();

    /// Stalls stopped so far.
    uint64_t stops() const noexcept { return stops_.load(std::memory_order_relaxed); }

private:
    void run(std::chrono::nanoseconds interval);

    std::thread thread_;
    std::atomic<bool> running_{false};
    std::atomic<uint64_t> stops_{0};
};

/// Registers the calling thread with every watchdog: a guarded call on it
/// that lasts `limit` or longer is stopped. At most 8 threads.
void watch_this_thread(std::chrono::nanoseconds limit);

}  // namespace lel::fault
