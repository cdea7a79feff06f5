#include "pch_cache.hpp"

#include "atomic_file.hpp"
#include "config.hpp"
#include "depfile.hpp"
#include "subprocess.hpp"

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <optional>
#include <string_view>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lel::client {
namespace fs = std::filesystem;

namespace {

// What the precompiled header holds: lel and the standard headers sessions
// commonly use. Every header more costs every compile the time to load it
// (<functional> <complex> <limits> <numeric> together: +80 ms per compile
// with g++ 12), so only these.
constexpr std::string_view pch_header_text = R"(// lel's precompiled header: see src/client/pch_cache.hpp.
#include <lel/lel.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <random>
#include <span>
#include <string>
#include <vector>
)";
constexpr const char* pch_header_name = "lel-pch.hpp";
constexpr std::string_view pch_stamp_format = "lel-pch-stamp 1";

// What the stamp records of a file.
struct FileStamp {
    std::uintmax_t size = 0;
    std::int64_t mtime_ns = 0;
    std::uintmax_t inode = 0;
    bool operator==(const FileStamp&) const = default;
};

std::optional<FileStamp> stamp_of(const fs::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return std::nullopt;
    return FileStamp{static_cast<std::uintmax_t>(st.st_size),
                     std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec,
                     static_cast<std::uintmax_t>(st.st_ino)};
}

// FNV-1a, 64 bits: stable across runs and builds, unlike std::hash.
struct Fnv1a {
    std::uint64_t value = 0xcbf29ce484222325u;
    void add(std::string_view text) {
        for (const char c : text) value = (value ^ static_cast<unsigned char>(c)) * 0x100000001b3u;
        value = (value ^ 0xffu) * 0x100000001b3u;  // a separator: {"ab","c"} and {"a","bc"} differ
    }
};

// The configuration a precompiled header is only valid for: what names its
// directory. The headers it read are checked by the stamp instead, so that
// a changed header rebuilds it in place rather than beside the old one.
std::uint64_t pch_key(const std::vector<std::string>& flags, const std::vector<Program>& programs) {
    Fnv1a h;
    h.add(config::version);
    h.add(pch_header_text);
    for (const std::string& flag : flags) h.add(flag);
    for (const Program& program : programs) {
        h.add(program.real.string());
        if (const auto s = stamp_of(program.real)) h.add(fmt::format("{} {}", s->size, s->mtime_ns));
    }
    return h.value;
}

// The stamp: the precompiled file as built, then every header it read.
//     lel-pch-stamp 1
//     pch <size> <mtime_ns> <inode>
//     dep <mtime_ns> <path>          (one a header)
bool pch_is_current(const fs::path& stamp, const fs::path& pch) {
    std::ifstream in(stamp);
    std::string line;
    if (!std::getline(in, line) || line != pch_stamp_format) return false;
    std::string tag;
    FileStamp built;
    if (!(in >> tag >> built.size >> built.mtime_ns >> built.inode) || tag != "pch" || stamp_of(pch) != built) {
        return false;
    }
    std::size_t headers = 0;
    for (std::int64_t mtime_ns = 0; in >> tag >> mtime_ns; ++headers) {
        in.get();  // the space before the path
        std::string header;
        std::getline(in, header);
        const auto now = stamp_of(header);
        if (tag != "dep" || !now || now->mtime_ns != mtime_ns) return false;
    }
    return in.eof() && headers > 0;
}

std::int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);  // the clock file times come from
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// An exclusive flock on `file`, held until destruction; !locked() if the
// file cannot be created (an unwritable cache).
class FileLock {
public:
    explicit FileLock(const fs::path& file) : fd_(open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
        while (fd_ >= 0 && flock(fd_, LOCK_EX) != 0) {
            if (errno != EINTR) {
                close(fd_);
                fd_ = -1;
            }
        }
    }
    ~FileLock() {
        if (fd_ >= 0) close(fd_);  // releases the lock
    }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

    bool locked() const noexcept { return fd_ >= 0; }

private:
    int fd_;
};

