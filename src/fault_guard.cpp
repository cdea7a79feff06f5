#include "fault_guard.hpp"

#include "rt_calls.hpp"

#include <array>
#include <csetjmp>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fmt/format.h>
#include <mutex>
#include <time.h>
#include <vector>

namespace lel::fault {
namespace {

/// The calling thread's guard. Written by the thread and by the handlers
/// that interrupt it (volatile sig_atomic_t: what a handler may touch).
struct ThreadGuard {
    sigjmp_buf* jump = nullptr;
    volatile sig_atomic_t inside = 0;
    volatile sig_atomic_t ending = 0;
    volatile sig_atomic_t signal = 0;
    volatile sig_atomic_t status = 0;
};
// initial-exec: these live in the executable's static TLS, so a read is one
// load at a fixed offset from the thread pointer. The default model of
// -fPIC code (which a static library is) calls __tls_get_addr each time:
// per signal per block on the producer, that was measured.
#define LEL_STATIC_TLS __attribute__((tls_model("initial-exec")))
thread_local ThreadGuard t_guard LEL_STATIC_TLS;

/// A thread the watchdog watches. The thread writes `entries` and
/// `inside`; the watchdog reads them and writes `target` before it sends
/// SIGUSR2, so that a call that ended meanwhile is not the one stopped.
struct Watched {
    std::atomic<bool> active{false};
    pthread_t thread{};
    std::chrono::nanoseconds limit{};
    std::atomic<uint64_t> entries{0};
    std::atomic<bool> inside{false};
    std::atomic<uint64_t> target{0};
    clockid_t cpu_clock{};  // the thread's CPU time: a thread the OS has not run is not stalled
    // The watchdog's own bookkeeping.
    uint64_t seen = 0;
    std::chrono::nanoseconds since{};  // the thread's CPU time when `seen` was first seen running
    std::chrono::steady_clock::time_point since_wall{};  // and the wall clock then
    uint64_t stopped = 0;
};
constexpr std::size_t max_watched = 8;
std::array<Watched, max_watched> g_watched;
std::atomic<std::size_t> g_watched_count{0};
thread_local Watched* t_watched LEL_STATIC_TLS = nullptr;

constexpr int stall_signal = SIGUSR2;
constexpr std::array fatal_signals{SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

[[noreturn]] void jump_back(ThreadGuard& g, Ending why, int signal, int status) noexcept {
    g.inside = 0;
    g.ending = static_cast<sig_atomic_t>(why);
    g.signal = signal;
    g.status = status;
    siglongjmp(*g.jump, 1);
}

void on_fatal(int sig, siginfo_t*, void*) {
    ThreadGuard& g = t_guard;
    if (g.inside && g.jump) jump_back(g, Ending::crashed, sig, 0);
    // Not in user code: what would have happened without this handler.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, nullptr);
    raise(sig);
}

void on_stall(int, siginfo_t*, void*) {
    ThreadGuard& g = t_guard;
    Watched* w = t_watched;
    if (!g.inside || !g.jump || !w) return;
    if (w->target.load(std::memory_order_relaxed) != w->entries.load(std::memory_order_relaxed)) return;  // that call ended
    jump_back(g, Ending::stalled, 0, 0);
}

// enter() and leave() run on the producer between blocks. Not LEL_RT only
// because clang's effect analysis refuses thread-local variables: these are
// in the executable (static TLS, a fixed offset from the thread pointer), so
// reading them allocates nothing and takes no lock.
void enter(ThreadGuard& g) noexcept {
    if (Watched* w = t_watched) {
        // This thread is the only writer: a load and a store, not a locked
        // add (a full barrier on x86, per signal per block).
        w->entries.store(w->entries.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        w->inside.store(true, std::memory_order_release);
    }
    std::atomic_signal_fence(std::memory_order_seq_cst);
    g.inside = 1;
    std::atomic_signal_fence(std::memory_order_seq_cst);
}

void leave(ThreadGuard& g) noexcept {
    g.inside = 0;
    std::atomic_signal_fence(std::memory_order_seq_cst);
    if (Watched* w = t_watched) w->inside.store(false, std::memory_order_release);
}

Report report_of(const ThreadGuard& g) noexcept {
    return Report{static_cast<Ending>(g.ending), static_cast<int>(g.signal), static_cast<int>(g.status)};
}

const char* what_signal(int sig) {
    switch (sig) {
        case SIGSEGV: return "SIGSEGV: invalid memory access";
        case SIGBUS: return "SIGBUS: bad memory access";
        case SIGFPE: return "SIGFPE: arithmetic fault, e.g. an integer division by zero";
        case SIGILL: return "SIGILL: illegal instruction";
        case SIGABRT: return "SIGABRT: abort() or a failed assertion";
        default: return "a fatal signal";
    }
}

}  // namespace

std::string Report::describe() const {
    switch (ending) {
        case Ending::returned: return "returned";
        case Ending::crashed: return fmt::format("crashed ({})", what_signal(signal));
        case Ending::stalled: return "did not return in time (an endless loop?) and was stopped";
        case Ending::exited: return fmt::format("called exit({})", exit_status);
    }
    return "?";
}

void install() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction sa {};
        sa.sa_sigaction = &on_fatal;
        sigemptyset(&sa.sa_mask);
        // SA_NODEFER: the handler leaves by siglongjmp without restoring a
        // mask, so the signal must not be blocked while it runs.
        sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
        for (const int sig : fatal_signals) sigaction(sig, &sa, nullptr);
        sa.sa_sigaction = &on_stall;
        sigaction(stall_signal, &sa, nullptr);
    });
}

