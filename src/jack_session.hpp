// lel — the JACK server as it comes and goes: the client leld plays
// through, the connections its ports have, and what happens when the
// server restarts (a period change in qjackctl, a PipeWire restart, a USB
// interface plugged again).
//
// Design: when the server goes, its client is kept, never closed (libjack
// would wait for the dead server) and the session waits: it tries to open a
// new client with back-off (0.1 s doubling to 2 s). Once one opens, follow()
// says so and the daemon decides on what to play it: the same playback when
// the rate and period are the same, a new one (playback.hpp) when not. The
// connections our ports had are kept in a list, refreshed whenever JACK
// says a connection changed: a connection whose other port vanished (its
// client quit, or the server is going down) is kept, waiting for that port
// to come back; one the user undid while both ports exist is forgotten.
// After activate(), each kept connection is made again as soon as its
// other port exists, also later (a client that comes back after the server).
//
// Threads: control thread only; blocking (libjack's calls).
#pragma once

#include "jack_client.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace lel {

class JackSession {
public:
    /// Opens the first client `name` (not active yet). Throws JackError.
    explicit JackSession(std::string name);
    ~JackSession();
    JackSession(const JackSession&) = delete;
    JackSession& operator=(const JackSession&) = delete;

    /// The client playing (or, right after follow() said `back`, the new
    /// one, not active yet); null while the server is away.
    JackClient* client() noexcept { return client_.get(); }
    const JackClient* client() const noexcept { return client_.get(); }

    /// Connects out_1/out_2 to `targets` (JackClient::connect); returns
    /// one message per failure.
    std::vector<std::string> connect(const std::vector<std::string>& targets);

    enum class Change {
        none,  ///< as before
        lost,  ///< the server went away; client() is null until it is back
        back,  ///< a new client is open: activate() it
    };
    /// Call every turn of the control loop: notices the server going,
    /// tries to come back when the back-off allows, restores connections
    /// whose ports appeared, and follows the user's connection changes.
    Change follow();

    /// After follow() said `back`: starts the new client on `streams`
    /// (AudioBackend::activate) and makes every connection it can. False
    /// (logged) when the client cannot start: it is dropped as a lost one,
    /// and the session waits for the server again. The first client's
    /// failure throws JackError (there is nothing to wait for yet).
    bool activate(const AudioStreams& streams, uint64_t consumed_before);

    /// Ring frames the last lost client took: where a client on the same
    /// ring goes on counting.
    uint64_t consumed_by_lost() const noexcept;

    uint64_t reconnects() const noexcept { return reconnects_; }
    /// Over every client so far; racy.
    uint64_t underruns() const noexcept { return underruns_before_ + (client_ ? client_->underruns() : 0); }
    uint64_t xruns() const noexcept { return xruns_before_ + (client_ ? client_->xruns() : 0); }

private:
    void follow_connections();

    std::string name_;
    std::unique_ptr<JackClient> client_;
    std::vector<std::unique_ptr<JackClient>> lost_;  // never closed: see the top
    std::vector<JackClient::PortLink> links_, waiting_;
    uint64_t reconnects_ = 0, underruns_before_ = 0, xruns_before_ = 0;
    std::chrono::milliseconds backoff_{100};
    std::chrono::steady_clock::time_point next_try_{};
};

}  // namespace lel
