// lel — everything a session file includes: `#include <lel/lel.hpp>`.
//
//     LEL_SESSION(session) {
//         session.add("bass", [](auto& s) {
//             const double env = lel::adsr(s, lel::seq(s, {1, 0, 1, 1}, 0.25), 0.005, 0.1, 0.5, 0.1);
//             return 0.3 * env * lel::lowpass(s, lel::saw(s, 55.0), 800.0, 2.0);
//         });
//     }
//
// Every helper keeps its own state, by call order, across reloads
// (dsp/state.hpp). See docs/SESSION_API.md and docs/STDLIB.md.
// See docs/SESSION_API.md for the whole API.
#pragma once

#include <lel/abi.hpp>
#include <lel/context.hpp>
// The standard library (docs/STDLIB.md), one header per family:
#include <lel/dsp/delays.hpp>
#include <lel/dsp/envelopes.hpp>
#include <lel/dsp/filters.hpp>
#include <lel/dsp/midi.hpp>
#include <lel/dsp/noise.hpp>
#include <lel/dsp/oscillators.hpp>
#include <lel/dsp/params.hpp>
#include <lel/dsp/rhythm.hpp>
#include <lel/dsp/routing.hpp>
#include <lel/dsp/samples.hpp>
#include <lel/dsp/sine_table.hpp>
#include <lel/dsp/state.hpp>
#include <lel/dsp/utility.hpp>
#include <lel/session.hpp>
