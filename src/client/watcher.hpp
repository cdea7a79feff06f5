// lel — tells when a file has been saved, however the editor saves it.
//
// Design: inotify watches the file's DIRECTORY, not the file: most editors
// save by writing a new file and renaming it over the old one, which a watch
// on the old inode would never see (it sees its own deletion and goes
// quiet). Events are filtered by name: a write that ends (IN_CLOSE_WRITE) or
// a file renamed to that name (IN_MOVED_TO). One save can make several
// events (truncate + write + close, backup + rename), so after the first one
// the watcher waits until no event has come for a quiet period (debounce).
//
// Several files can be watched at once (a session and the headers it
// includes): one inotify watch per directory, events filtered by name.
//
// Threads: one thread; wait_change blocks.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace lel::client {

class WatchError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class FileWatcher {
public:
    /// Watches `file` (it need not exist yet; its directory must). Throws
    /// WatchError.
    explicit FileWatcher(const std::filesystem::path& file);
    /// Watches every one of `files` (the same conditions, each).
    explicit FileWatcher(const std::vector<std::filesystem::path>& files);
    ~FileWatcher();
    FileWatcher(const FileWatcher&) = delete;
    FileWatcher& operator=(const FileWatcher&) = delete;

    /// Blocks until a watched file is saved, then until `quiet` has passed
    /// without another save; true then (changed() says which). False if `timeout` passes first
    /// (negative: wait forever). Throws WatchError if the watch is lost
    /// (the directory was deleted or moved).
    bool wait_change(std::chrono::milliseconds timeout = std::chrono::milliseconds(-1),
                     std::chrono::milliseconds quiet = std::chrono::milliseconds(50));

    /// The watched files saved during the last wait_change() that returned
    /// true, in the order first seen.
    const std::vector<std::filesystem::path>& changed() const noexcept { return changed_; }

private:
    // Reads what is pending; true if it included a save of a watched file.
    bool read_events();

    int fd_ = -1;
    // Per watched directory (by watch descriptor): the files watched in it.
    std::map<int, std::map<std::string, std::filesystem::path, std::less<>>> names_;
    std::vector<std::filesystem::path> changed_;
};

}  // namespace lel::client
