// Fault isolation (src/fault_guard.hpp) without JACK: a guarded call that
// writes through a null pointer, divides an integer by zero, calls abort(),
// overflows its stack or "calls exit()" comes back with the reason, again
// and again (the handlers stay armed); one that loops is stopped by the
// watchdog after its limit of CPU time; a block function's faults come back
// from guarded_render as -1; code that returns is untouched.
#include "fault_guard.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>

using namespace lel;
using namespace std::chrono_literals;

namespace {

volatile int zero = 0;
volatile int seven = 7;
volatile int* volatile nowhere = nullptr;
volatile int sink = 0;

// Recursion without end, as a typo makes it (-Winfinite-recursion knows).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winfinite-recursion"
int recurse(int depth) {
    volatile char pad[1024];
    pad[0] = static_cast<char>(depth);
    return recurse(depth + 1) + pad[0];
}
#pragma GCC diagnostic pop

class FaultGuard : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        fault::install();
        fault::prepare_this_thread();
    }
};

TEST_F(FaultGuard, crashes_come_back_with_their_signal_again_and_again) {
    for (int round = 0; round < 3; ++round) {
        fault::Report r = fault::guarded([] { *nowhere = 1; });
        EXPECT_EQ(r.ending, fault::Ending::crashed);
        EXPECT_EQ(r.signal, SIGSEGV);
        r = fault::guarded([] { sink = seven / zero; });
        EXPECT_EQ(r.ending, fault::Ending::crashed);
        EXPECT_EQ(r.signal, SIGFPE);
        r = fault::guarded([] { std::abort(); });
        EXPECT_EQ(r.ending, fault::Ending::crashed);
        EXPECT_EQ(r.signal, SIGABRT);
        EXPECT_NE(r.describe().find("abort()"), std::string::npos) << r.describe();
    }
    EXPECT_FALSE(fault::inside());
}

TEST_F(FaultGuard, a_stack_overflow_is_caught_on_the_alternate_stack) {
    const fault::Report r = fault::guarded([] { sink = recurse(0); });
    EXPECT_EQ(r.ending, fault::Ending::crashed);
    EXPECT_EQ(r.signal, SIGSEGV);
}

TEST_F(FaultGuard, exit_inside_a_guarded_call_ends_the_call_with_its_status) {
    const fault::Report r = fault::guarded([] { fault::exit_called(3); });
    EXPECT_EQ(r.ending, fault::Ending::exited);
    EXPECT_EQ(r.exit_status, 3);
    EXPECT_EQ(r.describe(), "called exit(3)");
}

TEST_F(FaultGuard, code_that_returns_is_untouched) {
    int ran = 0;
    const fault::Report r = fault::guarded([&] { ran = 42; });
    EXPECT_EQ(r.ending, fault::Ending::returned);
    EXPECT_EQ(ran, 42);
}

int32_t crashing_block(void*, const lel_block*, double*) noexcept {
    *nowhere = 2;
    return LEL_RENDER_OK;
}
int32_t fine_block(void*, const lel_block*, double* state) noexcept {
    state[0] += 1.0;
    return LEL_RENDER_THREW;  // any code it returns comes through
}

TEST_F(FaultGuard, a_block_function_that_crashes_returns_minus_one_and_one_that_returns_its_code) {
    fault::Report report;
    double state[1] = {0.0};
    EXPECT_EQ(fault::guarded_render(&crashing_block, nullptr, nullptr, state, report), -1);
    EXPECT_EQ(report.ending, fault::Ending::crashed);
    EXPECT_EQ(fault::guarded_render(&fine_block, nullptr, nullptr, state, report), LEL_RENDER_THREW);
    EXPECT_EQ(state[0], 1.0);
}

TEST_F(FaultGuard, the_watchdog_stops_a_call_that_runs_past_its_limit_of_cpu_time_and_no_other) {
    fault::Watchdog dog;
    dog.start(5ms);
    fault::Report endless, quick;
    std::thread t([&] {
        fault::prepare_this_thread();
        fault::watch_this_thread(50ms);
        quick = fault::guarded([] { std::this_thread::sleep_for(200ms); });  // asleep: no CPU time spent
        const auto from = std::chrono::steady_clock::now();
        endless = fault::guarded([] {
            for (;;) sink = sink + 1;
        });
        const auto took = std::chrono::steady_clock::now() - from;
        EXPECT_LT(took, 1s) << "stopped late";
    });
    t.join();
    EXPECT_EQ(quick.ending, fault::Ending::returned) << "a call that sleeps past the limit is not stalled";
    EXPECT_EQ(endless.ending, fault::Ending::stalled);
    EXPECT_EQ(dog.stops(), 1u);
}

}  // namespace
