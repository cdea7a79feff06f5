#include "osc_server.hpp"

#include "osc_packet.hpp"
#include "protocol.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace lel {

// ------------------------------------------------------------- OscMessage

OscMessage::OscMessage(const osc::Message& message) : message_{message.path, {}} {
    for (const osc::Arg& a : message.args) {
        std::visit([this](const auto& v) { add(v); }, a);
    }
}

OscMessage& OscMessage::add(std::string_view s) {
    std::string copy(s.substr(0, std::min(s.size(), max_answer_string)));
    if (s.size() > max_answer_string) {
        const std::string note = fmt::format("... [cut: {} bytes]", s.size());
        copy.replace(copy.size() - note.size(), note.size(), note);
    }
    return push(std::move(copy));
}

// ------------------------------------------------------------- OscRequest

std::string_view OscRequest::types() const { return lo_message_get_types(msg_); }
int OscRequest::argc() const { return lo_message_get_argc(msg_); }

std::optional<std::string> OscRequest::string_at(int i) const {
    if (i < 0) return std::nullopt;
    std::optional<osc::Arg> a = osc::arg_at(msg_, static_cast<std::size_t>(i));
    if (!a || !std::holds_alternative<std::string>(*a)) return std::nullopt;
    return std::get<std::string>(std::move(*a));
}

std::optional<double> OscRequest::number_at(int i) const {
    if (i < 0) return std::nullopt;
    const std::optional<osc::Arg> a = osc::arg_at(msg_, static_cast<std::size_t>(i));
    if (!a || std::holds_alternative<std::string>(*a)) return std::nullopt;
    return std::visit([](auto n) -> double {
        if constexpr (std::is_arithmetic_v<decltype(n)>) {
            return static_cast<double>(n);
        } else {
            return 0.0;
        }
    }, *a);
}

namespace {

uint32_t read_be32(const char* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return ntohl(v);
}

// Our own answers' addresses: a message sent to one of them is an answer
// (or a forgery of one), and answering it could start a loop.
bool is_answer_address(std::string_view path) {
    return path == protocol::done || path == protocol::fail || path == protocol::pong || path.ends_with(".reply") ||
           path.starts_with(protocol::event);
}

// A key for the per-sender rate limit: IPv4 address and port.
uint64_t sender_key(const sockaddr_storage& address) {
    if (address.ss_family != AF_INET) return 0;
    const auto& in = reinterpret_cast<const sockaddr_in&>(address);
    return (uint64_t{ntohl(in.sin_addr.s_addr)} << 16) | ntohs(in.sin_port);
}

}  // namespace

OscServer::OscServer(const std::string& address, uint16_t port) : buffer_(65536) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
        throw OscError(fmt::format("'{}' is not an IPv4 address to bind the OSC port to", address));
    }
    bound_ = addr.sin_addr;
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
    // ICMP errors (a destination's port closed) go to the error queue, with
    // the address we sent to: how a vanished subscriber is noticed.
    const int on = 1;
    setsockopt(fd_, IPPROTO_IP, IP_RECVERR, &on, sizeof on);
}

void OscServer::drain_errors() {
    for (int n = 0; n < 256; ++n) {
        sockaddr_storage to{};
        char control[512];
        char data[64];
        iovec iov{data, sizeof data};
        msghdr msg{};
        msg.msg_name = &to;
        msg.msg_namelen = sizeof to;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        if (recvmsg(fd_, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) return;  // empty
        if (unreachable_ && msg.msg_namelen > 0) unreachable_(Sender{to, msg.msg_namelen});
    }
}

OscServer::~OscServer() {
    if (fd_ >= 0) close(fd_);
}

void OscServer::on(std::string path, Handler handler) { routes_[std::move(path)] = std::move(handler); }

bool OscServer::try_receive_one() {
    for (;;) {
        Sender from;
        from.length = sizeof from.address;
        const ssize_t n = recvfrom(fd_, buffer_.data(), buffer_.size(), 0,
                                   reinterpret_cast<sockaddr*>(&from.address), &from.length);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH || errno == EPROTO) {
                drain_errors();  // an answer we sent could not be delivered
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) spdlog::warn("OSC receive failed: {}", std::strerror(errno));
            drain_errors();
            return false;
        }
        sender_ = from.address;
        sender_len_ = from.length;
        handle_datagram(nullptr, static_cast<std::size_t>(n), from);
        return true;
    }
}

void OscServer::handle_datagram(const char* data, std::size_t size, const Sender& from) {
    size = std::min(size, buffer_.size());
    if (data) std::memcpy(buffer_.data(), data, size);  // null: already in buffer_
    sender_ = from.address;
    sender_len_ = from.length;
    if (from_ourselves()) {
        ++counters_.ignored;  // our own answer come back (spoofed, or sent to ourselves): never answer it
        return;
    }
    answers_ = failures_ = left_out_ = 0;
    stop_packet_ = false;
    handle_packet(buffer_.data(), size, 0);
    if (left_out_ > 0) {
        spdlog::warn("{} answers to one packet left out (at most {} per packet)", left_out_, max_answers_per_packet);
        OscMessage m{std::string(protocol::done)};
        m.add("#bundle").add(int32_t{answers_}).add(int32_t{failures_}).add(int32_t{left_out_});
        send(sender(), m.serialise());
    }
}

