#include "remote_commands.hpp"

#include "osc_client.hpp"

#include <fmt/format.h>
#include <cstdlib>
#include <functional>

namespace lel::client {
namespace {

using Describe = std::function<void(const OscPacket& reply, double round_trip_ms)>;

// The frame a change took effect at, in words.
std::string in_effect(std::optional<int64_t> frame) {
    if (!frame || *frame < 0) return "not yet in effect (leld's audio is not running: is JACK?)";
    return fmt::format("in effect at frame {}", *frame);
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
        if (ex.reply.path == "/lel/fail") {
            const std::string_view command = std::string_view(request.path).substr(std::string_view("/lel/").size());
            fmt::print(stderr, "lel: {} failed: {}\n", command, ex.reply.string_at(1).value_or("(no reason given)"));
            return exit_failed;
        }
        describe(ex.reply, ex.round_trip.count());
        return exit_ok;
    } catch (const OscClientError& e) {
        fmt::print(stderr, "lel: {}\n", e.what());
        return exit_usage;
    }
}

}  // namespace

int remote_load(const Remote& remote, const std::filesystem::path& module, const LoadOptions& options) {
    const std::string path = std::filesystem::absolute(module).lexically_normal().string();
    OscPacket request{"/lel/load", {path}};
    if (options.quantum) request.args.emplace_back(*options.quantum);
    if (options.crossfade) request.args.emplace_back(std::string("crossfade"));
    return exchange(remote, request, [](const OscPacket& r, double) {
        const int64_t signals = r.integer_at(2).value_or(0);
        const std::optional<int64_t> frame = r.integer_at(3);
        // -1: a later load replaced this one before its quantum came, or
        // leld gave up waiting for the swap.
        const std::string when = frame && *frame >= 0 ? in_effect(frame) : "queued, superseded or not yet in effect";
        fmt::print("loaded {}: {} signal{}, {}\n", r.string_at(1).value_or("?"), signals, signals == 1 ? "" : "s",
                   when);
    });
}

int remote_clear(const Remote& remote) {
    return exchange(remote, {"/lel/clear", {}}, [](const OscPacket& r, double) {
        fmt::print("cleared: no signals, {}\n", in_effect(r.integer_at(1)));
    });
}

int remote_remove(const Remote& remote, const std::string& name) {
    return exchange(remote, {"/lel/remove", {name}}, [&](const OscPacket& r, double) {
        if (r.integer_at(2).value_or(0) == 0) {
            fmt::print("no signal named '{}': nothing removed\n", name);
        } else {
            fmt::print("removed '{}', {}\n", name, in_effect(r.integer_at(3)));
        }
    });
}

int remote_reset(const Remote& remote) {
    return exchange(remote, {"/lel/reset", {}},
                    [](const OscPacket&, double) { fmt::print("reset: every signal removed, state wiped\n"); });
}

int remote_status(const Remote& remote) {
    const auto describe = [](const OscPacket& r, double) {
        for (std::size_t i = 0; i + 1 < r.args.size(); i += 2) {
            fmt::print("{:<15} {}\n", to_string(r.args[i]), to_string(r.args[i + 1]));
        }
    };
    return exchange(remote, {"/lel/status", {}}, describe, "/lel/status.reply");
}

int remote_ping(const Remote& remote) {
    return exchange(remote, {"/lel/ping", {}},
                    [](const OscPacket&, double ms) { fmt::print("pong ({:.2f} ms)\n", ms); }, "/lel/pong");
}

int remote_quit(const Remote& remote) {
    return exchange(remote, {"/lel/quit", {}}, [](const OscPacket&, double) { fmt::print("leld is quitting\n"); });
}

int remote_tempo(const Remote& remote, double bpm) {
    return exchange(remote, {"/lel/tempo", {static_cast<float>(bpm)}}, [](const OscPacket& r, double) {
        const double set = r.number_at(1).value_or(0.0);
        if (set > 0.0) {
            fmt::print("tempo {} bpm: load quanta count beats\n", to_string(set));
        } else {
            fmt::print("tempo unset: load quanta count frames\n");
        }
    });
}

int remote_fade(const Remote& remote, double ms) {
    return exchange(remote, {"/lel/fade", {static_cast<float>(ms)}}, [](const OscPacket& r, double) {
        fmt::print("fade {} ms\n", to_string(r.number_at(1).value_or(0.0)));
    });
}

int remote_set(const Remote& remote, const std::string& signal, const std::vector<std::string>& pairs,
               std::optional<double> lag, bool trig) {
    OscPacket request{trig ? "/lel/trig" : "/lel/set", {signal}};
    for (const std::string& word : pairs) {
        // A number is a value, anything else a parameter's name.
        char* end = nullptr;
        const double v = std::strtod(word.c_str(), &end);
        if (!word.empty() && end && *end == '\0') {
            request.args.emplace_back(v);
        } else {
            request.args.emplace_back(word);
        }
    }
    if (lag) {
        request.args.emplace_back(std::string("lag"));
        request.args.emplace_back(*lag);
    }
    return exchange(remote, request, [&](const OscPacket& r, double) {
        const std::optional<std::string> note = r.string_at(1);
        fmt::print("{} {}{}\n", trig ? "triggered" : "set", signal, note ? ": " + *note : "");
    });
}

int remote_get(const Remote& remote, const std::string& signal, const std::string& param) {
    return exchange(remote, {"/lel/get", {signal, param}}, [](const OscPacket& r, double) {
        fmt::print("{}\n", to_string(r.args.size() > 2 ? r.args[2] : OscArg{0.0}));
    }, "/lel/get.reply");
}

int remote_params(const Remote& remote) {
    return exchange(remote, {"/lel/params", {}}, [](const OscPacket& r, double) {
        if (r.args.empty()) fmt::print("no parameters (declare them with lel::param)\n");
        for (std::size_t i = 0; i + 6 < r.args.size(); i += 7) {
            const std::string range = fmt::format("[{}, {}]", to_string(r.args[i + 3]), to_string(r.args[i + 4]));
            fmt::print("{:<12} {:<12} {:>12}  {:<28} lag {} s{}\n", to_string(r.args[i]), to_string(r.args[i + 1]),
                       to_string(r.args[i + 2]), range, to_string(r.args[i + 5]),
                       r.integer_at(i + 6).value_or(0) ? "" : "  (default)");
        }
    }, "/lel/params.reply");
}

}  // namespace lel::client
