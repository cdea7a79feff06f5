// lel — the only calls real-time code makes that the compiler cannot check.
//
// Under clang, LEL_RT functions are [[clang::nonblocking]] and
// -Wfunction-effects rejects calls to functions not declared so. The few
// such calls lel's real-time code needs are wrapped here, one by one, each
// with the reason it is safe (JACK's, for the JACK client alone, in
// rt_jack_calls.hpp: the engine's real-time library does not see JACK). Nothing else in the real-time path may
// silence the check. At run time RealtimeSanitizer (-Drtsan=true) still
// watches everything these call.
#pragma once

#include <lel/abi.hpp>
#include <lel/detail/rt.hpp>

#include "fault_guard.hpp"

#include <semaphore.h>

#if defined(__clang__)
#  define LEL_RT_UNCHECKED_BEGIN _Pragma("clang diagnostic push") _Pragma("clang diagnostic ignored \"-Wfunction-effects\"")
#  define LEL_RT_UNCHECKED_END _Pragma("clang diagnostic pop")
#else
#  define LEL_RT_UNCHECKED_BEGIN
#  define LEL_RT_UNCHECKED_END
#endif

namespace lel::rt {

/// Wakes one waiter. sem_post is async-signal-safe and never blocks (a
/// futex wake at most); JACK's documentation recommends it for waking a
/// helper thread from the process callback.
inline void post(sem_t& sem) noexcept LEL_RT {
    LEL_RT_UNCHECKED_BEGIN
    sem_post(&sem);
    LEL_RT_UNCHECKED_END
}

/// Runs a signal's block function: the user's code, compiled in a module,
/// guarded (fault_guard.hpp: a crash, an exit() or a stall in it returns
/// -1 with `report` saying which). It cannot be checked statically here;
/// the session API documents what a signal must not do, and RTSan checks
/// it at run time.
inline int32_t render_signal(lel_render_fn render, void* user, const lel_block* block, double* state,
                             fault::Report& report) noexcept LEL_RT {
    return fault::guarded_render(render, user, block, state, report);
}

}  // namespace lel::rt
