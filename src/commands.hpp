// lel — the OSC commands: what each /lel/... message does and answers.
// See docs/OSC.md for the reference a user reads.
//
// Most commands answer once their program has taken effect (at most a block
// later). A quantized load may take effect seconds later; its answer is
// deferred: the control loop calls flush_deferred() and the /lel/done goes
// out, with the swap frame, once the producer reports the swap.
//
// Numbers in replies are int32 or double, never int64: SuperCollider's
// sclang cannot decode OSC int64. Frames are doubles (exact to 2^53).
//
// Threads: control thread only.
#pragma once

#include "engine.hpp"
#include "osc_server.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

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

/// A /lel/done still owed to a client.
struct DeferredReply {
    OscServer::Sender to;
    uint64_t program_id;
    std::string path;
    int32_t signals;
    std::chrono::steady_clock::time_point give_up;
};

struct CommandContext {
    Engine& engine;
    std::function<RuntimeFigures()> runtime;  ///< may be empty
    std::function<void()> quit;               ///< asks the daemon to stop
    /// How long a command waits for its program to take effect before it
    /// answers anyway (with frame -1).
    std::chrono::milliseconds swap_timeout{2000};
    /// Beats per minute for quantized loads; 0: quanta are in frames.
    double tempo_bpm = 0.0;
    std::vector<DeferredReply> deferred;
};

/// Routes every /lel/... command of `server` to `context`.
void install_commands(OscServer& server, CommandContext& context);

/// Sends the deferred replies whose programs have taken effect (or that
/// waited too long). Never blocks.
void flush_deferred(OscServer& server, CommandContext& context);

}  // namespace lel
