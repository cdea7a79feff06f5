#include "module_file.hpp"

#include "module.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace lel {

FileDescriptor::~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

namespace {

std::string kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
    if (S_ISLNK(mode)) return "a symlink";
    return "not a regular file";
}

struct stat stat_of(const FileDescriptor& fd, const fs::path& shown) {
    struct stat st{};
    if (fstat(fd.get(), &st) != 0) throw ModuleError(fmt::format("cannot stat {}: {}", shown.string(), std::strerror(errno)));
    return st;
}

// Why the trust rule refuses the object `st` at `shown`, or "" if it does not.
std::string distrust(const struct stat& st, const fs::path& shown) {
    const uid_t me = geteuid();
    if (st.st_uid != me && st.st_uid != 0) {
        return fmt::format("{} is owned by uid {}, not by leld's user (uid {}) or root", shown.string(), st.st_uid, me);
    }
    const bool others_write = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
    const bool sticky_dir = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
    if (others_write && !sticky_dir) {
        return fmt::format("{} is writable by others (mode {:04o}{})", shown.string(), st.st_mode & 07777,
                           S_ISDIR(st.st_mode) ? ", without the sticky bit" : "");
    }
    return {};
}

// `subject` names what is refused: "module PATH" or "module directory DIR".
void require_trusted(const struct stat& st, const fs::path& shown, const std::string& subject) {
    if (const std::string why = distrust(st, shown); !why.empty()) {
        throw ModuleError(fmt::format("untrusted {}: {}; leld loads only what its own user (or root) alone "
                                      "can write, the file and every directory above it",
                                      subject, why));
    }
}

[[noreturn]] void changed_while_loading(const fs::path& module, const fs::path& shown) {
    throw ModuleError(fmt::format("cannot load {}: {} changed while it was being opened ({})", module.string(),
                                  shown.string(), std::strerror(errno)));
}

fs::path resolve(const fs::path& path) {
    std::error_code ec;
    fs::path real = fs::canonical(path, ec);
    if (ec == std::errc::no_such_file_or_directory) throw ModuleError(fmt::format("no such file: {}", path.string()));
    if (ec) throw ModuleError(fmt::format("cannot resolve {}: {}", path.string(), ec.message()));
    return real;
}

// Walks the directories of `real` (resolved, absolute) from "/", each opened
// O_PATH | O_NOFOLLOW and checked on its descriptor. The last one's descriptor.
FileDescriptor open_trusted_dirs(const fs::path& real, const fs::path& module, const std::string& subject) {
    FileDescriptor dir(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir) changed_while_loading(module, "/");
    fs::path shown = "/";
    require_trusted(stat_of(dir, shown), shown, subject);
    for (const fs::path& component : real.parent_path().relative_path()) {
        shown /= component;
        FileDescriptor next(::openat(dir.get(), component.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next) changed_while_loading(module, shown);
        require_trusted(stat_of(next, shown), shown, subject);
        dir = std::move(next);
    }
    return dir;
}

bool is_under(const fs::path& real, const fs::path& dir) {
    auto [d, r] = std::mismatch(dir.begin(), dir.end(), real.begin(), real.end());
    return d == dir.end() && r != real.end();
}

}  // namespace

ModuleFile open_trusted_module(const fs::path& path, const fs::path& module_dir) {
    fs::path real = resolve(path);
    if (!module_dir.empty() && !is_under(real, module_dir)) {
        throw ModuleError(fmt::format("{} is outside the module directory {} (--module-dir){}", path.string(),
                                      module_dir.string(), real == path ? "" : fmt::format(": it resolves to {}", real.string())));
    }
    const std::string subject = "module " + path.string();
    const FileDescriptor dir = open_trusted_dirs(real, path, subject);
    const fs::path name = real.filename();

    // O_PATH first: a FIFO or a device must not even be opened.
    const FileDescriptor handle(::openat(dir.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!handle) changed_while_loading(path, real);
    const struct stat seen = stat_of(handle, real);
    if (!S_ISREG(seen.st_mode)) {
        throw ModuleError(fmt::format("not a regular file: {} ({})", path.string(), kind_of(seen.st_mode)));
    }
    FileDescriptor fd(::openat(dir.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd) throw ModuleError(fmt::format("cannot open {}: {}", path.string(), std::strerror(errno)));
    const struct stat st = stat_of(fd, real);
    if (st.st_dev != seen.st_dev || st.st_ino != seen.st_ino) {
        errno = ESTALE;
        changed_while_loading(path, real);
    }
    require_trusted(st, real, subject);
    const auto size = static_cast<uint64_t>(st.st_size);
    if (size > max_module_bytes) {
        throw ModuleError(fmt::format("module too large: {} is {} bytes, the limit is {} MiB", path.string(), size,
                                      max_module_bytes >> 20));
    }
    return ModuleFile{std::move(fd), size, std::move(real)};
}

fs::path resolve_module_dir(const fs::path& dir) {
    const fs::path real = resolve(fs::absolute(dir));
    const std::string subject = "module directory " + dir.string();
    const FileDescriptor parent = open_trusted_dirs(real, dir, subject);
    if (real == real.root_path()) return real;  // "/" was checked as the first directory
    const FileDescriptor self(
        ::openat(parent.get(), real.filename().c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!self) throw ModuleError(fmt::format("module directory {}: {}", dir.string(), std::strerror(errno)));
    require_trusted(stat_of(self, real), real, subject);
    return real;
}

}  // namespace lel
