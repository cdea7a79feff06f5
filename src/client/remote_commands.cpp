#include "remote_commands.hpp"

#include "osc_client.hpp"
#include "protocol.hpp"

#include <fmt/format.h>
#include <cstdlib>
#include <functional>

namespace lel::client {
namespace {

using Describe = std::function<void(const OscPacket& reply, double round_trip_ms)>;

// The frame a change took effect at, in words.
std::string in_effect(double frame) {
    if (frame < 0) return "not yet in effect (leld's audio is not running: is JACK?)";
    return fmt::format("in effect at frame {}", to_string(frame));
}

// Sends `request`, then prints a /lel/fail or a silence as an error and
// hands any other answer to `describe`.
int exchange(const Remote& remote, const OscPacket& request, const Describe& describe,
             std::string_view reply_path = {}) {
    try {
        OscClient client(remote.host, remote.port);
        const OscExchange ex = client.request(request, remote.timeout, reply_path);
        if (!ex) {
            fmt::print(stderr, "lel: no answer from leld on {}{} — is it running?\n", client.peer(),
                       ex.outcome == OscExchange::Outcome::refused ? " (connection refused)" : "");
            return exit_no_answer;
        }
        if (ex.reply.path == protocol::fail) {
            const std::string_view command = std::string_view(request.path).substr(std::string_view("/lel/").size());
            const auto failure = protocol::Fail::read(ex.reply);
            fmt::print(stderr, "lel: {} failed: {}\n", command, failure ? failure->reason : "(no reason given)");
            return exit_failed;
        }
        describe(ex.reply, ex.round_trip.count());
        return exit_ok;
    } catch (const OscClientError& e) {
        fmt::print(stderr, "lel: {}\n", e.what());
        return exit_usage;
    }
}

// An answer that is not what the protocol says the command answers.
void unexpected(const OscPacket& reply) { fmt::print(stderr, "lel: unexpected answer {}\n", reply.describe()); }

}  // namespace

int remote_load(const Remote& remote, const std::filesystem::path& module, const LoadOptions& options) {
    const protocol::LoadRequest request{std::filesystem::absolute(module).lexically_normal().string(), options.quantum,
                                        options.crossfade};
    return exchange(remote, request.message(), [](const OscPacket& r, double) {
        const auto done = protocol::LoadDone::read(r);
        if (!done) return unexpected(r);
        // -1: a later load replaced this one before its quantum came, or
        // leld gave up waiting for the swap.
        const std::string when = done->frame >= 0 ? in_effect(done->frame) : "queued, superseded or not yet in effect";
        fmt::print("loaded {}: {} signal{}, {}\n", done->path, done->signals, done->signals == 1 ? "" : "s", when);
    });
}

int remote_clear(const Remote& remote) {
    return exchange(remote, protocol::request(protocol::clear), [](const OscPacket& r, double) {
        const auto done = protocol::ClearDone::read(r);
        if (!done) return unexpected(r);
        fmt::print("cleared: no signals, {}\n", in_effect(done->frame));
    });
}

int remote_remove(const Remote& remote, const std::string& name) {
    return exchange(remote, protocol::request(protocol::remove, name), [&](const OscPacket& r, double) {
        const auto done = protocol::RemoveDone::read(r);
        if (!done) return unexpected(r);
        if (!done->removed) {
            fmt::print("no signal named '{}': nothing removed\n", name);
        } else {
            fmt::print("removed '{}', {}\n", name, in_effect(done->frame));
        }
    });
}

int remote_reset(const Remote& remote) {
    return exchange(remote, protocol::request(protocol::reset),
                    [](const OscPacket&, double) { fmt::print("reset: every signal removed, state wiped\n"); });
}

int remote_status(const Remote& remote) {
    const auto describe = [](const OscPacket& r, double) {
        for (std::size_t i = 0; i + 1 < r.args.size(); i += 2) {
            fmt::print("{:<15} {}\n", to_string(r.args[i]), to_string(r.args[i + 1]));
        }
    };
    return exchange(remote, protocol::request(protocol::status), describe, protocol::status_reply);
}

int remote_ping(const Remote& remote) {
    return exchange(remote, protocol::request(protocol::ping),
                    [](const OscPacket&, double ms) { fmt::print("pong ({:.2f} ms)\n", ms); }, protocol::pong);
}

int remote_quit(const Remote& remote) {
    return exchange(remote, protocol::request(protocol::quit),
                    [](const OscPacket&, double) { fmt::print("leld is quitting\n"); });
}

int remote_tempo(const Remote& remote, double bpm) {
    return exchange(remote, protocol::request(protocol::tempo, static_cast<float>(bpm)), [](const OscPacket& r, double) {
        const auto done = protocol::SettingDone::read(r);
        if (!done) return unexpected(r);
        if (done->value > 0.0) {
            fmt::print("tempo {} bpm: load quanta count beats\n", to_string(done->value));
        } else {
            fmt::print("tempo unset: load quanta count frames\n");
        }
    });
}

int remote_fade(const Remote& remote, double ms) {
    return exchange(remote, protocol::request(protocol::fade, static_cast<float>(ms)), [](const OscPacket& r, double) {
        const auto done = protocol::SettingDone::read(r);
        if (!done) return unexpected(r);
        fmt::print("fade {} ms\n", to_string(done->value));
    });
}

int remote_set(const Remote& remote, const std::string& signal, const std::vector<std::string>& pairs,
               std::optional<double> lag, bool trig) {
    protocol::SetRequest request{signal, {}, lag, trig};
    for (const std::string& word : pairs) {
        // A number is a value, anything else a parameter's name.
        char* end = nullptr;
        const double v = std::strtod(word.c_str(), &end);
        if (!word.empty() && end && *end == '\0') {
            request.words.emplace_back(v);
        } else {
            request.words.emplace_back(word);
        }
    }
    return exchange(remote, request.message(), [&](const OscPacket& r, double) {
        const auto done = protocol::Done::read(r);
        if (!done) return unexpected(r);
        fmt::print("{} {}{}\n", trig ? "triggered" : "set", signal, done->note ? ": " + *done->note : "");
    });
}

int remote_get(const Remote& remote, const std::string& signal, const std::string& param) {
    return exchange(remote, protocol::GetRequest{signal, param}.message(), [](const OscPacket& r, double) {
        const auto reply = protocol::GetReply::read(r);
        if (!reply) return unexpected(r);
        fmt::print("{}\n", to_string(reply->value));
    }, protocol::get_reply);
}

int remote_params(const Remote& remote) {
    return exchange(remote, protocol::request(protocol::params), [](const OscPacket& r, double) {
        const auto reply = protocol::ParamsReply::read(r);
        if (!reply) return unexpected(r);
        if (reply->params.empty()) fmt::print("no parameters (declare them with lel::param)\n");
        for (const protocol::ParamEntry& p : reply->params) {
            const std::string range = fmt::format("[{}, {}]", to_string(p.min), to_string(p.max));
            fmt::print("{:<12} {:<12} {:>12}  {:<28} lag {} s{}\n", p.signal, p.param, to_string(p.value), range,
                       to_string(p.lag), p.set ? "" : "  (default)");
        }
    }, protocol::params_reply);
}

}  // namespace lel::client
