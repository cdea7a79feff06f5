// lel — the OSC transport: one UDP socket, liblo for the wire format.
//
// Design: lel owns the socket (so it can bind to 127.0.0.1 and knows the
// sender of every datagram, malformed or not), checks every packet itself
// (osc_packet.hpp) and reads and writes messages through the shared wire
// format (osc_wire.hpp, on liblo). Every request gets its answer sent back
// to the address it came from, scsynth-style, under the answer rules of
// OscServer. Bundles are opened and their messages handled in order; the
// handlers see a bundle's time tag (timetag()) and schedule by it.
//
// Threads: control thread only; nothing here is real-time.
#pragma once

#include "osc_wire.hpp"

#include <lo/lo.h>
#include <netinet/in.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace lel {

class OscError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The longest string an answer carries (longer ones are cut): a few of
/// them always fit in one datagram.
inline constexpr std::size_t max_answer_string = 4096;

/// An outgoing message: an osc::Message whose strings are cut to
/// max_answer_string bytes.
class OscMessage {
public:
    explicit OscMessage(std::string path) : message_{std::move(path), {}} {}
    /// `message` (a protocol.hpp answer's), its strings cut as add() cuts them.
    explicit OscMessage(const osc::Message& message);

    /// Adds a string; one longer than max_answer_string bytes is cut there
    /// and ends with a note of how much was cut.
    OscMessage& add(std::string_view s);
    OscMessage& add(const char* s) { return add(std::string_view(s)); }
    OscMessage& add(int32_t i) { return push(i); }
    OscMessage& add(int64_t h) { return push(h); }
    OscMessage& add(double d) { return push(d); }
    OscMessage& add(float f) { return push(f); }

    const std::string& path() const noexcept { return message_.path; }
    const osc::Message& message() const noexcept { return message_; }
    std::vector<char> serialise() const { return osc::encode(message_); }

private:
    template <class T>
    OscMessage& push(T value) {
        message_.args.emplace_back(std::in_place_type<T>, std::move(value));
        return *this;
    }
    osc::Message message_;
};

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

/// The UDP endpoint: receives datagrams, routes each message to its
/// handler and sends the answers.
///
/// Answer rules (so that no packet can make leld loop or amplify traffic):
///   - one datagram in, a bounded number of answers out: at most
///     max_answers_per_packet; the rest are left out and summed up in one
///     `/lel/done s:"#bundle" i:answers i:failures i:left_out`;
///   - an answer is never answered: messages to leld's own reply addresses
///     (/lel/done, /lel/fail, /lel/pong, *.reply, /lel/event*) and datagrams
///     from leld's own port are dropped and counted;
///   - unknown commands and malformed packets are answered at most once per
///     sender per second; the rest are counted;
///   - strings in answers are cut to max_answer_string bytes (and say so),
///     so an answer always fits a datagram.
class OscServer {
public:
    using Handler = std::function<void(const OscRequest&)>;

    /// Who sent a request, to answer it (now or later). length 0: nobody.
    struct Sender {
        sockaddr_storage address{};
        socklen_t length = 0;
    };

    /// What the answer rules withheld so far.
    struct Counters {
        uint64_t ignored = 0;       ///< answers and our own datagrams, dropped unanswered
        uint64_t rate_limited = 0;  ///< unknown or malformed requests past one answer per sender per second
        uint64_t left_out = 0;      ///< answers past max_answers_per_packet
    };

    static constexpr int max_answers_per_packet = 16;

    /// Binds UDP `address`:`port` (port 0 picks a free one). Throws OscError.
    OscServer(const std::string& address, uint16_t port);
    ~OscServer();
    OscServer(const OscServer&) = delete;
    OscServer& operator=(const OscServer&) = delete;

    int fd() const noexcept { return fd_; }
    uint16_t port() const noexcept { return port_; }

    /// Routes `path` to `handler`; a handler answers with reply()/done()/
    /// fail(), or takes a deferred answer with defer_answer().
    void on(std::string path, Handler handler);

    /// Asked between the messages of a bundle: true abandons the rest of the
    /// packet (leld is stopping), so that no packet holds the control thread.
    void interrupt_when(std::function<bool()> stop) { interrupted_ = std::move(stop); }
    /// Called with each destination the kernel reported unreachable (an
    /// ICMP error for something sent to it: its port is closed).
    void on_unreachable(std::function<void(const Sender&)> fn) { unreachable_ = std::move(fn); }

    /// Handles the next datagram waiting on the socket, if any. Never blocks
    /// on the socket; returns false when none was waiting.
    bool try_receive_one();

    /// Handles one datagram as if it had arrived from `from`: the entry
    /// point every packet goes through (and the one the fuzz target drives).
    /// Answers go to `from` (none when from.length == 0).
    void handle_datagram(const char* data, std::size_t size, const Sender& from);

    /// The sender of the request being handled.
    Sender sender() const noexcept { return {sender_, sender_len_}; }

    /// Sends `message` to the sender of the request being handled, within
    /// the packet's answer budget.
    void reply(const OscMessage& message);
    /// Takes one answer of the packet's budget for an answer sent later
    /// with reply_to(): the sender, or a Sender of length 0 (the answer will
    /// be left out) when the budget is spent.
    Sender defer_answer();
    /// Sends `message` to `to` (from defer_answer(); length 0: nothing).
    void reply_to(const Sender& to, const OscMessage& message);
    /// Shorthands for the two scsynth-style answers.
    void done(std::string_view command);
    void fail(std::string_view command, std::string_view why);

    Counters counters() const noexcept { return counters_; }

    /// The OSC time tag (NTP format: seconds since 1900 in the high 32
    /// bits, fractions in the low) of the bundle the message being handled
    /// came in; 1 ("immediately") for a message outside any bundle.
    uint64_t timetag() const noexcept { return timetag_; }

private:
    void handle_packet(char* data, std::size_t size, int depth);
    void drain_errors();
    void handle_message(char* data, std::size_t size);
    void answer_malformed(std::string_view why);
    bool from_ourselves() const noexcept;
    bool first_this_second();
    bool take_budget(bool failure);
    void send(const Sender& to, const std::vector<char>& bytes);

    int fd_ = -1;
    uint16_t port_ = 0;
    in_addr bound_{};
    std::map<std::string, Handler, std::less<>> routes_;
    std::function<bool()> interrupted_;
    sockaddr_storage sender_{};
    socklen_t sender_len_ = 0;
    std::vector<char> buffer_;

    // The packet being handled: its answers so far.
    int answers_ = 0;
    int failures_ = 0;
    int left_out_ = 0;
    bool stop_packet_ = false;
    uint64_t timetag_ = 1;  // of the bundle being handled
    std::function<void(const Sender&)> unreachable_;

    Counters counters_;
    // Unknown/malformed answers: when each sender was last answered.
    std::unordered_map<uint64_t, std::chrono::steady_clock::time_point> last_unknown_answer_;
};

}  // namespace lel
