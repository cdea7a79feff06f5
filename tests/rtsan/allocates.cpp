// The negative control for the RTSan soak: a signal that allocates on every
// block. RealtimeSanitizer must report it (tests/rtsan/soak.sh expects so).
#include <lel/lel.hpp>

#include <cstdlib>

namespace {
// A volatile sink keeps the compiler from eliding the malloc/free pair.
void* volatile sink = nullptr;
}  // namespace

LEL_SESSION(session) {
    session.add("allocates", [](auto& s) {
        if (s.idx == 0) {
            sink = std::malloc(64);  // on the real-time thread: must be reported
            std::free(sink);
        }
        return 0.0;
    });
}
