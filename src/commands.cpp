#include "commands.hpp"

#include "param_commands.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <variant>

namespace lel {
namespace {

constexpr std::string_view load_usage = "usage: /lel/load s:absolute-path [quantum] [s:crossfade]";
constexpr std::string_view remove_usage = "usage: /lel/remove s:name";
/// The longest quantum a load may ask for: a day of frames (or of beats at
/// the tempo), so that deadlines and frame numbers never overflow.
constexpr double max_quantum_seconds = 86400.0;
/// Tempo range: 0 (quanta in frames), or from 1 to 10000 bpm.
constexpr double min_bpm = 1.0, max_bpm = 10000.0;

// A frame as it goes on the wire; -1 for "not (yet) in effect".
double wire_frame(std::optional<uint64_t> frame) {
    if (!frame || *frame == ProgramMailbox::superseded) return -1.0;
    return static_cast<double>(*frame);
}

int32_t wire_count(uint64_t n) { return static_cast<int32_t>(std::min<uint64_t>(n, INT32_MAX)); }

// Owes the sender of `r` the answer `answer(frame)`, sent once program `id`
// has taken effect; waits at most swap_timeout + `also_wait` for it.
void defer(OscServer& s, CommandContext& c, uint64_t id, std::chrono::steady_clock::duration also_wait,
           std::function<OscMessage(std::optional<uint64_t>)> answer,
           std::function<OscMessage(uint64_t)> event = {}) {
    const auto give_up = std::chrono::steady_clock::now() + c.swap_timeout + also_wait;
    c.deferred.push_back({s.defer_answer(), id, give_up, std::move(answer), std::move(event)});
}

// The /lel/event of a change that took effect: its kind, then `details`
// (strings, then the signals left and the frame).
std::function<OscMessage(uint64_t)> change_event(std::string kind, std::vector<std::string> details, int32_t signals) {
    return [kind = std::move(kind), details = std::move(details), signals](uint64_t frame) {
        OscMessage m = event(kind);
        for (const std::string& d : details) m.add(d);
        m.add(signals).add(static_cast<double>(frame));
        return m;
    };
}

// The quantum of a load in frames, from a number of frames (or of beats at
// the tempo). An error message when it is out of range.
std::variant<uint64_t, std::string> quantum_frames(double q, const CommandContext& c) {
    const double sr = c.engine->renderer().sample_rate();
    const bool beats = c.engine->tempo_bpm() > 0.0;
    const double frames = beats ? q * 60.0 / c.engine->tempo_bpm() * sr : q;
    if (!std::isfinite(q) || !(q > 0.0) || !(frames <= max_quantum_seconds * sr)) {
        return fmt::format("{}: the quantum must be a positive number of {} of at most a day ({} {}); got {}",
                           load_usage, beats ? "beats" : "frames",
                           beats ? max_quantum_seconds * c.engine->tempo_bpm() / 60.0 : max_quantum_seconds * sr,
                           beats ? "beats at this tempo" : "frames", q);
    }
    return static_cast<uint64_t>(std::llround(std::max(1.0, frames)));
}

// Parses what follows the path of /lel/load: a quantum (any number) and
// option strings. Returns an error message, empty when fine.
std::string parse_load_options(const OscRequest& r, const CommandContext& c, LoadOptions& options) {
    bool have_quantum = false;
    for (int i = 1; i < r.argc(); ++i) {
        if (const auto q = r.number_at(i)) {
            if (have_quantum) return fmt::format("{}: one quantum at most", load_usage);
            have_quantum = true;
            auto frames = quantum_frames(*q, c);
            if (auto* why = std::get_if<std::string>(&frames)) return std::move(*why);
            options.quantum_frames = std::get<uint64_t>(frames);
            if (c.engine->tempo_bpm() > 0.0) options.quantum_beats = *q;  // exact: frames per beat need not be whole
        } else if (const auto word = r.string_at(i); word && (*word == "crossfade" || *word == "xfade")) {
            options.crossfade = true;
        } else {
            return fmt::format("{} (got '{}')", load_usage, r.types());
        }
    }
    return {};
}

// The first frame the producer has not rendered yet whose beat is a
// multiple of the quantum `q` (in beats).
uint64_t next_on_beat_grid(const CommandContext& c, double q) {
    const Renderer& renderer = c.engine->renderer();
    const Renderer::BeatGrid g = renderer.beat_grid();
    const uint64_t earliest = renderer.frame_approx() + renderer.max_block();
    q = std::max(q, g.beats_per_frame);  // a quantum of less than a frame is a frame (as in quantum_frames)
    const double beat = g.base + static_cast<double>(earliest) * g.beats_per_frame;
    const double target = std::ceil(beat / q - 1e-9) * q;
    const double frame = std::ceil((target - g.base) / g.beats_per_frame - 1e-6);
    // A grid far from frame 0 (a huge beat sent with /lel/tempo) can put the
    // multiple out of reach: then at once.
    if (!(frame > static_cast<double>(earliest)) || !(frame < 1.8e19)) return earliest;
    return static_cast<uint64_t>(frame);
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
    // In a timed bundle: on the tag's frame (which replaces a quantum).
    const std::optional<uint64_t> at = requested_frame(s, c, r.path());
    if (!at) return;
    options.at_frame = *at;
    if (!options.at_frame && options.quantum_beats > 0.0) {
        // A quantum in beats: the next multiple on leld's beat grid (which
        // /lel/tempo's beat may have shifted off frame 0).
        options.at_frame = next_on_beat_grid(c, options.quantum_beats);
    }
    const CommandResult result = c.engine->load(*path, options);
    if (!result) {
        spdlog::error("load failed: {}", result.message);
        s.fail(r.path(), result.message);
        return;
    }
    const uint64_t wait_frames = options.at_frame ? options.at_frame - std::min(options.at_frame, c.engine->renderer().frame_approx())
                                                  : options.quantum_frames;
    const double quantum_s = static_cast<double>(wait_frames) / c.engine->renderer().sample_rate();
    if (options.quantum_frames > 0) {
        spdlog::info("loaded {}: {} signals, waiting for a multiple of {} frames", *path, result.signals,
                     options.quantum_frames);
    }
    const int32_t signals = wire_count(result.signals);
    const bool crossfade = options.crossfade;
    defer(s, c, result.program_id, std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                       std::chrono::duration<double>(quantum_s)),
          [path = *path, signals, crossfade](std::optional<uint64_t> frame) {
              if (frame && *frame == ProgramMailbox::superseded) {
                  spdlog::info("load of {} was superseded before its frame came", path);
              } else {
                  spdlog::info("loaded {}{}: {} signals, in effect at frame {}", path, crossfade ? " (crossfade)" : "",
                               signals, wire_frame(frame));
              }
              return OscMessage(protocol::LoadDone{path, signals, wire_frame(frame)}.message());
          },
          change_event("load", {*path}, signals));
}

void on_clear(OscServer& s, CommandContext& c, const OscRequest& r) {
    if (!no_arguments(s, r)) return;
    const CommandResult result = c.engine->clear();
    defer(s, c, result.program_id, {}, [](std::optional<uint64_t> frame) {
        spdlog::info("cleared: no signals from frame {}", wire_frame(frame));
        return OscMessage(protocol::ClearDone{wire_frame(frame)}.message());
    }, change_event("clear", {}, 0));
}

void on_remove(OscServer& s, CommandContext& c, const OscRequest& r) {
    const auto name = r.string_at(0);
    if (!name || r.argc() != 1) {
        s.fail(r.path(), fmt::format("{} (got '{}')", remove_usage, r.types()));
        return;
    }
    const CommandResult result = c.engine->remove(*name);
    const bool removed = result.message.empty();
    if (removed) {
        spdlog::info("removed '{}'", *name);
    } else {
        spdlog::info("remove '{}': no such signal", *name);
    }
    defer(s, c, result.program_id, {}, [name = *name, removed](std::optional<uint64_t> frame) {
        return OscMessage(protocol::RemoveDone{name, removed, wire_frame(frame)}.message());
    }, removed ? change_event("remove", {*name}, wire_count(result.signals)) : nullptr);
}

void on_reset(OscServer& s, CommandContext& c, const OscRequest& r) {
    if (!no_arguments(s, r)) return;
    const CommandResult result = c.engine->reset();
    if (!result) {
        spdlog::error("reset: {}", result.message);
        s.fail(r.path(), result.message);
        return;
    }
    spdlog::info("reset: every signal removed, every name forgotten (their state goes back to the arena)");
    defer(s, c, result.program_id, {}, [](std::optional<uint64_t>) {
        return OscMessage(protocol::Done{std::string(protocol::reset.path), {}}.message());
    }, change_event("reset", {}, 0));
}

void on_status(OscServer& s, CommandContext& c, const OscRequest& r) {
    if (!no_arguments(s, r)) return;
    c.engine->collect();
    const RuntimeFigures rt = c.runtime ? c.runtime() : RuntimeFigures{};
    const Renderer& renderer = c.engine->renderer();
    const OscServer::Counters osc = s.counters();
    OscMessage m{std::string(protocol::status_reply)};
    m.add("signals").add(wire_count(c.engine->signals()));
    m.add("sample_rate").add(wire_count(static_cast<uint64_t>(renderer.sample_rate())));
    m.add("period").add(wire_count(rt.period));
    m.add("ring_frames").add(wire_count(rt.ring_frames));
    m.add("latency_ms").add(1000.0 * rt.ring_frames / renderer.sample_rate());
    m.add("block").add(wire_count(rt.block));
    m.add("underruns").add(wire_count(rt.underruns));
    m.add("xruns").add(wire_count(rt.xruns));
    m.add("jack").add(std::string(rt.jack_connected ? "connected" : "waiting"));
    m.add("reconnects").add(wire_count(rt.reconnects));
    m.add("loads").add(wire_count(c.engine->loads()));
    m.add("frame").add(static_cast<double>(renderer.frame_approx()));
    m.add("muted").add(wire_count(c.engine->muted()));
    m.add("fading").add(wire_count(renderer.fading()));
    m.add("cut_fades").add(wire_count(renderer.cut_fades_approx()));
    m.add("log_dropped").add(wire_count(c.engine->log_dropped()));
    m.add("fade_ms").add(c.engine->fade_ms());
    m.add("tempo").add(c.engine->tempo_bpm());
    m.add("state_used").add(static_cast<double>(c.engine->arena().used()));
    m.add("state_capacity").add(static_cast<double>(c.engine->arena().capacity()));
    m.add("buses").add(wire_count(c.engine->buses()));
    m.add("late").add(wire_count(c.late + renderer.params_late_approx()));
    m.add("midi").add(wire_count(renderer.midi_events_approx()));
    const Renderer::BeatGrid grid = renderer.beat_grid();
    m.add("beat").add(grid.base + static_cast<double>(renderer.frame_approx()) * grid.beats_per_frame);
    m.add("osc_ignored").add(wire_count(osc.ignored));
    m.add("osc_rate_limited").add(wire_count(osc.rate_limited));
    m.add("osc_left_out").add(wire_count(osc.left_out));
    s.reply(m);
}

// The single number a setting takes, within [lo, hi] (or exactly 0 when
// `zero_too`); fails the request with `usage` otherwise.
std::optional<double> one_setting(OscServer& s, const OscRequest& r, std::string_view usage, double lo, double hi,
                                  bool zero_too = false) {
    const auto v = r.number_at(0);
    if (v && r.argc() == 1 && std::isfinite(*v) && ((*v >= lo && *v <= hi) || (zero_too && *v == 0.0))) return v;
    s.fail(r.path(), v && r.argc() == 1 ? fmt::format("usage: {} (got {})", usage, *v)
                                        : fmt::format("usage: {} (got '{}')", usage, r.types()));
    return std::nullopt;
}

// /lel/tempo f:bpm — quanta of later loads count beats (0: frames again).
// /lel/tempo f:bpm [d:beat [d:ntp]] — the tempo, and (as SuperCollider's
// TempoClock defines it) which beat falls at a time: the time given (NTP
// seconds since 1900), else the bundle's time tag, else now.
void on_tempo(OscServer& s, CommandContext& c, const OscRequest& r) {
    constexpr std::string_view usage =
        "/lel/tempo f:bpm (1 to 10000, or 0 to count quanta in frames) [d:beat [d:ntp-seconds]]";
    const auto bpm = r.number_at(0);
    const auto beat = r.number_at(1);
    const auto when = r.number_at(2);
    const bool shape = bpm && r.argc() <= 3 && (r.argc() < 2 || beat) && (r.argc() < 3 || when);
    if (!shape || !std::isfinite(*bpm) || !((*bpm >= min_bpm && *bpm <= max_bpm) || *bpm == 0.0) ||
        (beat && (!std::isfinite(*beat) || std::fabs(*beat) > 1e12)) || (beat && *bpm == 0.0) ||
        (when && !(std::isfinite(*when) && *when > 0.0 && *when < 4294967296.0))) {
        s.fail(r.path(), fmt::format("usage: {} (got '{}')", usage, r.types()));
        return;
    }
    Renderer& renderer = c.engine->renderer();
    if (!beat) {
        c.engine->set_tempo_bpm(*bpm);
        renderer.set_bpm(*bpm > 0 ? *bpm : 120.0);  // s.bpm and s.beat: 120 when none is set
        if (*bpm > 0) {
            spdlog::info("tempo {} bpm: load quanta count beats", *bpm);
        } else {
            spdlog::info("tempo unset: load quanta count frames");
        }
    } else {
        uint64_t tag = s.timetag();
        if (when) {
            const double whole = std::floor(*when);
            tag = (static_cast<uint64_t>(whole) << 32) | static_cast<uint64_t>((*when - whole) * 4294967296.0);
        }
        std::optional<uint64_t> frame = tag > 1 && c.frame_at ? c.frame_at(tag) : std::nullopt;
        if (!frame) frame = renderer.frame_approx();
        const uint64_t now = renderer.frame_approx();
        const auto hour = static_cast<uint64_t>(3600.0 * renderer.sample_rate());
        if (*frame + hour < now || *frame > now + hour) {
            s.fail(r.path(), "the beat's time is more than an hour from now (ntp is seconds since 1900)");
            return;
        }
        const double bpf = *bpm / 60.0 / renderer.sample_rate();
        c.engine->set_tempo_bpm(*bpm);
        renderer.set_beat_grid({bpf, *beat - static_cast<double>(*frame) * bpf});  // tempo and beat at once
        spdlog::info("tempo {} bpm, beat {} at frame {}: load quanta count beats", *bpm, *beat, *frame);
    }
    s.reply(OscMessage(protocol::SettingDone{std::string(r.path()), *bpm}.message()));
}

// /lel/notify i:1|0 — (un)subscribes the sender to /lel/event.
void on_notify(OscServer& s, CommandContext& c, const OscRequest& r) {
    const auto on = r.number_at(0);
    if (!on || r.argc() != 1 || (*on != 0.0 && *on != 1.0)) {
        s.fail(r.path(), fmt::format("usage: /lel/notify i:1 (subscribe) or i:0 (unsubscribe) (got '{}')", r.types()));
        return;
    }
    if (*on == 1.0 && !c.subscribers.add(s.sender())) {
        s.fail(r.path(), fmt::format("too many subscribers ({}): unsubscribe one (/lel/notify 0) first",
                                     Subscribers::max_subscribers));
        return;
    }
    if (*on == 0.0) c.subscribers.remove(s.sender());
    s.done(r.path());
}

// /lel/fade f:ms — the fade time for signals that appear, go, or crossfade.
void on_fade(OscServer& s, CommandContext& c, const OscRequest& r) {
    const auto ms = one_setting(s, r, "/lel/fade f:milliseconds (0 to 10000)", 0.0, 10000.0);
    if (!ms) return;
    c.engine->set_fade_ms(*ms);
    s.reply(OscMessage(protocol::SettingDone{std::string(r.path()), c.engine->fade_ms()}.message()));
}

}  // namespace

