// Test module: a steady 440 Hz sine, "tone", beside a signal, "bad", that
// plays silence and then, once it has played FAULT_AFTER samples (counted
// in its raw state, so its first sample, the load's probe, is fine), does
// one of the faults a live coder's code can do, chosen at build time:
//   -DNULL_WRITE   writes through a null pointer (SIGSEGV)
//   -DENDLESS      loops for ever
//   -DDIVIDE_ZERO  divides an integer by zero (SIGFPE)
//   -DABORT        calls std::abort() (SIGABRT)
//   -DEXIT         calls std::exit(0)
// leld must mute "bad" and play "tone" on (tests/integration/fault_test.cpp).
#include <lel/lel.hpp>

#include <cstdlib>

#ifndef FAULT_AFTER
#define FAULT_AFTER 24000
#endif

namespace {

volatile int zero = 0;          // volatile: the compiler may not see the fault coming
volatile int seven = 7;         // (1 / x is computed without a division by g++: 7 / x is not)
volatile int* volatile nowhere = nullptr;

double fault() {
#if defined(NULL_WRITE)
    *nowhere = 1;
#elif defined(ENDLESS)
    for (;;) zero = zero + 0;  // a side effect in the loop: not undefined, so not optimised away
#elif defined(DIVIDE_ZERO)
    return static_cast<double>(seven / zero);
#elif defined(ABORT)
    std::abort();
#elif defined(EXIT)
    std::exit(0);
#endif
    return 0.0;
}

}  // namespace

LEL_SESSION(session) {
    session.clear();
    session.add("tone", [](auto& s) { return 0.25 * lel::sine(s, 440.0); });
    session.add("bad", [](auto& s) {
        if (s.state[0]++ >= FAULT_AFTER) return fault();
        return 0.0;
    });
}
