// Test module: a session body that goes wrong before it adds anything,
// chosen at build time:
//   -DBODY_NULL_WRITE  writes through a null pointer (SIGSEGV)
//   -DBODY_ENDLESS     loops for ever
// (A body that calls exit(0) is session_exits.cpp.) Its load must fail with
// a message, and what was playing play on (tests/integration/fault_test.cpp).
#include <lel/lel.hpp>

#include <cstdlib>

namespace {
volatile int counter = 0;
volatile int* volatile nowhere = nullptr;
}  // namespace

LEL_SESSION(session) {
#if defined(BODY_NULL_WRITE)
    *nowhere = 1;
#elif defined(BODY_ENDLESS)
    for (;;) counter = counter + 1;
#endif
    session.add("never", [](auto&) { return 0.0; });
}
