// lel — whole files: read at once, written atomically.
//
// Design: a file that others read while it is rewritten (a module leld may
// open, a precompiled header another lel may use, a rendered WAV a player
// may open) is written under a temporary name beside its destination, in
// the same directory so that the rename is atomic, and renamed over it only
// once it is complete. A reader sees the old file or the new one, never half
// of one; a failure, or an exception, leaves the old one and no temporary.
// Temporary names start with a dot (hidden, and told apart from the real
// files of a directory by a cleaner) and hold the writer's pid (two lel
// processes never share one).
//
// Threads: any; an AtomicFile belongs to one thread.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace lel {

/// `.<name>.<pid>.tmp` beside `file`: where this process writes it before
/// renaming it into place.
std::filesystem::path temporary_beside(const std::filesystem::path& file);

/// A file being written to its temporary_beside() name. Either open() it and
/// write to the descriptor, or have another program write temporary() (a
/// compiler's -o). commit() renames it over the destination; destruction
/// before that removes it. Neither copyable nor movable: it owns the
/// descriptor and the temporary file.
class AtomicFile {
public:
    explicit AtomicFile(std::filesystem::path destination);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    const std::filesystem::path& destination() const noexcept { return destination_; }
    const std::filesystem::path& temporary() const noexcept { return temporary_; }

    /// Creates (truncates) the temporary file for writing; its descriptor,
    /// owned by this object, or -1 with errno set.
    int open() noexcept;

    /// Closes the descriptor if open(), then renames the temporary file over
    /// the destination. On failure the temporary file is removed and the
    /// destination left as it was; the error says why.
    std::error_code commit() noexcept;

private:
    void discard() noexcept;

    std::filesystem::path destination_;
    std::filesystem::path temporary_;
    int fd_ = -1;
    bool committed_ = false;
};

/// Writes `text` to `file` through an AtomicFile; false on any failure.
bool write_atomically(const std::filesystem::path& file, std::string_view text);

/// The whole of `file`; empty if it cannot be read.
std::string read_whole(const std::filesystem::path& file);

}  // namespace lel
