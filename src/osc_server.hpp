// lel — the OSC transport: one UDP socket, liblo for the wire format.
//
// Design: lel owns the socket (so it can bind to 127.0.0.1 and knows the
// sender of every datagram, malformed or not) and uses liblo to decode and
// encode messages. Every request gets its reply sent back to the address it
// came from, scsynth-style. Bundles are opened and their messages handled in
// order, at once (time tags are not scheduled).
//
// Threads: control thread only; nothing here is real-time.
#pragma once

#include <lo/lo.h>
#include <netinet/in.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lel {

class OscError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// An outgoing message (RAII over lo_message).
class OscMessage {
public:
    explicit OscMessage(std::string path);
    ~OscMessage();
    OscMessage(const OscMessage&) = delete;
    OscMessage& operator=(const OscMessage&) = delete;
    OscMessage(OscMessage&& other) noexcept : path_(std::move(other.path_)), msg_(std::exchange(other.msg_, nullptr)) {}
    OscMessage& operator=(OscMessage&&) = delete;

    OscMessage& add(std::string_view s);
    OscMessage& add(const char* s) { return add(std::string_view(s)); }
    OscMessage& add(int32_t i);
    OscMessage& add(int64_t h);
    OscMessage& add(double d);
    OscMessage& add(float f);

    const std::string& path() const noexcept { return path_; }
    std::vector<char> serialise() const;

private:
    std::string path_;
    lo_message msg_;
};

/// One incoming message and who sent it.
class OscRequest {
public:
    OscRequest(std::string_view path, lo_message msg) : path_(path), msg_(msg) {}

    std::string_view path() const noexcept { return path_; }
    std::string_view types() const;
    int argc() const;
    /// Argument i as a string, if it is one.
    std::optional<std::string> string_at(int i) const;
    /// Argument i as a number (i, h, f, d), if it is one.
    std::optional<double> number_at(int i) const;

private:
    std::string_view path_;
    lo_message msg_;
};

class OscServer {
public:
    using Handler = std::function<void(const OscRequest&)>;

    /// Binds UDP `address`:`port` (port 0 picks a free one). Throws OscError.
    OscServer(const std::string& address, uint16_t port);
    ~OscServer();
    OscServer(const OscServer&) = delete;
    OscServer& operator=(const OscServer&) = delete;

    /// Who sent the request being handled, to answer it later.
    struct Sender {
        sockaddr_storage address{};
        socklen_t length = 0;
    };

    int fd() const noexcept { return fd_; }
    uint16_t port() const noexcept { return port_; }

    /// Routes `path` to `handler`; a handler replies with reply().
    void on(std::string path, Handler handler);
    /// Handles messages no route matches.
    void otherwise(Handler handler) { fallback_ = std::move(handler); }

    /// Handles every datagram waiting on the socket; never blocks.
    void receive();

    /// Handles one datagram as if it had arrived from `from`: the entry
    /// point every packet goes through (and the one the fuzz target drives).
    /// Replies go to `from` (none when from.length == 0).
    void handle_datagram(const char* data, std::size_t size, const Sender& from);

    Sender sender() const noexcept { return {sender_, sender_len_}; }

    /// Sends `message` to the sender of the request being handled.
    void reply(const OscMessage& message);
    /// Sends `message` to `to` (a sender saved earlier).
    void reply_to(const Sender& to, const OscMessage& message);
    /// Shorthands for the two scsynth-style answers.
    void done(std::string_view command);
    void fail(std::string_view command, std::string_view why);

private:
    void handle_packet(char* data, std::size_t size, int depth);
    void send(const Sender& to, const std::vector<char>& bytes);

    int fd_ = -1;
    uint16_t port_ = 0;
    std::map<std::string, Handler, std::less<>> routes_;
    Handler fallback_;
    sockaddr_storage sender_{};
    socklen_t sender_len_ = 0;
    std::vector<char> buffer_;
};

}  // namespace lel
