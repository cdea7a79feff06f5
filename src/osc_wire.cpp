#include "osc_wire.hpp"

#include <arpa/inet.h>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <memory>

namespace lel::osc {
namespace {

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};

using lo_message_ptr = std::unique_ptr<std::remove_pointer_t<lo_message>, void (*)(lo_message)>;

// liblo's arguments are only 4-byte aligned (an 8-byte one after a string
// may sit at any multiple of 4): copied out, never dereferenced, and never
// held as an lo_arg* (a type that promises 8-byte alignment: UBSan checks
// the memcpy of one).
template <class T>
T read(const void* a) {
    T v;
    std::memcpy(&v, a, sizeof v);
    return v;
}

// Frames, counts and bytes travel as doubles (exact up to 2^53): shown as
// the integers they are.
std::string format_real(double d) {
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 0x1p53) return fmt::format("{:.0f}", d + 0.0);  // + 0.0: -0 prints as 0
    return fmt::format("{:.3f}", d);
}

}  // namespace

std::string Message::types() const {
    std::string t;
    for (const Arg& a : args) {
        t += std::visit(overloaded{[](int32_t) { return 'i'; }, [](int64_t) { return 'h'; }, [](float) { return 'f'; },
                                   [](double) { return 'd'; }, [](const std::string&) { return 's'; }},
                        a);
    }
    return t;
}

std::optional<std::string> Message::string_at(std::size_t i) const {
    if (i >= args.size()) return std::nullopt;
    if (const auto* s = std::get_if<std::string>(&args[i])) return *s;
    return std::nullopt;
}

std::optional<int64_t> Message::integer_at(std::size_t i) const {
    if (i >= args.size()) return std::nullopt;
    return std::visit(overloaded{[](const std::string&) -> std::optional<int64_t> { return std::nullopt; },
                                 [](int32_t n) -> std::optional<int64_t> { return n; },
                                 [](int64_t n) -> std::optional<int64_t> { return n; },
                                 [](auto x) -> std::optional<int64_t> {
                                     const double d = static_cast<double>(x);
                                     if (!(std::fabs(d) < 0x1p63) || d != std::trunc(d)) return std::nullopt;
                                     return static_cast<int64_t>(d);
                                 }},
                      args[i]);
}

std::optional<double> Message::number_at(std::size_t i) const {
    if (i >= args.size()) return std::nullopt;
    return std::visit(overloaded{[](const std::string&) -> std::optional<double> { return std::nullopt; },
                                 [](auto n) -> std::optional<double> { return static_cast<double>(n); }},
                      args[i]);
}

std::optional<Arg> Message::value_of(std::string_view key) const {
    for (std::size_t i = 0; i + 1 < args.size(); i += 2) {  // keys at even positions
        if (const auto* s = std::get_if<std::string>(&args[i]); s && *s == key) return args[i + 1];
    }
    return std::nullopt;
}

std::string Message::describe() const {
    std::string out = path;
    const std::string t = types();
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string value = to_string(args[i]);
        out += fmt::format(" {}:{}", t[i], t[i] == 's' ? "\"" + value + "\"" : value);
    }
    return out;
}

std::vector<char> encode(const Message& message) {
    const lo_message_ptr m(lo_message_new(), &lo_message_free);
    for (const Arg& a : message.args) {
        std::visit(overloaded{[&](int32_t i) { lo_message_add_int32(m.get(), i); },
                              [&](int64_t h) { lo_message_add_int64(m.get(), h); },
                              [&](float f) { lo_message_add_float(m.get(), f); },
                              [&](double d) { lo_message_add_double(m.get(), d); },
                              [&](const std::string& s) { lo_message_add_string(m.get(), s.c_str()); }},
                   a);
    }
    std::vector<char> bytes(lo_message_length(m.get(), message.path.c_str()));
    std::size_t size = bytes.size();
    lo_message_serialise(m.get(), message.path.c_str(), bytes.data(), &size);
    bytes.resize(size);
    return bytes;
}

std::optional<Message> decode(std::span<const char> bytes) {
    if (bytes.empty() || bytes[0] != '/') return std::nullopt;  // not a message (a bundle, or junk)
    std::vector<char> copy(bytes.begin(), bytes.end());  // lo_message_deserialise wants a mutable buffer
    int result = 0;
    const lo_message_ptr m(lo_message_deserialise(copy.data(), copy.size(), &result), &lo_message_free);
    if (!m) return std::nullopt;
    return from_lo(std::string_view(copy.data()), m.get());  // the path, NUL-terminated as liblo checked
}

std::optional<Message> from_lo(std::string_view path, lo_message message) {
    Message out{std::string(path), {}};
    const auto argc = static_cast<std::size_t>(lo_message_get_argc(message));
    for (std::size_t i = 0; i < argc; ++i) {
        std::optional<Arg> a = arg_at(message, i);
        if (!a) return std::nullopt;
        out.args.push_back(std::move(*a));
    }
    return out;
}

std::optional<Arg> arg_at(lo_message message, std::size_t i) {
    const char* tags = lo_message_get_types(message);
    if (!tags || i >= static_cast<std::size_t>(lo_message_get_argc(message))) return std::nullopt;
    const void* a = lo_message_get_argv(message)[i];
    switch (tags[i]) {
        case LO_INT32: return read<int32_t>(a);
        case LO_INT64: return read<int64_t>(a);
        case LO_FLOAT: return read<float>(a);
        case LO_DOUBLE: return read<double>(a);
        case LO_STRING:
        case LO_SYMBOL: return std::string(static_cast<const char*>(a));
        default: return std::nullopt;
    }
}

std::vector<char> bundle(const std::vector<std::vector<char>>& elements, uint64_t timetag) {
    std::vector<char> out{'#', 'b', 'u', 'n', 'd', 'l', 'e', '\0'};
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((timetag >> shift) & 0xff));
    for (const auto& e : elements) {
        const uint32_t size = htonl(static_cast<uint32_t>(e.size()));
        const auto* b = reinterpret_cast<const char*>(&size);
        out.insert(out.end(), b, b + 4);
        out.insert(out.end(), e.begin(), e.end());
    }
    return out;
}

std::string to_string(const Arg& arg) {
    return std::visit(overloaded{[](const std::string& s) { return s; },
                                 [](double d) { return format_real(d); },
                                 [](float f) { return format_real(f); },
                                 [](auto n) { return fmt::format("{}", n); }},
                      arg);
}

}  // namespace lel::osc
