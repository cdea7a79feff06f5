#include "osc_client.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <lo/lo.h>
#include <memory>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace lel::client {
namespace {

using clock = std::chrono::steady_clock;
using lo_message_ptr = std::unique_ptr<std::remove_pointer_t<lo_message>, void (*)(lo_message)>;

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};

}  // namespace

// ------------------------------------------------------------ wire format

std::optional<std::string> OscPacket::string_at(std::size_t i) const {
    if (i >= args.size()) return std::nullopt;
    if (const auto* s = std::get_if<std::string>(&args[i])) return *s;
    return std::nullopt;
}

std::optional<int64_t> OscPacket::integer_at(std::size_t i) const {
    if (i >= args.size()) return std::nullopt;
    return std::visit(overloaded{[](const std::string&) -> std::optional<int64_t> { return std::nullopt; },
                                 [](auto n) -> std::optional<int64_t> { return static_cast<int64_t>(n); }},
                      args[i]);
}

std::optional<double> OscPacket::number_at(std::size_t i) const {
    if (i >= args.size()) return std::nullopt;
    return std::visit(overloaded{[](const std::string&) -> std::optional<double> { return std::nullopt; },
                                 [](auto n) -> std::optional<double> { return static_cast<double>(n); }},
                      args[i]);
}

std::vector<char> encode(const OscPacket& packet) {
    const lo_message_ptr msg(lo_message_new(), &lo_message_free);
    for (const OscArg& arg : packet.args) {
        std::visit(overloaded{[&](int32_t i) { lo_message_add_int32(msg.get(), i); },
                              [&](int64_t h) { lo_message_add_int64(msg.get(), h); },
                              [&](float f) { lo_message_add_float(msg.get(), f); },
                              [&](double d) { lo_message_add_double(msg.get(), d); },
                              [&](const std::string& s) { lo_message_add_string(msg.get(), s.c_str()); }},
                   arg);
    }
    std::vector<char> bytes(lo_message_length(msg.get(), packet.path.c_str()));
    std::size_t size = bytes.size();
    lo_message_serialise(msg.get(), packet.path.c_str(), bytes.data(), &size);
    bytes.resize(size);
    return bytes;
}

std::optional<OscPacket> decode(const char* data, std::size_t size) {
    if (size == 0 || data[0] != '/') return std::nullopt;  // not a message (a bundle, or junk)
    std::vector<char> copy(data, data + size);  // lo_message_deserialise wants a mutable buffer
    int result = 0;
    const lo_message_ptr msg(lo_message_deserialise(copy.data(), size, &result), &lo_message_free);
    if (!msg) return std::nullopt;
    OscPacket packet{std::string(copy.data()), {}};  // the path, validated by liblo
    const std::string_view types = lo_message_get_types(msg.get());
    lo_arg** argv = lo_message_get_argv(msg.get());
    for (std::size_t i = 0; i < types.size(); ++i) {
        const lo_arg* a = argv[i];
        switch (types[i]) {
            case LO_INT32: packet.args.emplace_back(a->i); break;
            case LO_INT64: packet.args.emplace_back(a->h); break;
            case LO_FLOAT: packet.args.emplace_back(a->f); break;
            case LO_DOUBLE: packet.args.emplace_back(a->d); break;
            case LO_STRING:
            case LO_SYMBOL: packet.args.emplace_back(std::string(&a->s)); break;
            default: return std::nullopt;
        }
    }
    return packet;
}

namespace {

// Frames, counts and bytes travel as doubles (exact up to 2^53): show them
// as the integers they are.
std::string format_real(double d) {
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 0x1p53) return fmt::format("{:.0f}", d + 0.0);  // + 0.0: -0 prints as 0
    return fmt::format("{:.3f}", d);
}

}  // namespace

std::string to_string(const OscArg& arg) {
    return std::visit(overloaded{[](const std::string& s) { return s; },
                                 [](double d) { return format_real(d); },
                                 [](float f) { return format_real(f); },
                                 [](auto n) { return fmt::format("{}", n); }},
                      arg);
}

// -------------------------------------------------------------- OscClient

OscClient::OscClient(const std::string& host, uint16_t port) : peer_(fmt::format("{}:{}", host, port)) {
    addrinfo hints{};
    hints.ai_family = AF_INET;  // leld binds IPv4: "localhost" must not become ::1
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (const int err = getaddrinfo(host.c_str(), nullptr, &hints, &found); err != 0) {
        throw OscClientError(fmt::format("cannot resolve host '{}': {}", host, gai_strerror(err)));
    }
    sockaddr_in addr{};
    std::memcpy(&addr, found->ai_addr, sizeof addr);
    freeaddrinfo(found);
    addr.sin_port = htons(port);

    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw OscClientError(fmt::format("cannot create a UDP socket: {}", std::strerror(errno)));
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        const int err = errno;
        close(fd_);
        throw OscClientError(fmt::format("cannot reach {}: {}", peer_, std::strerror(err)));
    }
}

OscClient::~OscClient() {
    if (fd_ >= 0) close(fd_);
}

namespace {

bool answers(const OscPacket& reply, const std::string& command, std::string_view reply_path) {
    if (!reply_path.empty() && reply.path == reply_path) return true;
    return (reply.path == "/lel/done" || reply.path == "/lel/fail") && reply.string_at(0) == command;
}

}  // namespace

OscExchange OscClient::request(const OscPacket& request, std::chrono::milliseconds timeout,
                               std::string_view reply_path) {
    OscExchange exchange;
    const std::vector<char> bytes = encode(request);
    const auto start = clock::now();
    const auto deadline = start + timeout;
    if (send(fd_, bytes.data(), bytes.size(), 0) < 0) {
        exchange.outcome = errno == ECONNREFUSED ? OscExchange::Outcome::refused : OscExchange::Outcome::timed_out;
        return exchange;
    }
    std::vector<char> buffer(65536);
    for (;;) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
        if (left.count() <= 0) return exchange;  // timed out
        pollfd pfd{fd_, POLLIN, 0};
        const int ready = poll(&pfd, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno != EINTR) return exchange;
        if (ready <= 0) continue;
        const ssize_t n = recv(fd_, buffer.data(), buffer.size(), 0);
        if (n < 0) {
            if (errno == ECONNREFUSED) {
                exchange.outcome = OscExchange::Outcome::refused;
                return exchange;
            }
            continue;  // EINTR, or an error from an earlier datagram: keep waiting
        }
        auto reply = decode(buffer.data(), static_cast<std::size_t>(n));
        if (!reply || !answers(*reply, request.path, reply_path)) continue;
        exchange.outcome = OscExchange::Outcome::answered;
        exchange.reply = std::move(*reply);
        exchange.round_trip = clock::now() - start;
        return exchange;
    }
}

}  // namespace lel::client
