// lel — the OSC commands: what each /lel/... message does and answers.
// See docs/OSC.md for the reference a user reads.
//
// A command that changes what plays answers once its program has taken
// effect, with the frame it did: at the next block, or seconds later for a
// quantized load. No command waits for that: its answer is deferred, the
// control loop calls flush_deferred() and the /lel/done goes out once the
// producer reports the swap (or with frame -1 once it has waited too long),
// so a stalled producer or a bundle of thousands of commands never holds
// the control thread. Every number a command takes is checked against a
// range before it is used; every command gets exactly one answer.
//
// Numbers in replies are int32 or double, never int64: SuperCollider's
// sclang cannot decode OSC int64. Frames are doubles (exact to 2^53).
//
// Threads: control thread only.
#pragma once

#include "engine.hpp"
#include "notify.hpp"
#include "osc_server.hpp"
#include "protocol.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
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
    bool jack_connected = true;  ///< false while leld waits for its JACK server to come back
    uint64_t reconnects = 0;     ///< times it came back
};

/// An answer still owed to a client: sent once program `program_id` has
/// taken effect (or was superseded), or at `give_up` with no frame.
struct DeferredReply {
    OscServer::Sender to;  ///< length 0: left out of its packet's answers
    uint64_t program_id;
    std::chrono::steady_clock::time_point give_up;
    /// Builds the answer (and logs the outcome) from the swap frame, or
    /// nullopt when it gave up waiting.
    std::function<OscMessage(std::optional<uint64_t> frame)> answer;
    /// The /lel/event for subscribers once it took effect (empty: none).
    std::function<OscMessage(uint64_t frame)> event = {};
};

struct CommandContext {
    Engine* engine;  ///< never null; leld points it at a new engine when the sample rate changes
    std::function<RuntimeFigures()> runtime;  ///< may be empty
    std::function<void()> quit;               ///< asks the daemon to stop
    /// How long an answer waits for its program to take effect before it
    /// goes anyway (with frame -1); a quantized load adds its quantum.
    std::chrono::milliseconds swap_timeout{2000};
    std::vector<DeferredReply> deferred;
    /// The engine frame that reaches the output ports at an OSC time tag
    /// (NTP), or nullopt when there is no clock (no JACK): a timed bundle
    /// then applies at once. Empty: the same.
    std::function<std::optional<uint64_t>(uint64_t timetag)> frame_at = {};
    /// Timed bundles that arrived after their time (applied at once).
    uint64_t late = 0;
    /// Who hears /lel/event (/lel/notify).
    Subscribers subscribers = {};
};

/// The frame the message being handled should take effect at: its
/// bundle's time tag mapped through context.frame_at; 0 for "at once" (no
/// time tag, no clock, or a time already rendered: then counted as late).
/// nullopt (and the request failed) for a time more than an hour ahead.
std::optional<uint64_t> requested_frame(OscServer& server, CommandContext& context, std::string_view command);

/// A command's handler: runs on the control thread, answers through `server`.
using CommandHandler = void (*)(OscServer& server, CommandContext& context, const OscRequest& request);

/// Routes `path` of `server` to `handler`, with `context`.
void route_command(OscServer& server, CommandContext& context, const protocol::Command& command,
                   CommandHandler handler);

/// Routes every /lel/... command of `server` to `context`.
void install_commands(OscServer& server, CommandContext& context);

/// Sends the deferred answers whose programs have taken effect (or that
/// waited too long). Never blocks.
void flush_deferred(CommandContext& context, OscServer& server);

}  // namespace lel
