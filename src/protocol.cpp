#include "protocol.hpp"

namespace lel::protocol {
namespace {

using osc::Arg;
using osc::Message;

Message message(std::string_view path, std::vector<Arg> args) { return Message{std::string(path), std::move(args)}; }

// A /lel/done answering `command`, with exactly `count` arguments in all.
bool is_done(const Message& m, std::string_view command, std::size_t count) {
    return m.path == done && m.args.size() == count && m.string_at(0) == command;
}

}  // namespace

// ---------------------------------------------------------------- requests

Message LoadRequest::message() const {
    Message m = protocol::message(load.path, {path});
    if (quantum) m.args.emplace_back(*quantum);
    if (crossfade) m.args.emplace_back(std::string("crossfade"));
    return m;
}

Message SetRequest::message() const {
    Message m = protocol::message(trigger ? trig.path : set.path, {signal});
    m.args.insert(m.args.end(), words.begin(), words.end());
    if (lag) {
        m.args.emplace_back(std::string("lag"));
        m.args.emplace_back(*lag);
    }
    return m;
}

Message GetRequest::message() const { return protocol::message(get.path, {signal, param}); }

Message request(const Command& command) { return protocol::message(command.path, {}); }
Message request(const Command& command, float value) { return protocol::message(command.path, {value}); }
Message request(const Command& command, std::string argument) {
    return protocol::message(command.path, {std::move(argument)});
}

// ----------------------------------------------------------------- answers

Message Fail::message() const { return protocol::message(fail, {command, reason}); }
std::optional<Fail> Fail::read(const Message& m) {
    if (m.path != fail || m.args.size() < 2 || !m.string_at(0) || !m.string_at(1)) return std::nullopt;
    return Fail{*m.string_at(0), *m.string_at(1)};
}

std::optional<std::string> done_command(const Message& m) {
    if (m.path != done) return std::nullopt;
    return m.string_at(0);
}

Message LoadDone::message() const { return protocol::message(done, {std::string(load.path), path, signals, frame}); }
std::optional<LoadDone> LoadDone::read(const Message& m) {
    if (!is_done(m, load.path, 4) || !m.string_at(1) || !m.integer_at(2) || !m.number_at(3)) return std::nullopt;
    return LoadDone{*m.string_at(1), static_cast<int32_t>(*m.integer_at(2)), *m.number_at(3)};
}

Message ClearDone::message() const { return protocol::message(done, {std::string(clear.path), frame}); }
std::optional<ClearDone> ClearDone::read(const Message& m) {
    if (!is_done(m, clear.path, 2) || !m.number_at(1)) return std::nullopt;
    return ClearDone{*m.number_at(1)};
}

Message RemoveDone::message() const {
    return protocol::message(done, {std::string(remove.path), name, int32_t{removed ? 1 : 0}, frame});
}
std::optional<RemoveDone> RemoveDone::read(const Message& m) {
    if (!is_done(m, remove.path, 4) || !m.string_at(1) || !m.integer_at(2) || !m.number_at(3)) return std::nullopt;
    return RemoveDone{*m.string_at(1), *m.integer_at(2) != 0, *m.number_at(3)};
}

Message SettingDone::message() const { return protocol::message(done, {command, value}); }
std::optional<SettingDone> SettingDone::read(const Message& m) {
    if (m.path != done || m.args.size() != 2 || !m.string_at(0) || !m.number_at(1)) return std::nullopt;
    return SettingDone{*m.string_at(0), *m.number_at(1)};
}

Message Done::message() const {
    Message m = protocol::message(done, {command});
    if (note) m.args.emplace_back(*note);
    return m;
}
std::optional<Done> Done::read(const Message& m) {
    if (m.path != done || m.args.empty() || m.args.size() > 2 || !m.string_at(0)) return std::nullopt;
    if (m.args.size() == 2 && !m.string_at(1)) return std::nullopt;
    return Done{*m.string_at(0), m.string_at(1)};
}

Message GetReply::message() const { return protocol::message(get_reply, {signal, param, value}); }
std::optional<GetReply> GetReply::read(const Message& m) {
    if (m.path != get_reply || m.args.size() != 3 || !m.string_at(0) || !m.string_at(1) || !m.number_at(2)) {
        return std::nullopt;
    }
    return GetReply{*m.string_at(0), *m.string_at(1), *m.number_at(2)};
}

namespace {
constexpr std::size_t param_args = 7;
}

Message ParamsReply::message() const {
    Message m = protocol::message(params_reply, {});
    for (const ParamEntry& p : params) {
        m.args.insert(m.args.end(), {p.signal, p.param, p.value, p.min, p.max, p.lag, int32_t{p.set ? 1 : 0}});
    }
    return m;
}
std::optional<ParamsReply> ParamsReply::read(const Message& m) {
    if (m.path != params_reply || m.args.size() % param_args != 0) return std::nullopt;
    ParamsReply r;
    for (std::size_t i = 0; i < m.args.size(); i += param_args) {
        const auto signal = m.string_at(i), param = m.string_at(i + 1);
        const auto value = m.number_at(i + 2), min = m.number_at(i + 3), max = m.number_at(i + 4),
                   lag = m.number_at(i + 5);
        const auto set = m.integer_at(i + 6);
        if (!signal || !param || !value || !min || !max || !lag || !set) return std::nullopt;
        r.params.push_back({*signal, *param, *value, *min, *max, *lag, *set != 0});
    }
    return r;
}

}  // namespace lel::protocol
