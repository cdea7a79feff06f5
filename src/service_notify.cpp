#include "service_notify.hpp"

#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace lel {

ServiceNotifier::ServiceNotifier() {
    const char* socket_path = std::getenv("NOTIFY_SOCKET");
    if (!socket_path || (socket_path[0] != '/' && socket_path[0] != '@')) return;
    address_ = socket_path;
    if (address_[0] == '@') address_[0] = '\0';  // an abstract socket
    if (address_.size() >= sizeof(sockaddr_un::sun_path)) return;
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (const char* usec = std::getenv("WATCHDOG_USEC")) {
        const char* pid = std::getenv("WATCHDOG_PID");
        const long long us = std::atoll(usec);
        if (us > 0 && (!pid || std::atoll(pid) == static_cast<long long>(getpid()))) {
            watchdog_ = std::chrono::microseconds(us);
        }
    }
}

ServiceNotifier::~ServiceNotifier() {
    if (fd_ >= 0) close(fd_);
}

bool ServiceNotifier::send(std::string_view state) const noexcept {
    if (fd_ < 0) return false;
    sockaddr_un to{};
    to.sun_family = AF_UNIX;
    std::memcpy(to.sun_path, address_.data(), address_.size());
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_.size());
    return sendto(fd_, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&to), length) ==
           static_cast<ssize_t>(state.size());
}

}  // namespace lel
