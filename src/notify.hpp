// lel — events for subscribers (/lel/notify, as scsynth's /notify): leld
// pushes /lel/event messages to every client that asked, about what
// happens without a request: changes that took effect, signals muted,
// underruns and xruns, quitting (docs/OSC.md).
//
// A subscriber is an address (the port it sent /lel/notify from). At most
// max_subscribers; one whose port closed is dropped when the kernel says
// an event to it bounced (OscServer::on_unreachable).
//
// Threads: control thread only.
#pragma once

#include "osc_server.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

namespace lel {

class Engine;

class Subscribers {
public:
    static constexpr std::size_t max_subscribers = 32;

    /// False when there are max_subscribers already (an existing one is fine).
    bool add(const OscServer::Sender& who);
    /// False when `who` was not subscribed.
    bool remove(const OscServer::Sender& who);
    std::size_t size() const noexcept { return list_.size(); }

    /// Sends `event` to every subscriber.
    void send(OscServer& server, const OscMessage& event) const;

    /// Sends "muted" for every registered signal muted since the last call.
    void report_mutes(OscServer& server, const Engine& engine);
    /// Sends "underruns"/"xruns" with the totals when they grew, at most
    /// four times a second each.
    void report_glitches(OscServer& server, uint64_t underruns, uint64_t xruns);

private:
    std::vector<OscServer::Sender> list_;
    std::unordered_set<const void*> muted_;  // callables already reported
    uint64_t underruns_ = 0, xruns_ = 0;
    std::chrono::steady_clock::time_point last_glitch_{};
};

/// The /lel/event for `kind` ("load", "muted", ...): add the details.
OscMessage event(std::string_view kind);

}  // namespace lel
