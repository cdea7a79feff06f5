#include "module_scratch.hpp"

#include "module.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace lel {
namespace {

constexpr std::string_view prefix = "lel-modules-";

// The pid in "lel-modules-<pid>-XXXXXX", or 0 for any other name.
pid_t creator_of(std::string_view name) {
    if (name.substr(0, prefix.size()) != prefix) return 0;
    name.remove_prefix(prefix.size());
    pid_t pid = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (ec != std::errc{} || pid <= 0 || end == name.data() + name.size() || *end != '-') return 0;
    return pid;
}

bool is_running(pid_t pid) {
    return kill(pid, 0) == 0 || errno != ESRCH;  // EPERM: it runs, as another user
}

}  // namespace

fs::path scratch_base() {
    // In memory when there is such a place: a copy written to a disk is
    // writeback the kernel does while the producer plays (a stress test of
    // 10,000 loads had over 1,000 JACK xruns with the copies on ext4).
    std::error_code ec;
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    if (runtime && *runtime && fs::is_directory(runtime, ec)) return fs::path(runtime);
    if (fs::is_directory("/dev/shm", ec) && access("/dev/shm", W_OK | X_OK) == 0) return "/dev/shm";
    return fs::temp_directory_path();
}

std::size_t remove_stale_scratch_dirs(const fs::path& base) {
    std::size_t removed = 0;
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(base, ec)) {
        const pid_t creator = creator_of(entry.path().filename().native());
        struct stat st{};
        if (creator == 0 || creator == getpid() || is_running(creator)) continue;
        if (lstat(entry.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) continue;
        std::error_code remove_ec;
        if (fs::remove_all(entry.path(), remove_ec) != static_cast<std::uintmax_t>(-1) && !remove_ec) ++removed;
    }
    return removed;
}

const fs::path& scratch_dir() {
    static const fs::path dir = [] {
        const fs::path base = scratch_base();
        if (const std::size_t removed = remove_stale_scratch_dirs(base)) {
            spdlog::info("removed {} module scratch director{} that stopped processes left in {}", removed,
                         removed == 1 ? "y" : "ies", base.string());
        }
        std::string templ = (base / fmt::format("{}{}-XXXXXX", prefix, getpid())).string();
        if (!mkdtemp(templ.data())) {
            throw ModuleError(fmt::format("cannot create a scratch directory in {}: {}", base.string(), std::strerror(errno)));
        }
        return fs::path(templ);
    }();
    // Copies are unlinked right after dlopen; the directory goes at exit.
    static const bool cleanup_registered = [] {
        return std::atexit([] {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }) == 0;
    }();
    (void)cleanup_registered;
    return dir;
}

}  // namespace lel
