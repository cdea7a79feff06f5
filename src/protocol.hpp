// lel — leld's OSC protocol, as one table: every command's address, what it
// takes and what it answers, and the messages both sides build and read,
// so that an address or an argument's position is written once. leld's
// handlers (commands.cpp, param_commands.cpp), the `lel` client
// (client/remote_commands.cpp) and the integration harness use it;
// docs/OSC.md is its prose, and tests/docs_test.cpp checks that the
// reference has a section for every command here, as the table writes it.
//
// A request or answer with arguments both sides read is a struct with
// message() (build it) and read() (nullopt when a message is not one);
// the positions live in those two functions only.
//
// Threads: any; no state.
#pragma once

#include "osc_wire.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lel::protocol {

/// A command as docs/OSC.md heads its section: `path takes`.
struct Command {
    std::string_view path;
    std::string_view takes;  ///< its arguments, as the reference writes them ("" for none)
};

inline constexpr Command load{"/lel/load", R"(s:path [quantum] [s:"crossfade"])"};
inline constexpr Command clear{"/lel/clear", ""};
inline constexpr Command remove{"/lel/remove", "s:name"};
inline constexpr Command reset{"/lel/reset", ""};
inline constexpr Command tempo{"/lel/tempo", "f:bpm [d:beat [d:ntp]]"};
inline constexpr Command fade{"/lel/fade", "f:ms"};
inline constexpr Command set{"/lel/set", R"(s:signal s:param f:value [s:param f:value ...] [s:"lag" f:seconds])"};
inline constexpr Command trig{"/lel/trig", "s:signal s:param [f:value] [s:param [f:value] ...]"};
inline constexpr Command get{"/lel/get", "s:signal s:param"};
inline constexpr Command params{"/lel/params", ""};
inline constexpr Command notify{"/lel/notify", "i:on"};
inline constexpr Command status{"/lel/status", ""};
inline constexpr Command ping{"/lel/ping", ""};
inline constexpr Command quit{"/lel/quit", ""};

/// Every command leld answers.
inline constexpr std::array commands{load, clear, remove, reset, tempo, fade, set, trig, get, params, notify,
                                     status, ping, quit};

/// The addresses leld answers and pushes on (never requests).
inline constexpr std::string_view done = "/lel/done";
inline constexpr std::string_view fail = "/lel/fail";
inline constexpr std::string_view pong = "/lel/pong";
inline constexpr std::string_view event = "/lel/event";
inline constexpr std::string_view status_reply = "/lel/status.reply";
inline constexpr std::string_view get_reply = "/lel/get.reply";
inline constexpr std::string_view params_reply = "/lel/params.reply";

/// A frame on the wire: a double (exact to 2^53; sclang reads no int64),
/// -1 for "not in effect".
inline constexpr double no_frame = -1.0;

// ---------------------------------------------------------------- requests

/// /lel/load s:path [quantum] [s:"crossfade"]
struct LoadRequest {
    std::string path;
    std::optional<double> quantum;
    bool crossfade = false;
    osc::Message message() const;
};
/// /lel/set (or /lel/trig) s:signal then names and values, [s:"lag" f:seconds].
struct SetRequest {
    std::string signal;
    std::vector<osc::Arg> words;  ///< parameter names (s) and values (numbers), in order
    std::optional<double> lag;
    bool trigger = false;         ///< /lel/trig
    osc::Message message() const;
};
/// /lel/get s:signal s:param
struct GetRequest {
    std::string signal, param;
    osc::Message message() const;
};

/// A command without arguments, or with the one number `value`.
osc::Message request(const Command& command);
osc::Message request(const Command& command, float value);
osc::Message request(const Command& command, std::string argument);

// ----------------------------------------------------------------- answers

/// /lel/fail s:command s:reason
struct Fail {
    std::string command, reason;
    osc::Message message() const;
    static std::optional<Fail> read(const osc::Message& m);
};

/// /lel/done s:command [more]: the command it answers.
std::optional<std::string> done_command(const osc::Message& m);

/// /lel/done s:"/lel/load" s:path i:signals d:frame
struct LoadDone {
    std::string path;
    int32_t signals = 0;
    double frame = no_frame;
    osc::Message message() const;
    static std::optional<LoadDone> read(const osc::Message& m);
};
/// /lel/done s:"/lel/clear" d:frame
struct ClearDone {
    double frame = no_frame;
    osc::Message message() const;
    static std::optional<ClearDone> read(const osc::Message& m);
};
/// /lel/done s:"/lel/remove" s:name i:removed d:frame
struct RemoveDone {
    std::string name;
    bool removed = false;
    double frame = no_frame;
    osc::Message message() const;
    static std::optional<RemoveDone> read(const osc::Message& m);
};
/// /lel/done s:command d:value: /lel/tempo's bpm, /lel/fade's milliseconds.
struct SettingDone {
    std::string command;
    double value = 0.0;
    osc::Message message() const;
    static std::optional<SettingDone> read(const osc::Message& m);
};
/// /lel/done s:command [s:note]: /lel/set's and /lel/trig's (a note when
/// something was clamped), /lel/reset's, /lel/notify's, /lel/quit's.
struct Done {
    std::string command;
    std::optional<std::string> note;
    osc::Message message() const;
    static std::optional<Done> read(const osc::Message& m);
};
/// /lel/get.reply s:signal s:param d:value
struct GetReply {
    std::string signal, param;
    double value = 0.0;
    osc::Message message() const;
    static std::optional<GetReply> read(const osc::Message& m);
};
/// /lel/params.reply: seven arguments per parameter.
struct ParamEntry {
    std::string signal, param;
    double value = 0.0, min = 0.0, max = 0.0, lag = 0.0;
    bool set = false;  ///< /lel/set gave the value (else it is the code's default)
};
struct ParamsReply {
    std::vector<ParamEntry> params;
    osc::Message message() const;
    static std::optional<ParamsReply> read(const osc::Message& m);
};

}  // namespace lel::protocol
