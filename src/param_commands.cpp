#include "param_commands.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <limits>

namespace lel {
namespace {

constexpr std::string_view set_usage = "usage: /lel/set s:signal s:param f:value [s:param f:value ...] [s:\"lag\" f:seconds]";
constexpr std::string_view trig_usage = "usage: /lel/trig s:signal s:param [f:value (default 1)] [s:param [f:value] ...]";
constexpr std::string_view get_usage = "usage: /lel/get s:signal s:param";

// The (param, value) pairs after the signal name, and a "lag" among them.
// With `trig`, a value may be left out (1). Empty on a malformed request.
std::optional<std::vector<ParamChange>> parse_changes(const OscRequest& r, bool trig, std::optional<double>& lag) {
    std::vector<ParamChange> out;
    int i = 1;
    while (i < r.argc()) {
        const auto name = r.string_at(i);
        if (!name) return std::nullopt;
        const auto value = r.number_at(i + 1);
        if (*name == "lag" && !trig) {
            if (!value || lag) return std::nullopt;
            lag = *value;
            i += 2;
            continue;
        }
        if (value) {
            out.push_back({*name, *value});
            i += 2;
        } else if (trig) {
            out.push_back({*name, 1.0});
            i += 1;
        } else {
            return std::nullopt;
        }
    }
    if (out.empty()) return std::nullopt;
    return out;
}

void set_or_trig(OscServer& s, CommandContext& c, const OscRequest& r, bool trig) {
    const std::string_view usage = trig ? trig_usage : set_usage;
    const auto signal = r.string_at(0);
    std::optional<double> lag;
    const auto changes = signal ? parse_changes(r, trig, lag) : std::nullopt;
    if (!changes) {
        s.fail(r.path(), fmt::format("{} (got '{}')", usage, r.types()));
        return;
    }
    const std::optional<uint64_t> frame = requested_frame(s, c, r.path());
    if (!frame) return;
    const CommandResult result = c.engine->set_params(*signal, *changes, lag, trig, *frame);
    if (!result) {
        spdlog::info("{} {}: {}", r.path(), *signal, result.message);
        s.fail(r.path(), result.message);
        return;
    }
    if (!result.message.empty()) spdlog::info("{} {}: {}", r.path(), *signal, result.message);
    if (*frame > 0) spdlog::debug("{} {}: timed for frame {}", r.path(), *signal, *frame);
    std::optional<std::string> clamped;  // what was clamped
    if (!result.message.empty()) clamped = result.message;
    s.reply(OscMessage(protocol::Done{std::string(r.path()), clamped}.message()));
}

void on_set(OscServer& s, CommandContext& c, const OscRequest& r) { set_or_trig(s, c, r, false); }
void on_trig(OscServer& s, CommandContext& c, const OscRequest& r) { set_or_trig(s, c, r, true); }

void on_get(OscServer& s, CommandContext& c, const OscRequest& r) {
    const auto signal = r.string_at(0);
    const auto param = r.string_at(1);
    if (!signal || !param || r.argc() != 2) {
        s.fail(r.path(), fmt::format("{} (got '{}')", get_usage, r.types()));
        return;
    }
    std::string why;
    const auto info = c.engine->param(*signal, *param, why);
    if (!info) {
        s.fail(r.path(), why);
        return;
    }
    s.reply(OscMessage(protocol::GetReply{*signal, *param, info->value}.message()));
}

// OSC doubles carry infinities, but sclang and many clients print them
// badly: an open range end is sent as the largest double.
double wire_bound(double x) {
    constexpr double big = std::numeric_limits<double>::max();
    return x > big ? big : x < -big ? -big : x;
}

void on_params(OscServer& s, CommandContext& c, const OscRequest& r) {
    if (r.argc() != 0) {
        s.fail(r.path(), fmt::format("usage: /lel/params (got '{}')", r.types()));
        return;
    }
    // One reply, seven arguments per parameter (a packet gets at most 16
    // answers: one message keeps a long list whole).
    protocol::ParamsReply reply;
    for (const ParamInfo& p : c.engine->params()) {
        reply.params.push_back(
            {p.signal, p.decl.name, p.value, wire_bound(p.decl.min), wire_bound(p.decl.max), p.decl.lag, p.set});
    }
    s.reply(OscMessage(reply.message()));
}

}  // namespace

void install_param_commands(OscServer& server, CommandContext& context) {
    route_command(server, context, protocol::set, on_set);
    route_command(server, context, protocol::trig, on_trig);
    route_command(server, context, protocol::get, on_get);
    route_command(server, context, protocol::params, on_params);
}

}  // namespace lel