bool OscServer::from_ourselves() const noexcept {
    if (sender_len_ < sizeof(sockaddr_in) || sender_.ss_family != AF_INET) return false;
    const auto& in = reinterpret_cast<const sockaddr_in&>(sender_);
    if (ntohs(in.sin_port) != port_) return false;
    // Bound to one address: that one. Bound to all: any of ours, which a
    // datagram from our own port on this machine must be; be strict only
    // about loopback, where a second leld cannot have our port.
    return in.sin_addr.s_addr == bound_.s_addr || bound_.s_addr == htonl(INADDR_ANY) ||
           (ntohl(in.sin_addr.s_addr) >> 24) == 127;
}

// True when the sender has had no answer to an unknown or malformed request
// in the last second (and records this one).
bool OscServer::first_this_second() {
    const auto now = std::chrono::steady_clock::now();
    if (last_unknown_answer_.size() > 4096) {  // bounded: forget senders quiet for a second
        std::erase_if(last_unknown_answer_, [&](const auto& kv) { return now - kv.second >= std::chrono::seconds(1); });
        if (last_unknown_answer_.size() > 4096) last_unknown_answer_.clear();
    }
    auto [it, fresh] = last_unknown_answer_.try_emplace(sender_key(sender_), now);
    if (!fresh && now - it->second < std::chrono::seconds(1)) {
        ++counters_.rate_limited;
        return false;
    }
    it->second = now;
    return true;
}

void OscServer::answer_malformed(std::string_view why) {
    spdlog::warn("{}", why);
    if (first_this_second()) fail("malformed", why);
}

void OscServer::handle_packet(char* data, std::size_t size, int depth) {
    static constexpr char bundle_tag[] = "#bundle";  // with its NUL: 8 bytes
    if (size >= 16 && std::memcmp(data, bundle_tag, sizeof bundle_tag) == 0) {
        if (depth >= 8) {
            answer_malformed("OSC bundles nested too deep");
            return;
        }
        std::size_t at = 16;  // tag + time tag
        const uint64_t outer = timetag_;
        timetag_ = (uint64_t{read_be32(data + 8)} << 32) | read_be32(data + 12);
        while (at + 4 <= size && !stop_packet_) {
            const uint32_t len = read_be32(data + at);
            at += 4;
            if (len > size - at || len % 4 != 0) {
                answer_malformed(fmt::format("malformed OSC bundle: element of {} bytes at offset {} of {}", len, at, size));
                timetag_ = outer;
                return;
            }
            handle_packet(data + at, len, depth + 1);
            at += len;
            if (interrupted_ && interrupted_()) {
                stop_packet_ = true;
                spdlog::info("rest of an OSC bundle dropped: leld is stopping");
            }
        }
        timetag_ = outer;
        return;
    }
    handle_message(data, size);
}

void OscServer::handle_message(char* data, std::size_t size) {
    if (size == 0 || data[0] != '/') {
        answer_malformed(size == 0 ? std::string("empty OSC packet")
                                   : fmt::format("malformed OSC packet of {} bytes: an address starts with '/'", size));
        return;
    }
    // liblo 0.31 reads past the end of some malformed packets: it sees none.
    if (const auto why = check_osc_packet({data, size})) {
        answer_malformed(*why);
        return;
    }
    int result = 0;
    lo_message msg = lo_message_deserialise(data, size, &result);
    if (!msg) {
        answer_malformed(fmt::format("malformed OSC packet of {} bytes (liblo error {})", size, result));
        return;
    }
    const std::unique_ptr<std::remove_pointer_t<lo_message>, void (*)(lo_message)> owned(msg, &lo_message_free);
    const std::string_view path(data);  // validated by lo_message_deserialise
    if (is_answer_address(path)) {
        ++counters_.ignored;
        spdlog::debug("not answering {}: it is an answer", path);
        return;
    }
    const OscRequest request(path, msg);
    const auto route = routes_.find(path);
    if (route == routes_.end()) {
        spdlog::warn("unknown OSC address {} ('{}')", path, request.types());
        if (first_this_second()) fail(path, fmt::format("unknown command {}; see docs/OSC.md", path));
        return;
    }
    try {
        route->second(request);
    } catch (const std::exception& e) {
        spdlog::error("{}: {}", path, e.what());
        fail(path, e.what());
    }
}

bool OscServer::take_budget(bool failure) {
    ++answers_;
    failures_ += failure ? 1 : 0;
    if (answers_ <= max_answers_per_packet) return true;
    ++left_out_;
    ++counters_.left_out;
    return false;
}

void OscServer::send(const Sender& to, const std::vector<char>& bytes) {
    if (to.length == 0) return;
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to.address), to.length) >= 0) {
            return;
        }
        // An ICMP error about an earlier datagram (IP_RECVERR) fails the
        // next call on the socket, whatever it sends: take it, then retry.
        if (errno != ECONNREFUSED && errno != EHOSTUNREACH && errno != ENETUNREACH && errno != EPROTO) break;
        drain_errors();
    }
    spdlog::debug("OSC answer not sent: {}", std::strerror(errno));
}

void OscServer::reply(const OscMessage& message) {
    if (take_budget(message.path() == protocol::fail)) send(sender(), message.serialise());
}

OscServer::Sender OscServer::defer_answer() { return take_budget(false) ? sender() : Sender{}; }

void OscServer::reply_to(const Sender& to, const OscMessage& message) { send(to, message.serialise()); }

void OscServer::done(std::string_view command) { reply(OscMessage(protocol::Done{std::string(command), {}}.message())); }

void OscServer::fail(std::string_view command, std::string_view why) {
    reply(OscMessage(protocol::Fail{std::string(command), std::string(why)}.message()));
}

}  // namespace lel
