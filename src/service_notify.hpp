// lel — telling systemd how leld is: the sd_notify(3) protocol, written out
// (one datagram to the AF_UNIX socket $NOTIFY_SOCKET names; a path, or an
// abstract name after '@'), so that leld needs no libsystemd.
//
// leld sends READY=1 once its JACK client is active and the producer runs,
// STATUS= lines a person reads in `systemctl --user status lel`, WATCHDOG=1
// every half of $WATCHDOG_USEC while both the producer and JACK's process
// callback made progress since the last one (the unit's WatchdogSec=
// restarts a leld whose audio stopped), and STOPPING=1 when it stops.
// Without $NOTIFY_SOCKET (not under systemd) every call does nothing.
//
// Threads: control thread only.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace lel {

class ServiceNotifier {
public:
    /// Reads $NOTIFY_SOCKET and $WATCHDOG_USEC (honoured when $WATCHDOG_PID
    /// is unset or leld's), and opens the socket. Never throws.
    ServiceNotifier();
    ~ServiceNotifier();
    ServiceNotifier(const ServiceNotifier&) = delete;
    ServiceNotifier& operator=(const ServiceNotifier&) = delete;

    bool enabled() const noexcept { return fd_ >= 0; }
    /// How often systemd wants WATCHDOG=1 at the latest, when it does.
    std::optional<std::chrono::microseconds> watchdog() const noexcept { return watchdog_; }

    /// Sends `state` ("READY=1\nSTATUS=..."): false if it could not.
    bool send(std::string_view state) const noexcept;

private:
    int fd_ = -1;
    std::string address_;  // sockaddr_un's path, '\0'-led when abstract
    std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace lel