void prepare_this_thread() {
    static constexpr std::size_t size = 256 * 1024;
    thread_local std::vector<char> stack;
    if (!stack.empty()) return;
    stack.resize(size);
    stack_t ss{};
    ss.ss_sp = stack.data();
    ss.ss_size = stack.size();
    sigaltstack(&ss, nullptr);
}

// Two places jump back: guarded_render (a block, per signal per block on
// the producer, so it calls the block function directly: no Report built,
// no call through a lambda) and guarded_call (anything else). sigsetjmp
// must be called in the frame that stays alive, and g++ never inlines a
// function that calls it, so each has its own; arm() and disarm() are the
// rest of both.
namespace {

void arm(ThreadGuard& g, sigjmp_buf& env) noexcept {
    g.jump = &env;
    enter(g);
}

void disarm(ThreadGuard& g) noexcept {
    leave(g);
    g.jump = nullptr;
}

}  // namespace

// Unchecked for -Wfunction-effects: a sigsetjmp that saves no mask (no
// system call) and the user's block function, which rt::render_signal
// documents; nothing here allocates. `report` is written only when the
// block did not return.
LEL_RT_UNCHECKED_BEGIN
int32_t guarded_render(lel_render_fn render, void* user, const lel_block* block, double* state,
                       Report& report) noexcept {
    ThreadGuard& g = t_guard;  // (`result` needs no volatile: it is read only on the path that returned)
    if (g.inside) return render(user, block, state);
    sigjmp_buf env;
    if (sigsetjmp(env, 0) != 0) {
        disarm(g);
        report = report_of(g);
        return -1;
    }
    arm(g, env);
    const int32_t result = render(user, block, state);
    disarm(g);
    return result;
}
LEL_RT_UNCHECKED_END

Report guarded_call(void (*fn)(void*), void* context) noexcept {
    ThreadGuard& g = t_guard;
    if (g.inside) {
        fn(context);
        return {};
    }
    sigjmp_buf env;
    if (sigsetjmp(env, 0) != 0) {
        disarm(g);
        return report_of(g);
    }
    arm(g, env);
    fn(context);
    disarm(g);
    return {};
}

bool inside() noexcept { return t_guard.inside != 0; }

void exit_called(int status) noexcept {
    ThreadGuard& g = t_guard;
    if (g.inside && g.jump) jump_back(g, Ending::exited, 0, status);
    using ExitFn = void (*)(int);
    static const auto real = reinterpret_cast<ExitFn>(dlsym(RTLD_NEXT, "exit"));
    if (real) real(status);
    std::_Exit(status);
}

void watch_this_thread(std::chrono::nanoseconds limit) {
    const std::size_t i = g_watched_count.load(std::memory_order_relaxed);
    if (i >= max_watched || t_watched) return;
    Watched& w = g_watched[i];
    w.thread = pthread_self();
    w.limit = limit;
    if (pthread_getcpuclockid(w.thread, &w.cpu_clock) != 0) return;
    t_watched = &w;
    w.active.store(true, std::memory_order_release);
    g_watched_count.store(i + 1, std::memory_order_release);
    // The thread ends: never signal it again (its slot is not reused).
    struct Unwatch {
        ~Unwatch() {
            if (t_watched) t_watched->active.store(false, std::memory_order_release);
        }
    };
    thread_local Unwatch unwatch;
    (void)unwatch;
}

std::string Watchdog::start(std::chrono::nanoseconds interval, int rt_priority) {
    if (running_.exchange(true)) return {};
    thread_ = std::thread([this, interval] { run(interval); });
    pthread_setname_np(thread_.native_handle(), "lel-watchdog");
    if (rt_priority <= 0) return {};
    sched_param param{};
    param.sched_priority = rt_priority;
    if (const int err = pthread_setschedparam(thread_.native_handle(), SCHED_FIFO, &param); err != 0) {
        return fmt::format("the watchdog could not get SCHED_FIFO priority {}: {}", rt_priority, std::strerror(err));
    }
    return {};
}

void Watchdog::stop() {
    if (!running_.exchange(false)) return;
    if (thread_.joinable()) thread_.join();
}

void Watchdog::run(std::chrono::nanoseconds interval) {
    timespec next{};
    clock_gettime(CLOCK_MONOTONIC, &next);
    while (running_.load(std::memory_order_relaxed)) {
        const auto ns = next.tv_nsec + interval.count();
        next.tv_sec += static_cast<time_t>(ns / 1'000'000'000);
        next.tv_nsec = static_cast<long>(ns % 1'000'000'000);
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
        const std::size_t n = g_watched_count.load(std::memory_order_acquire);
        for (std::size_t i = 0; i < n; ++i) {
            Watched& w = g_watched[i];
            if (!w.active.load(std::memory_order_acquire)) continue;
            // Wall time and CPU time both: a thread preempted inside a call
            // (a loaded machine) has not spent its time running that call,
            // and a loop that shares its core still runs at least half of it.
            timespec cpu{};
            if (clock_gettime(w.cpu_clock, &cpu) != 0) continue;
            const std::chrono::nanoseconds now{int64_t{cpu.tv_sec} * 1'000'000'000 + cpu.tv_nsec};
            const auto wall = std::chrono::steady_clock::now();
            const uint64_t entry = w.entries.load(std::memory_order_relaxed);
            if (!w.inside.load(std::memory_order_acquire) || entry != w.seen) {
                w.seen = entry;
                w.since = now;
                w.since_wall = wall;
                continue;
            }
            if (wall - w.since_wall >= w.limit && now - w.since >= w.limit / 2 && w.stopped != entry) {
                w.stopped = entry;
                w.target.store(entry, std::memory_order_relaxed);
                stops_.fetch_add(1, std::memory_order_relaxed);
                pthread_kill(w.thread, stall_signal);
            }
        }
    }
}

}  // namespace lel::fault
