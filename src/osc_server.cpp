#include "osc_server.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

namespace lel {

// ------------------------------------------------------------- OscMessage

OscMessage::OscMessage(std::string path) : path_(std::move(path)), msg_(lo_message_new()) {}
OscMessage::~OscMessage() {
    if (msg_) lo_message_free(msg_);
}

OscMessage& OscMessage::add(std::string_view s) {
    const std::string copy(s);
    lo_message_add_string(msg_, copy.c_str());
    return *this;
}
OscMessage& OscMessage::add(int32_t i) { lo_message_add_int32(msg_, i); return *this; }
OscMessage& OscMessage::add(int64_t h) { lo_message_add_int64(msg_, h); return *this; }
OscMessage& OscMessage::add(double d) { lo_message_add_double(msg_, d); return *this; }
OscMessage& OscMessage::add(float f) { lo_message_add_float(msg_, f); return *this; }

std::vector<char> OscMessage::serialise() const {
    std::vector<char> bytes(lo_message_length(msg_, path_.c_str()));
    std::size_t size = bytes.size();
    lo_message_serialise(msg_, path_.c_str(), bytes.data(), &size);
    bytes.resize(size);
    return bytes;
}

// ------------------------------------------------------------- OscRequest

std::string_view OscRequest::types() const { return lo_message_get_types(msg_); }
int OscRequest::argc() const { return lo_message_get_argc(msg_); }

std::optional<std::string> OscRequest::string_at(int i) const {
    if (i < 0 || i >= argc()) return std::nullopt;
    const char t = types()[static_cast<std::size_t>(i)];
    lo_arg* a = lo_message_get_argv(msg_)[i];
    if (t == LO_STRING || t == LO_SYMBOL) return std::string(&a->s);
    return std::nullopt;
}

std::optional<double> OscRequest::number_at(int i) const {
    if (i < 0 || i >= argc()) return std::nullopt;
    lo_arg* a = lo_message_get_argv(msg_)[i];
    switch (types()[static_cast<std::size_t>(i)]) {
        case LO_INT32: return a->i;
        case LO_INT64: return static_cast<double>(a->h);
        case LO_FLOAT: return a->f;
        case LO_DOUBLE: return a->d;
        default: return std::nullopt;
    }
}

// -------------------------------------------------------------- OscServer

OscServer::OscServer(const std::string& address, uint16_t port) : buffer_(65536) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
        throw OscError(fmt::format("'{}' is not an IPv4 address to bind the OSC port to", address));
    }
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw OscError(fmt::format("cannot create a UDP socket: {}", std::strerror(errno)));
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        const int err = errno;
        close(fd_);
        throw OscError(fmt::format("cannot bind OSC port {}:{}: {}{}", address, port, std::strerror(err),
                                   err == EADDRINUSE ? " (is another leld running? choose another with --port)" : ""));
    }
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
}

OscServer::~OscServer() {
    if (fd_ >= 0) close(fd_);
}

void OscServer::on(std::string path, Handler handler) { routes_[std::move(path)] = std::move(handler); }

void OscServer::receive() {
    for (;;) {
        sender_len_ = sizeof sender_;
        const ssize_t n = recvfrom(fd_, buffer_.data(), buffer_.size(), 0,
                                   reinterpret_cast<sockaddr*>(&sender_), &sender_len_);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) spdlog::warn("OSC receive failed: {}", std::strerror(errno));
            return;
        }
        handle_packet(buffer_.data(), static_cast<std::size_t>(n), 0);
    }
}

void OscServer::handle_datagram(const char* data, std::size_t size, const Sender& from) {
    size = std::min(size, buffer_.size());
    std::memcpy(buffer_.data(), data, size);
    sender_ = from.address;
    sender_len_ = from.length;
    handle_packet(buffer_.data(), size, 0);
}

namespace {

uint32_t read_be32(const char* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return ntohl(v);
}

}  // namespace

void OscServer::handle_packet(char* data, std::size_t size, int depth) {
    static constexpr char bundle_tag[] = "#bundle";  // with its NUL: 8 bytes
    if (size >= 16 && std::memcmp(data, bundle_tag, sizeof bundle_tag) == 0) {
        if (depth >= 8) {
            fail("malformed", "OSC bundles nested too deep");
            return;
        }
        std::size_t at = 16;  // tag + time tag
        while (at + 4 <= size) {
            const uint32_t len = read_be32(data + at);
            at += 4;
            if (len > size - at || len % 4 != 0) {
                spdlog::warn("malformed OSC bundle: element of {} bytes at offset {} of {}", len, at, size);
                fail("malformed", fmt::format("malformed OSC bundle: element of {} bytes at offset {} of {}", len, at, size));
                return;
            }
            handle_packet(data + at, len, depth + 1);
            at += len;
        }
        return;
    }
    if (size == 0 || data[0] != '/') {
        const std::string why = size == 0 ? "empty OSC packet"
                                          : fmt::format("malformed OSC packet of {} bytes: an address starts with '/'", size);
        spdlog::warn("{}", why);
        fail("malformed", why);
        return;
    }
    int result = 0;
    lo_message msg = lo_message_deserialise(data, size, &result);
    if (!msg) {
        const std::string why = fmt::format("malformed OSC packet of {} bytes (liblo error {})", size, result);
        spdlog::warn("{}", why);
        fail("malformed", why);
        return;
    }
    const std::unique_ptr<std::remove_pointer_t<lo_message>, void (*)(lo_message)> owned(msg, &lo_message_free);
    const std::string_view path(data);  // validated by lo_message_deserialise
    const OscRequest request(path, msg);
    const auto route = routes_.find(path);
    try {
        if (route != routes_.end()) {
            route->second(request);
        } else if (fallback_) {
            fallback_(request);
        }
    } catch (const std::exception& e) {
        spdlog::error("{}: {}", path, e.what());
        fail(path, e.what());
    }
}

void OscServer::send(const Sender& to, const std::vector<char>& bytes) {
    if (to.length == 0) return;
    if (sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to.address), to.length) < 0) {
        spdlog::debug("OSC reply not sent: {}", std::strerror(errno));
    }
}

void OscServer::reply(const OscMessage& message) { send(sender(), message.serialise()); }
void OscServer::reply_to(const Sender& to, const OscMessage& message) { send(to, message.serialise()); }

void OscServer::done(std::string_view command) {
    OscMessage m("/lel/done");
    m.add(command);
    reply(m);
}

void OscServer::fail(std::string_view command, std::string_view why) {
    OscMessage m("/lel/fail");
    m.add(command).add(why);
    reply(m);
}

}  // namespace lel
