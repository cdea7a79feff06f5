#include "commands.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>
#include <cmath>

namespace lel {
namespace {

constexpr std::string_view load_usage = "usage: /lel/load s:absolute-path [quantum] [s:crossfade]";
constexpr std::string_view remove_usage = "usage: /lel/remove s:name";

// A frame as it goes on the wire; -1 for "not (yet) in effect".
double wire_frame(std::optional<uint64_t> frame) {
    if (!frame || *frame == ProgramMailbox::superseded) return -1.0;
    return static_cast<double>(*frame);
}

int32_t wire_count(uint64_t n) { return static_cast<int32_t>(std::min<uint64_t>(n, INT32_MAX)); }

// Waits for program `id` to take effect; the frame it did, or -1.
double swap_frame(CommandContext& c, uint64_t id) {
    if (id == 0) return -1.0;
    const auto frame = c.engine.wait_swapped(id, c.swap_timeout);
    if (!frame) {
        spdlog::warn("program {} was not taken by the producer within {} ms (is JACK running?)", id,
                     c.swap_timeout.count());
    }
    return wire_frame(frame);
}

// Parses what follows the path of /lel/load: a quantum (any number) and
// option strings. Returns an error message, empty when fine.
std::string parse_load_options(const OscRequest& r, const CommandContext& c, LoadOptions& options) {
    bool have_quantum = false;
    for (int i = 1; i < r.argc(); ++i) {
        if (const auto q = r.number_at(i)) {
            if (have_quantum || !(*q > 0.0) || !std::isfinite(*q)) {
                return fmt::format("{}: the quantum must be one positive number", load_usage);
            }
            have_quantum = true;
            const double frames = c.tempo_bpm > 0.0 ? *q * 60.0 / c.tempo_bpm * c.engine.renderer().sample_rate() : *q;
            options.quantum_frames = static_cast<uint64_t>(std::llround(std::max(1.0, frames)));
        } else if (const auto word = r.string_at(i); word && (*word == "crossfade" || *word == "xfade")) {
            options.crossfade = true;
        } else {
            return fmt::format("{} (got '{}')", load_usage, r.types());
        }
    }
    return {};
}

OscMessage load_done(std::string_view path, int32_t signals, double frame) {
    OscMessage m("/lel/done");
    m.add("/lel/load").add(path).add(signals).add(frame);
    return m;
}

bool no_arguments(OscServer& s, const OscRequest& r) {
    if (r.argc() == 0) return true;
    s.fail(r.path(), fmt::format("{} takes no arguments, got '{}'", r.path(), r.types()));
    return false;
}

void on_load(OscServer& s, CommandContext& c, const OscRequest& r) {
    const auto path = r.string_at(0);
    LoadOptions options;
    std::string bad = path ? parse_load_options(r, c, options) : fmt::format("{} (got '{}')", load_usage, r.types());
    if (!bad.empty()) {
        s.fail(r.path(), bad);
        return;
    }
    const CommandResult result = c.engine.load(*path, options);
    if (!result) {
        spdlog::error("load failed: {}", result.message);
        s.fail(r.path(), result.message);
        return;
    }
    if (options.quantum_frames > 0) {
        // Answer when it lands (flush_deferred), not now.
        const double seconds = static_cast<double>(options.quantum_frames) / c.engine.renderer().sample_rate();
        const auto give_up = std::chrono::steady_clock::now() + c.swap_timeout +
                             std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::duration<double>(seconds));
        c.deferred.push_back({s.sender(), result.program_id, *path, wire_count(result.signals), give_up});
        spdlog::info("loaded {}: {} signals, waiting for a multiple of {} frames", *path, result.signals,
                     options.quantum_frames);
        return;
    }
    const double frame = swap_frame(c, result.program_id);
    spdlog::info("loaded {}{}: {} signals, in effect at frame {}", *path, options.crossfade ? " (crossfade)" : "",
                 result.signals, frame);
    s.reply(load_done(*path, wire_count(result.signals), frame));
}

void on_clear(OscServer& s, CommandContext& c, const OscRequest& r) {
    if (!no_arguments(s, r)) return;
    const CommandResult result = c.engine.clear();
    const double frame = swap_frame(c, result.program_id);
    spdlog::info("cleared: no signals from frame {}", frame);
    OscMessage m("/lel/done");
    m.add(r.path()).add(frame);
    s.reply(m);
}

void on_remove(OscServer& s, CommandContext& c, const OscRequest& r) {
    const auto name = r.string_at(0);
    if (!name || r.argc() != 1) {
        s.fail(r.path(), fmt::format("{} (got '{}')", remove_usage, r.types()));
        return;
    }
    const CommandResult result = c.engine.remove(*name);
    const double frame = swap_frame(c, result.program_id);
    const bool removed = result.message.empty();
    if (removed) {
        spdlog::info("removed '{}'", *name);
    } else {
        spdlog::info("remove '{}': no such signal", *name);
    }
    OscMessage m("/lel/done");
    m.add(r.path()).add(*name).add(static_cast<int32_t>(removed ? 1 : 0)).add(frame);
    s.reply(m);
}

void on_reset(OscServer& s, CommandContext& c, const OscRequest& r) {
    if (!no_arguments(s, r)) return;
    const CommandResult result = c.engine.reset(c.swap_timeout);
    if (!result) {
        spdlog::error("reset: {}", result.message);
        s.fail(r.path(), result.message);
        return;
    }
    spdlog::info("reset: every signal removed, state wiped");
    s.done(r.path());
}

void on_status(OscServer& s, CommandContext& c, const OscRequest& r) {
    if (!no_arguments(s, r)) return;
    c.engine.collect();
    const RuntimeFigures rt = c.runtime ? c.runtime() : RuntimeFigures{};
    const Renderer& renderer = c.engine.renderer();
    OscMessage m("/lel/status.reply");
    m.add("signals").add(wire_count(c.engine.signals()));
    m.add("sample_rate").add(wire_count(static_cast<uint64_t>(renderer.sample_rate())));
    m.add("period").add(wire_count(rt.period));
    m.add("ring_frames").add(wire_count(rt.ring_frames));
    m.add("latency_ms").add(1000.0 * rt.ring_frames / renderer.sample_rate());
    m.add("block").add(wire_count(rt.block));
    m.add("underruns").add(wire_count(rt.underruns));
    m.add("xruns").add(wire_count(rt.xruns));
    m.add("loads").add(wire_count(c.engine.loads()));
    m.add("frame").add(static_cast<double>(renderer.frame_approx()));
    m.add("muted").add(wire_count(c.engine.muted()));
    m.add("fading").add(wire_count(renderer.fading()));
    m.add("cut_fades").add(wire_count(renderer.cut_fades_approx()));
    m.add("log_dropped").add(wire_count(c.engine.log_dropped()));
    m.add("fade_ms").add(c.engine.fade_ms());
    m.add("tempo").add(c.tempo_bpm);
    m.add("state_used").add(static_cast<double>(c.engine.arena().used()));
    m.add("state_capacity").add(static_cast<double>(c.engine.arena().capacity()));
    s.reply(m);
}

// The single number in [0, 10000] a setting takes; fails the request
// with `usage` otherwise.
std::optional<double> one_setting(OscServer& s, const OscRequest& r, std::string_view usage) {
    const auto v = r.number_at(0);
    if (v && r.argc() == 1 && std::isfinite(*v) && *v >= 0.0 && *v <= 10000.0) return v;
    s.fail(r.path(), fmt::format("usage: {} (got '{}')", usage, r.types()));
    return std::nullopt;
}

// /lel/tempo f:bpm — quanta of later loads count beats (0: frames again).
void on_tempo(OscServer& s, CommandContext& c, const OscRequest& r) {
    const auto bpm = one_setting(s, r, "/lel/tempo f:bpm (0 < bpm <= 10000, or 0 to count quanta in frames)");
    if (!bpm) return;
    c.tempo_bpm = *bpm;
    if (*bpm > 0) {
        spdlog::info("tempo {} bpm: load quanta count beats", *bpm);
    } else {
        spdlog::info("tempo unset: load quanta count frames");
    }
    OscMessage m("/lel/done");
    m.add(r.path()).add(*bpm);
    s.reply(m);
}

// /lel/fade f:ms — the fade time for signals that appear, go, or crossfade.
void on_fade(OscServer& s, CommandContext& c, const OscRequest& r) {
    const auto ms = one_setting(s, r, "/lel/fade f:milliseconds (0 to 10000)");
    if (!ms) return;
    c.engine.set_fade_ms(*ms);
    OscMessage m("/lel/done");
    m.add(r.path()).add(c.engine.fade_ms());
    s.reply(m);
}

}  // namespace

