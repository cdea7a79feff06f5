// lel — opening a module file, once, only if leld may trust it.
//
// Design: the trust rule. Loading a module runs its code as leld's user, so
// a file is trusted only if leld's own user could have been its only writer:
// the file and every directory above it belong to leld's user (geteuid()) or
// root, and no one else may write them (no group or other write bit; a POSIX
// ACL that grants write shows in the group bits, its mask). A directory
// others may write is accepted only with the sticky bit, like /tmp: there no
// one can rename or remove an entry they do not own.
//
// The checks are made on descriptors, so that what is checked is what is
// read: the path is resolved first (realpath: symlinks anywhere in it are
// followed once), then the resolved path is walked from "/" with
// openat(O_PATH | O_DIRECTORY | O_NOFOLLOW), each directory checked with
// fstat. A component swapped for a symlink after the resolution fails the
// walk instead of leading elsewhere. The file itself is opened O_PATH first
// (which opens nothing: a FIFO or a device never sees an open()), must be a
// regular file, and only then is opened for reading (O_NONBLOCK, O_NOFOLLOW)
// and compared with the inode just checked. Its owner, mode and size are
// checked on that last descriptor.
//
// Threads: control thread only; every function blocks on the file system.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>

namespace lel {

/// Modules larger than this are refused before anything is copied. A session
/// module is tens of KiB to a few MiB; this leaves a wide margin.
inline constexpr uint64_t max_module_bytes = uint64_t{256} << 20;

/// A file descriptor, closed on destruction. Move-only.
class FileDescriptor {
public:
    FileDescriptor() noexcept = default;
    explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
    ~FileDescriptor();
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.release()) {}
    FileDescriptor& operator=(FileDescriptor&& other) noexcept;
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    int release() noexcept { return std::exchange(fd_, -1); }

private:
    int fd_ = -1;
};

/// A module file that passed the trust rule, open for reading.
struct ModuleFile {
    FileDescriptor fd;
    uint64_t size = 0;                ///< st_size when it was checked; read no further
    std::filesystem::path real_path;  ///< the path after resolving symlinks
};

/// Opens the module at `path` (absolute) if the trust rule allows it: a
/// regular file of at most max_module_bytes. When `module_dir` is not empty
/// (a path from resolve_module_dir), the resolved path must lie under it.
/// Throws ModuleError with a message naming `path` and the reason.
ModuleFile open_trusted_module(const std::filesystem::path& path, const std::filesystem::path& module_dir = {});

/// The resolved path of `dir` for --module-dir: it must exist, be a
/// directory, and it and every directory above it must pass the trust rule.
/// Throws ModuleError.
std::filesystem::path resolve_module_dir(const std::filesystem::path& dir);

}  // namespace lel
