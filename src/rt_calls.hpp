// lel — the only calls real-time code makes that the compiler cannot check.
//
// Under clang, LEL_RT functions are [[clang::nonblocking]] and
// -Wfunction-effects rejects calls to functions not declared so. The few
// such calls lel's real-time code needs are wrapped here, one by one, each
// with the reason it is safe. Nothing else in the real-time path may
// silence the check. At run time RealtimeSanitizer (-Drtsan=true) still
// watches everything these call.
#pragma once

#include <lel/abi.hpp>
#include <lel/detail/rt.hpp>

#include "fault_guard.hpp"

#include <jack/jack.h>
#include <jack/midiport.h>
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

/// A port's buffer for this cycle: real-time safe by JACK's contract (it
/// may only be called from the process callback).
inline float* port_buffer(jack_port_t* port, jack_nframes_t frames) noexcept LEL_RT {
    LEL_RT_UNCHECKED_BEGIN
    return static_cast<float*>(jack_port_get_buffer(port, frames));
    LEL_RT_UNCHECKED_END
}

/// The JACK frame time at the start of this cycle: real-time safe by
/// JACK's contract (meant for the process callback; it reads the engine's
/// shared timing record).
inline jack_nframes_t cycle_start(jack_client_t* client) noexcept LEL_RT {
    LEL_RT_UNCHECKED_BEGIN
    return jack_last_frame_time(client);
    LEL_RT_UNCHECKED_END
}

/// How many MIDI events a MIDI port's buffer holds this cycle, and the
/// i-th of them: real-time safe by JACK's contract (midiport.h: for the
/// process callback; they read the port's buffer in place).
inline uint32_t midi_event_count(void* port_buffer) noexcept LEL_RT {
    LEL_RT_UNCHECKED_BEGIN
    return jack_midi_get_event_count(port_buffer);
    LEL_RT_UNCHECKED_END
}
inline bool midi_event(jack_midi_event_t& event, void* port_buffer, uint32_t i) noexcept LEL_RT {
    LEL_RT_UNCHECKED_BEGIN
    return jack_midi_event_get(&event, port_buffer, i) == 0;
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
