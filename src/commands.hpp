// lel — the OSC commands: what each /lel/... message does and answers.
// See docs/OSC.md for the reference a user reads.
//
// Threads: control thread only.
#pragma once

#include "engine.hpp"
#include "osc_server.hpp"

#include <chrono>
#include <cstdint>
#include <functional>

namespace lel {

/// Figures only the running daemon knows (JACK, producer); all optional so
/// that the commands work over an engine without JACK too.
struct RuntimeFigures {
    uint32_t period = 0;
    uint32_t ring_frames = 0;
    uint32_t block = 0;
    uint64_t underruns = 0;
    uint64_t xruns = 0;
};

struct CommandContext {
    Engine& engine;
    std::function<RuntimeFigures()> runtime;  ///< may be empty
    std::function<void()> quit;               ///< asks the daemon to stop
    /// How long a command waits for its program to take effect before it
    /// answers anyway (with frame -1).
    std::chrono::milliseconds swap_timeout{2000};
};

/// Routes every /lel/... command of `server` to `context`.
void install_commands(OscServer& server, CommandContext& context);

}  // namespace lel
