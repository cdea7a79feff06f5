#include "watcher.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

namespace lel::client {
namespace fs = std::filesystem;

namespace {

using clock = std::chrono::steady_clock;

// Waits up to `ms` (negative: forever) for `fd` to be readable.
bool readable(int fd, std::chrono::milliseconds ms) {
    const auto deadline = clock::now() + ms;
    for (;;) {
        int wait = -1;
        if (ms.count() >= 0) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
            wait = static_cast<int>(std::max<int64_t>(0, left.count()));
        }
        pollfd pfd{fd, POLLIN, 0};
        const int ready = poll(&pfd, 1, wait);
        if (ready > 0) return true;
        if (ready == 0) return false;
        if (errno != EINTR) throw WatchError(fmt::format("poll on inotify failed: {}", std::strerror(errno)));
    }
}

}  // namespace

FileWatcher::FileWatcher(const fs::path& file) : FileWatcher(std::vector<fs::path>{file}) {}

FileWatcher::FileWatcher(const std::vector<fs::path>& files) {
    fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (fd_ < 0) throw WatchError(fmt::format("inotify_init failed: {}", std::strerror(errno)));
    constexpr uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
    for (const fs::path& file : files) {
        const fs::path absolute = fs::absolute(file).lexically_normal();
        const fs::path dir = absolute.parent_path();
        const int wd = inotify_add_watch(fd_, dir.c_str(), mask);  // the same wd for a directory seen before
        if (wd < 0) {
            const int err = errno;
            close(fd_);
            throw WatchError(fmt::format("cannot watch directory '{}': {}", dir.string(), std::strerror(err)));
        }
        names_[wd].emplace(absolute.filename().string(), file);
    }
}

FileWatcher::~FileWatcher() {
    if (fd_ >= 0) close(fd_);
}

bool FileWatcher::read_events() {
    alignas(inotify_event) char buffer[16 * (sizeof(inotify_event) + NAME_MAX + 1)];
    bool saved = false;
    for (;;) {
        const ssize_t n = read(fd_, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return saved;
            throw WatchError(fmt::format("reading inotify events failed: {}", std::strerror(errno)));
        }
        for (ssize_t at = 0; at < n;) {
            const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
            at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
            if (event->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
                throw WatchError("a watched directory was deleted or moved");
            }
            const auto dir = names_.find(event->wd);
            if (event->len == 0 || dir == names_.end()) continue;
            const auto file = dir->second.find(std::string_view(event->name));
            if (file == dir->second.end()) continue;
            saved = true;
            if (std::find(changed_.begin(), changed_.end(), file->second) == changed_.end()) {
                changed_.push_back(file->second);
            }
        }
    }
}

bool FileWatcher::wait_change(std::chrono::milliseconds timeout, std::chrono::milliseconds quiet) {
    const auto deadline = clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::milliseconds(-1);
        if (timeout.count() >= 0) {
            left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
            if (left.count() < 0) return false;
        }
        if (!readable(fd_, left)) return false;
        changed_.clear();
        if (read_events()) break;
    }
    while (readable(fd_, quiet)) read_events();  // debounce: wait for the burst to end
    return true;
}

}  // namespace lel::client
