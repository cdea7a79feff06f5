// lel — everything a session file includes: `#include <lel/lel.hpp>`.
//
//     LEL_SESSION(session) {
//         session.add("sine-440", [](auto& s) {
//             s.state[0] = std::fmod(s.state[0] + 440.0 * s.dt, 1.0);
//             return 0.5 * std::sin(2.0 * M_PI * s.state[0]);
//         });
//     }
//
// See docs/SESSION_API.md for the whole API.
#pragma once

#include <lel/abi.hpp>
#include <lel/context.hpp>
#include <lel/dsp/envelopes.hpp>
#include <lel/dsp/rhythm.hpp>
#include <lel/dsp/utility.hpp>
#include <lel/dsp/delays.hpp>
#include <lel/dsp/filters.hpp>
#include <lel/dsp/samples.hpp>
#include <lel/osc.hpp>
#include <lel/session.hpp>