std::optional<uint64_t> requested_frame(OscServer& server, CommandContext& context, std::string_view command) {
    const uint64_t tag = server.timetag();
    if (tag <= 1 || !context.frame_at) return 0;
    const std::optional<uint64_t> frame = context.frame_at(tag);
    if (!frame) return 0;
    // The producer runs ahead of the ports: a frame it has rendered is late.
    const uint64_t next = context.engine->renderer().frame_approx() + context.engine->renderer().max_block();
    const auto hour = static_cast<uint64_t>(3600.0 * context.engine->renderer().sample_rate());
    if (*frame > next + hour) {
        server.fail(command, "the bundle's time tag is more than an hour ahead");
        return std::nullopt;
    }
    if (*frame < next) {
        ++context.late;
        return 0;
    }
    return frame;
}

void flush_deferred(CommandContext& context, OscServer& server) {
    if (context.deferred.empty()) return;
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(context.deferred, [&](const DeferredReply& d) {
        const auto frame = context.engine->swap_frame(d.program_id);
        if (!frame && now < d.give_up) return false;
        if (!frame) spdlog::warn("program {} was not taken in time (is JACK running?)", d.program_id);
        server.reply_to(d.to, d.answer(frame));
        if (d.event && frame && *frame != ProgramMailbox::superseded) context.subscribers.send(server, d.event(*frame));
        return true;
    });
}

