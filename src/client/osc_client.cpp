#include "osc_client.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace lel::client {
namespace {

using clock = std::chrono::steady_clock;

}  // namespace

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
    const std::vector<char> bytes = osc::encode(request);
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
        auto reply = osc::decode(std::span<const char>(buffer.data(), static_cast<std::size_t>(n)));
        if (!reply || !answers(*reply, request.path, reply_path)) continue;
        exchange.outcome = OscExchange::Outcome::answered;
        exchange.reply = std::move(*reply);
        exchange.round_trip = clock::now() - start;
        return exchange;
    }
}

}  // namespace lel::client
