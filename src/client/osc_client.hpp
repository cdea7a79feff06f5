// lel — the client's OSC transport: one UDP socket talking to one leld.
//
// Design: the socket is connect()ed to the daemon, which binds it to an
// ephemeral local port on the right interface and makes the kernel drop
// datagrams from anyone else. leld answers to the sender's address, so the
// reply comes back to this socket. Connecting also turns the ICMP "port
// unreachable" a loopback send gets when nothing listens into ECONNREFUSED
// on the next receive: "no daemon" is then known at once instead of after
// the whole timeout. liblo does the wire format only.
//
// Threads: one thread; every call blocks (it is a command-line client).
#pragma once

#include "osc_wire.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lel::client {

/// The socket could not be created or the host not resolved.
class OscClientError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// One OSC argument, and a message: the shared wire format (osc_wire.hpp).
using OscArg = osc::Arg;
using OscPacket = osc::Message;
using osc::to_string;

/// What became of a request.
struct OscExchange {
    enum class Outcome { answered, timed_out, refused };
    Outcome outcome = Outcome::timed_out;
    OscPacket reply;  ///< valid when answered
    std::chrono::duration<double, std::milli> round_trip{};

    explicit operator bool() const noexcept { return outcome == Outcome::answered; }
};

class OscClient {
public:
    /// Resolves `host` (IPv4, as leld binds) and connects to host:port.
    /// Throws OscClientError.
    OscClient(const std::string& host, uint16_t port);
    ~OscClient();
    OscClient(const OscClient&) = delete;
    OscClient& operator=(const OscClient&) = delete;

    /// Sends `request` and waits up to `timeout` for its answer: a
    /// `/lel/done` or `/lel/fail` whose first argument is the request's
    /// path, or a message at `reply_path` when that is not empty (e.g.
    /// /lel/pong). Any other datagram is ignored. Blocking.
    OscExchange request(const OscPacket& request, std::chrono::milliseconds timeout,
                        std::string_view reply_path = {});

    /// "host:port", for messages.
    const std::string& peer() const noexcept { return peer_; }

private:
    int fd_ = -1;
    std::string peer_;
};

}  // namespace lel::client
