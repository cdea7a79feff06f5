#include "commands.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace lel {
namespace {

constexpr std::string_view load_usage = "usage: /lel/load s:absolute-path";
constexpr std::string_view remove_usage = "usage: /lel/remove s:name";

// Waits for program `id` to take effect; the frame it did, or -1.
int64_t swap_frame(CommandContext& c, uint64_t id) {
    if (id == 0) return -1;
    const auto frame = c.engine.wait_swapped(id, c.swap_timeout);
    if (!frame) {
        spdlog::warn("program {} was not taken by the producer within {} ms (is JACK running?)", id,
                     c.swap_timeout.count());
        return -1;
    }
    return static_cast<int64_t>(*frame);
}

bool no_arguments(OscServer& s, const OscRequest& r) {
    if (r.argc() == 0) return true;
    s.fail(r.path(), fmt::format("{} takes no arguments, got '{}'", r.path(), r.types()));
    return false;
}

void on_load(OscServer& s, CommandContext& c, const OscRequest& r) {
    const auto path = r.string_at(0);
    if (!path || r.argc() != 1) {
        s.fail(r.path(), fmt::format("{} (got '{}')", load_usage, r.types()));
        return;
    }
    const CommandResult result = c.engine.load(*path);
    if (!result) {
        spdlog::error("load failed: {}", result.message);
        s.fail(r.path(), result.message);
        return;
    }
    const int64_t frame = swap_frame(c, result.program_id);
    spdlog::info("loaded {}: {} signals, in effect at frame {}", *path, result.signals, frame);
    OscMessage m("/lel/done");
    m.add(r.path()).add(*path).add(static_cast<int32_t>(result.signals)).add(frame);
    s.reply(m);
}

void on_clear(OscServer& s, CommandContext& c, const OscRequest& r) {
    if (!no_arguments(s, r)) return;
    const CommandResult result = c.engine.clear();
    const int64_t frame = swap_frame(c, result.program_id);
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
    const int64_t frame = swap_frame(c, result.program_id);
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
    m.add("signals").add(static_cast<int32_t>(c.engine.signals()));
    m.add("sample_rate").add(static_cast<int32_t>(renderer.sample_rate()));
    m.add("period").add(static_cast<int32_t>(rt.period));
    m.add("ring_frames").add(static_cast<int32_t>(rt.ring_frames));
    m.add("latency_ms").add(1000.0 * rt.ring_frames / renderer.sample_rate());
    m.add("block").add(static_cast<int32_t>(rt.block));
    m.add("underruns").add(static_cast<int64_t>(rt.underruns));
    m.add("xruns").add(static_cast<int64_t>(rt.xruns));
    m.add("loads").add(static_cast<int32_t>(c.engine.loads()));
    m.add("frame").add(static_cast<int64_t>(renderer.frame_approx()));
    m.add("muted").add(static_cast<int32_t>(c.engine.muted()));
    m.add("state_used").add(static_cast<int64_t>(c.engine.arena().used()));
    m.add("state_capacity").add(static_cast<int64_t>(c.engine.arena().capacity()));
    s.reply(m);
}

}  // namespace

void install_commands(OscServer& server, CommandContext& context) {
    auto route = [&](const char* path, void (*fn)(OscServer&, CommandContext&, const OscRequest&)) {
        server.on(path, [&server, &context, fn](const OscRequest& r) { fn(server, context, r); });
    };
    route("/lel/load", on_load);
    route("/lel/clear", on_clear);
    route("/lel/remove", on_remove);
    route("/lel/reset", on_reset);
    route("/lel/status", on_status);
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