// Compiles lel-pch.hpp in `dir` into `pch` and writes `stamp`; what went
// wrong, or an empty string. Runs under the directory's lock.
std::string precompile(const std::vector<std::string>& flags, CompilerKind kind, const fs::path& dir,
                       const fs::path& pch, const fs::path& stamp, bool verbose) {
    // Temporary files are only written under the lock: any found now were
    // left by a lel that was killed (Ctrl-C) while it precompiled.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.path().filename().string().front() == '.') fs::remove(entry.path(), ec);
    }
    const fs::path header = dir / pch_header_name;
    if (read_whole(header) != pch_header_text && !write_atomically(header, pch_header_text)) {
        return fmt::format("cannot write '{}'", header.string());
    }
    AtomicFile output(pch);
    const AtomicFile depfile(dir / fmt::format("{}.d", pch.filename().string()));  // read, never kept
    std::vector<std::string> argv = flags;
    // clang: instantiating the header's templates once here saves ~0.1 s per compile.
    if (kind == CompilerKind::clang) argv.push_back("-fpch-instantiate-templates");
    argv.insert(argv.end(), {"-x", "c++-header", header.string(), "-MD", "-MF", depfile.temporary().string(), "-o",
                             output.temporary().string()});
    if (verbose) fmt::print("{}\n", quoted_command(argv));
    std::fflush(stdout);

    const std::int64_t started_ns = now_ns();
    const ChildStatus child = run_child(argv, verbose ? ChildOutput::inherit : ChildOutput::discard, "the compiler");
    if (!child) return child.message + (child.started ? "" : " (set LEL_CXX to choose another)");
    std::string headers;
    for (const std::string& dependency : dependencies_in(read_whole(depfile.temporary()))) {
        const auto s = stamp_of(dependency);
        if (!s || s->mtime_ns >= started_ns) return fmt::format("'{}' changed while it was precompiled", dependency);
        headers += fmt::format("dep {} {}\n", s->mtime_ns, dependency);
    }
    const auto built = output.commit() ? std::nullopt : stamp_of(pch);
    if (!built) return fmt::format("cannot write '{}'", pch.string());
    const std::string text = fmt::format("{}\npch {} {} {}\n{}", pch_stamp_format, built->size, built->mtime_ns,
                                         built->inode, headers);
    if (!write_atomically(stamp, text)) return fmt::format("cannot write '{}'", stamp.string());
    return {};
}

}  // namespace

PrecompiledHeader find_or_build_pch(const Toolchain& toolchain, const std::vector<std::string>& flags, bool verbose) {
    PrecompiledHeader pch;
    if (toolchain.cache_dir.empty()) {
        pch.message = "turned off (LEL_NO_PCH is set, or neither XDG_CACHE_HOME nor HOME is)";
        return pch;
    }
    const std::vector<Program> programs = programs_of(toolchain.compiler);
    const CompilerKind kind = compiler_kind(programs);
    if (kind == CompilerKind::unknown) {
        pch.message = fmt::format("'{}' is neither GCC nor clang by its name", quoted_command(toolchain.compiler));
        return pch;
    }
    const fs::path dir = toolchain.cache_dir / fmt::format("pch-{:016x}", pch_key(flags, programs));
    const fs::path stamp = dir / "stamp";
    pch.file = dir / fmt::format("{}.{}", pch_header_name, kind == CompilerKind::clang ? "pch" : "gch");
    const std::vector<std::string> use =
        kind == CompilerKind::clang
            ? std::vector<std::string>{"-include-pch", pch.file.string()}
            : std::vector<std::string>{"-Winvalid-pch", "-include", (dir / pch_header_name).string()};
    if (pch_is_current(stamp, pch.file)) {
        pch.flags = use;
        return pch;
    }

    std::error_code ec;
    fs::create_directories(dir, ec);
    const FileLock lock(dir / "lock");
    if (ec || !lock.locked()) {
        pch.message = fmt::format("cannot write to '{}'", dir.string());
        return pch;
    }
    if (!pch_is_current(stamp, pch.file)) {  // or another lel built it while this one waited
        const auto start = std::chrono::steady_clock::now();
        pch.message = precompile(flags, kind, dir, pch.file, stamp, verbose);
        pch.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        pch.built = true;
        if (!pch.message.empty()) return pch;
        if (!pch_is_current(stamp, pch.file)) {
            pch.message = fmt::format("'{}' did not check out after it was built", pch.file.string());
            return pch;
        }
    }
    pch.flags = use;
    return pch;
}

}  // namespace lel::client