void route_command(OscServer& server, CommandContext& context, const protocol::Command& command,
                   CommandHandler handler) {
    server.on(std::string(command.path), [&server, &context, handler](const OscRequest& r) { handler(server, context, r); });
}

void install_commands(OscServer& server, CommandContext& context) {
    auto route = [&](const protocol::Command& command, CommandHandler fn) { route_command(server, context, command, fn); };
    route(protocol::load, on_load);
    route(protocol::clear, on_clear);
    route(protocol::remove, on_remove);
    route(protocol::reset, on_reset);
    route(protocol::status, on_status);
    route(protocol::tempo, on_tempo);
    route(protocol::fade, on_fade);
    route(protocol::notify, on_notify);
    server.on_unreachable([&context](const OscServer::Sender& who) {
        if (context.subscribers.remove(who)) spdlog::info("an event subscriber's port is closed: unsubscribed");
    });
    install_param_commands(server, context);
    server.on(std::string(protocol::ping.path),
              [&server](const OscRequest&) { server.reply(OscMessage(std::string(protocol::pong))); });
    server.on(std::string(protocol::quit.path), [&server, &context](const OscRequest& r) {
        spdlog::info("quit requested over OSC");
        server.done(r.path());
        if (context.quit) context.quit();
    });
}

}  // namespace lel
