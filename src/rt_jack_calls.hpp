// lel — the JACK calls the process callback makes that the compiler cannot
// check (see rt_calls.hpp for why they are wrapped), apart from the
// engine's: only the JACK client includes this.
#pragma once

#include "rt_calls.hpp"

#include <jack/jack.h>
#include <jack/midiport.h>

namespace lel::rt {

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

}  // namespace lel::rt