void flush_deferred(OscServer& server, CommandContext& context) {
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(context.deferred, [&](const DeferredReply& d) {
        const auto frame = context.engine.swap_frame(d.program_id);
        if (!frame && now < d.give_up) return false;
        if (!frame) spdlog::warn("program {} was not taken in time (is JACK running?)", d.program_id);
        if (frame && *frame == ProgramMailbox::superseded) {
            spdlog::info("load of {} was superseded before its frame came", d.path);
        } else if (frame) {
            spdlog::info("loaded {}: in effect at frame {}", d.path, *frame);
        }
        server.reply_to(d.to, load_done(d.path, d.signals, wire_frame(frame)));
        return true;
    });
}

void install_commands(OscServer& server, CommandContext& context) {
    auto route = [&](const char* path, void (*fn)(OscServer&, CommandContext&, const OscRequest&)) {
        server.on(path, [&server, &context, fn](const OscRequest& r) { fn(server, context, r); });
    };
    route("/lel/load", on_load);
    route("/lel/clear", on_clear);
    route("/lel/remove", on_remove);
    route("/lel/reset", on_reset);
    route("/lel/status", on_status);
    route("/lel/tempo", on_tempo);
    route("/lel/fade", on_fade);
    server.on("/lel/ping", [&server](const OscRequest&) { server.reply(OscMessage("/lel/pong")); });
    server.on("/lel/quit", [&server, &context](const OscRequest& r) {
        spdlog::info("quit requested over OSC");
        server.done(r.path());
        if (context.quit) context.quit();
    });
    server.otherwise([&server](const OscRequest& r) {
        spdlog::warn("unknown OSC address {} ('{}')", r.path(), r.types());
        server.fail(r.path(), fmt::format("unknown command {}; see docs/OSC.md", r.path()));
    });
}

}  // namespace lel
