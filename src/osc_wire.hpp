// lel — the OSC wire format, once: messages as values, encoded and decoded
// through liblo, for every side of the protocol (leld's answers and the
// requests it reads, the `lel` client, the test harness).
//
// Design: an OSC message is a path and a list of arguments of the five
// types lel's protocol uses (i, h, f, d, s); Message holds them as plain
// values with typed accessors by position. liblo does the bytes (padding,
// byte order); decode() copies liblo's arguments out byte by byte, since
// liblo leaves 8-byte ones only 4-byte aligned. What each command's
// arguments mean is protocol.hpp's business, not this file's.
//
// Threads: any; no shared state.
#pragma once

#include <lo/lo.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lel::osc {

/// One argument, as sent or received: i, h, f, d or s (a symbol S reads as s).
using Arg = std::variant<int32_t, int64_t, float, double, std::string>;

struct Message {
    std::string path;
    std::vector<Arg> args;

    /// The type tags, without the comma ("isd").
    std::string types() const;
    /// The string at `i`, or nullopt if there is none there.
    std::optional<std::string> string_at(std::size_t i) const;
    /// The integer at `i`: an i or h, or an f or d holding an integral value.
    std::optional<int64_t> integer_at(std::size_t i) const;
    /// The number (i, h, f or d) at `i`, as a double.
    std::optional<double> number_at(std::size_t i) const;
    /// For key/value answers (/lel/status.reply): the argument after the
    /// string `key`.
    std::optional<Arg> value_of(std::string_view key) const;
    /// `/lel/fail s:"/lel/load" s:"..."`, for people and assertion messages.
    std::string describe() const;
};

/// The message's bytes. Throws std::bad_alloc only.
std::vector<char> encode(const Message& message);
/// The message in `bytes`, or nullopt when liblo does not accept it or it
/// holds a type other than i, h, f, d, s and S. A bundle is not a message.
std::optional<Message> decode(std::span<const char> bytes);
/// The message liblo decoded, as decode() gives it.
std::optional<Message> from_lo(std::string_view path, lo_message message);
/// Argument `i` of a message liblo decoded, or nullopt when there is none
/// or it is not of the five types (what from_lo() and leld's requests read).
std::optional<Arg> arg_at(lo_message message, std::size_t i);

/// A bundle of already encoded elements with an NTP time tag (1: at once).
std::vector<char> bundle(const std::vector<std::vector<char>>& elements, uint64_t timetag = 1);

/// An argument for a human: strings as they are, integers and integral
/// floats and doubles as plain integers (2097152, not 2.09715e+06), other
/// numbers with three decimals.
std::string to_string(const Arg& arg);

}  // namespace lel::osc
