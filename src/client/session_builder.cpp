#include "session_builder.hpp"

#include "config.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <optional>
#include <spawn.h>
#include <sstream>
#include <string_view>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace lel::client {
namespace fs = std::filesystem;

namespace {

bool inside(const fs::path& file, const fs::path& dir) {
    const auto [d, f] = std::mismatch(dir.begin(), dir.end(), file.begin(), file.end());
    return d == dir.end();
}

bool running_from_build_tree() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return false;
    const fs::path build = fs::weakly_canonical(fs::path(config::build_dir), ec);
    return !ec && inside(exe, build);
}

std::vector<std::string> split_words(const std::string& text) {
    std::vector<std::string> words;
    std::istringstream in(text);
    for (std::string w; in >> w;) words.push_back(std::move(w));
    return words;
}

// The newest modification time of any file under `dir` (min() if none).
fs::file_time_type newest_under(const fs::path& dir) {
    auto newest = fs::file_time_type::min();
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file(ec)) newest = std::max(newest, it->last_write_time(ec));
    }
    return newest;
}

// Runs argv with stdout/stderr inherited; the exit status, or a message.
struct ChildStatus {
    bool ok = false;
    std::string message;
};

// `quiet`: stdout and stderr go to /dev/null instead.
ChildStatus run(const std::vector<std::string>& args, bool quiet = false) {
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);

    // The child starts with no blocked signals and default Ctrl-C handling,
    // whatever this process has set up, so that Ctrl-C stops the compiler.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (quiet) {
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    }
    pid_t pid = 0;
    const int err = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (err != 0) {
        return {false, fmt::format("cannot run the compiler '{}': {} (set LEL_CXX to choose another)", args[0],
                                   std::strerror(err))};
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return {false, fmt::format("waiting for the compiler: {}", std::strerror(errno))};
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {true, {}};
    if (WIFSIGNALED(status)) return {false, fmt::format("the compiler was killed by signal {}", WTERMSIG(status))};
    return {false, fmt::format("the compiler failed (exit status {})", WEXITSTATUS(status))};
}

std::string quoted_command(const std::vector<std::string>& args) {
    std::string line;
    for (const std::string& a : args) {
        if (!line.empty()) line += ' ';
        const bool plain = !a.empty() && a.find_first_of(" \t\"'\\$`*?") == std::string::npos;
        line += plain ? a : fmt::format("'{}'", a);
    }
    return line;
}

// ------------------------------------------------------ precompiled header

// What the precompiled header holds: lel and the standard headers sessions
// commonly use. Every header more costs every compile the time to load it
// (<functional> <complex> <limits> <numeric> together: +80 ms per compile
// with g++ 12), so only these.
constexpr std::string_view pch_header_text = R"(// lel's precompiled header: see src/client/session_builder.hpp.
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

enum class CompilerKind { unknown, gcc, clang };

CompilerKind kind_from_name(const std::string& name) {
    if (name.find("clang") != std::string::npos) return CompilerKind::clang;
    if (name.find("g++") != std::string::npos || name.find("gcc") != std::string::npos || name == "c++") {
        return CompilerKind::gcc;
    }
    return CompilerKind::unknown;
}

// `word` as posix_spawnp runs it: itself if it has a slash, else from PATH.
std::optional<fs::path> find_program(const std::string& word) {
    if (word.find('/') != std::string::npos) {
        return access(word.c_str(), X_OK) == 0 ? std::optional<fs::path>(word) : std::nullopt;
    }
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        const fs::path candidate = fs::path(dir.empty() ? "." : dir) / word;
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return std::nullopt;
}

// The programs a compiler command runs, as written and with symlinks
// resolved: {"ccache", "c++"} gives ccache (/usr/bin/ccache) and c++
// (/usr/bin/g++-12). Options and words that are no program are left out.
struct Program {
    std::string word;
    fs::path real;
};

std::vector<Program> programs_of(const std::vector<std::string>& command) {
    std::vector<Program> programs;
    for (const std::string& word : command) {
        if (word.empty() || word.front() == '-') continue;
        if (const auto program = find_program(word)) {
            std::error_code ec;
            const fs::path real = fs::canonical(*program, ec);
            programs.push_back({word, ec ? *program : real});
        }
    }
    return programs;
}

// Which precompiled header format the compiler takes, from its binary's
// name (a launcher such as ccache is skipped; /usr/lib/ccache/g++, a link to
// ccache, counts as g++ by its own name).
CompilerKind compiler_kind(const std::vector<Program>& programs) {
    for (const Program& p : programs) {
        for (const fs::path& name : {p.real, fs::path(p.word)}) {
            if (const CompilerKind kind = kind_from_name(name.filename().string()); kind != CompilerKind::unknown) {
                return kind;
            }
        }
    }
    return CompilerKind::unknown;
}

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

// The files a make-style dependency file (-MD) lists, without its target.
std::vector<std::string> dependencies_in(const std::string& text) {
    std::vector<std::string> words;
    std::string word;
    const auto flush = [&] {
        if (!word.empty()) words.push_back(std::move(word));
        word.clear();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const char next = i + 1 < text.size() ? text[i + 1] : '\0';
        if (c == '\\' && next == '\n') {
            flush();
            ++i;
        } else if (c == '\\' && (next == ' ' || next == '#' || next == '\\')) {
            word += next;
            ++i;
        } else if (c == '$' && next == '$') {
            word += '$';
            ++i;
        } else if (std::isspace(static_cast<unsigned char>(c))) {
            flush();
        } else {
            word += c;
        }
    }
    flush();
    const auto target = std::find_if(words.begin(), words.end(), [](const std::string& w) { return w.back() == ':'; });
    if (target == words.end()) return {};
    return {std::next(target), words.end()};
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

// Writes `text` to `file` through a temporary file renamed over it.
bool write_atomically(const fs::path& file, std::string_view text) {
    const fs::path temporary = file.parent_path() / fmt::format(".{}.{}.tmp", file.filename().string(), getpid());
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    std::error_code ec;
    if (out) fs::rename(temporary, file, ec);
    if (out && !ec) return true;
    fs::remove(temporary, ec);
    return false;
}

std::string read_whole(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
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
    const fs::path temporary = dir / fmt::format(".{}.{}.tmp", pch.filename().string(), getpid());
    const fs::path depfile = dir / fmt::format(".{}.{}.d", pch.filename().string(), getpid());
    const auto cleanup = [&] {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        fs::remove(depfile, ignored);
    };
    std::vector<std::string> argv = flags;
    // clang: instantiating the header's templates once here saves ~0.1 s per compile.
    if (kind == CompilerKind::clang) argv.push_back("-fpch-instantiate-templates");
    argv.insert(argv.end(), {"-x", "c++-header", header.string(), "-MD", "-MF", depfile.string(), "-o",
                             temporary.string()});
    if (verbose) fmt::print("{}\n", quoted_command(argv));
    std::fflush(stdout);

    const std::int64_t started_ns = now_ns();
    if (const ChildStatus child = run(argv, !verbose); !child.ok) {
        cleanup();
        return child.message;
    }
    std::string headers;
    for (const std::string& dependency : dependencies_in(read_whole(depfile))) {
        const auto s = stamp_of(dependency);
        if (!s || s->mtime_ns >= started_ns) {
            cleanup();
            return fmt::format("'{}' changed while it was precompiled", dependency);
        }
        headers += fmt::format("dep {} {}\n", s->mtime_ns, dependency);
    }
    fs::rename(temporary, pch, ec);
    const auto built = stamp_of(pch);
    cleanup();
    if (ec || !built) return fmt::format("cannot write '{}'", pch.string());
    const std::string text = fmt::format("{}\npch {} {} {}\n{}", pch_stamp_format, built->size, built->mtime_ns,
                                         built->inode, headers);
    if (!write_atomically(stamp, text)) return fmt::format("cannot write '{}'", stamp.string());
    return {};
}

fs::path cache_dir_from_environment() {
    if (const char* off = std::getenv("LEL_NO_PCH"); off && *off && std::string_view(off) != "0") return {};
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/') return fs::path(xdg) / "lel";
    if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "lel";
    return {};
}

}  // namespace

Toolchain Toolchain::find() {
    Toolchain t;
    if (const char* cxx = std::getenv("LEL_CXX"); cxx && *cxx) t.compiler = split_words(cxx);
    if (t.compiler.empty()) t.compiler.assign(config::cxx_command.begin(), config::cxx_command.end());
    if (const char* inc = std::getenv("LEL_INCLUDE_DIR"); inc && *inc) {
        t.include_dir = inc;
    } else {
        t.include_dir = running_from_build_tree() ? config::source_include_dir : config::installed_include_dir;
    }
    t.cache_dir = cache_dir_from_environment();
    return t;
}

bool is_session_source(const fs::path& file) {
    const std::string ext = file.extension().string();
    return ext == ".cpp" || ext == ".cc" || ext == ".cxx" || ext == ".c++" || ext == ".C";
}

fs::path default_module_path(const fs::path& source) {
    fs::path module = source;
    return module.replace_extension(".so");
}

std::vector<std::string> SessionBuilder::compile_flags() const {
    std::vector<std::string> argv = toolchain_.compiler;
    argv.insert(argv.end(), config::module_flags.begin(), config::module_flags.end());
    argv.insert(argv.end(), config::module_opt_flags.begin(), config::module_opt_flags.end());
    // Absolute, so that the precompiled header's list of headers read means
    // the same files from any working directory.
    argv.push_back("-I" + fs::absolute(toolchain_.include_dir).lexically_normal().string());
    return argv;
}

std::vector<std::string> SessionBuilder::command(const fs::path& source, const fs::path& output,
                                                 const std::vector<std::string>& pch_flags) const {
    std::vector<std::string> argv = compile_flags();
    argv.insert(argv.end(), pch_flags.begin(), pch_flags.end());
    argv.insert(argv.end(), {"-shared", source.string(), "-o", output.string()});
    return argv;
}

PrecompiledHeader SessionBuilder::precompiled_header(bool verbose) const {
    PrecompiledHeader pch;
    if (pch_failure_.empty()) {
        pch = find_or_build_pch(verbose);
        if (!pch && pch.built) pch_failure_ = pch.message;  // not again for every save of a `lel watch`
    } else {
        pch.message = pch_failure_;
    }
    if (verbose && pch.built && pch) {
        fmt::print("lel: precompiled lel's headers into {} in {:.2f} s\n", pch.file.string(), pch.seconds);
    } else if (verbose && !pch) {
        fmt::print("lel: compiling without a precompiled header: {}\n", pch.message);
    }
    return pch;
}

PrecompiledHeader SessionBuilder::find_or_build_pch(bool verbose) const {
    PrecompiledHeader pch;
    if (toolchain_.cache_dir.empty()) {
        pch.message = "turned off (LEL_NO_PCH is set, or neither XDG_CACHE_HOME nor HOME is)";
        return pch;
    }
    const std::vector<Program> programs = programs_of(toolchain_.compiler);
    const CompilerKind kind = compiler_kind(programs);
    if (kind == CompilerKind::unknown) {
        pch.message = fmt::format("'{}' is neither GCC nor clang by its name", quoted_command(toolchain_.compiler));
        return pch;
    }
    const std::vector<std::string> flags = compile_flags();
    const fs::path dir = toolchain_.cache_dir / fmt::format("pch-{:016x}", pch_key(flags, programs));
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

namespace {

// Where the compiler's dependency list of `module` is kept: beside it,
// hidden, replaced together with the module.
fs::path dependency_file_of(const fs::path& module) {
    return module.parent_path() / fmt::format(".{}.d", module.filename().string());
}

}  // namespace

std::vector<fs::path> SessionBuilder::dependencies(const fs::path& module) const {
    std::vector<fs::path> files;
    for (const std::string& file : dependencies_in(read_whole(dependency_file_of(module)))) {
        files.push_back(fs::absolute(file).lexically_normal());
    }
    return files;
}

std::vector<fs::path> SessionBuilder::user_files(const fs::path& source, const fs::path& module) const {
    const fs::path own_source = fs::absolute(source).lexically_normal();
    const auto under = [](const fs::path& file, const fs::path& dir) {
        if (dir.empty()) return false;
        const fs::path d = fs::absolute(dir).lexically_normal();
        const auto [end, _] = std::mismatch(d.begin(), d.end(), file.begin(), file.end());
        return end == d.end();
    };
    std::vector<fs::path> files{source};
    for (const fs::path& file : dependencies(module)) {
        if (file == own_source || under(file, "/usr") || under(file, toolchain_.include_dir) ||
            under(file, toolchain_.cache_dir)) {
            continue;
        }
        files.push_back(file);
    }
    return files;
}

bool SessionBuilder::stale(const fs::path& source, const fs::path& module) const {
    std::error_code ec;
    const auto built = fs::last_write_time(module, ec);
    if (ec) return true;
    const auto edited = fs::last_write_time(source, ec);
    if (ec || built < edited) return true;
    if (built < newest_under(toolchain_.include_dir / "lel")) return true;
    for (const fs::path& file : dependencies(module)) {
        const auto changed = fs::last_write_time(file, ec);
        if (ec || built < changed) return true;  // a header that went is a change too
    }
    return false;
}

BuildResult SessionBuilder::build(const fs::path& source, fs::path output, bool force, bool verbose) const {
    BuildResult result;
    if (output.empty()) output = default_module_path(source);
    result.module = fs::absolute(output).lexically_normal();

    std::error_code ec;
    if (!fs::is_regular_file(source, ec)) {
        result.message = fmt::format("no session file '{}'", source.string());
        return result;
    }
    if (!fs::exists(toolchain_.include_dir / "lel" / "lel.hpp", ec)) {
        result.message = fmt::format("lel's headers are not in '{}' (set LEL_INCLUDE_DIR to the directory that "
                                     "holds lel/lel.hpp)", toolchain_.include_dir.string());
        return result;
    }
    if (!force && !stale(source, result.module)) {
        result.outcome = BuildResult::Outcome::up_to_date;
        return result;
    }

    const PrecompiledHeader pch = precompiled_header(verbose);
    result.pch_seconds = pch.seconds;

    const fs::path temporary = result.module.parent_path() /
                               fmt::format(".{}.{}.tmp", result.module.filename().string(), getpid());
    const fs::path dependency_file = dependency_file_of(result.module);
    const fs::path temporary_dependencies = temporary.string() + ".d";
    result.command = command(source, temporary, pch.flags);
    result.command.insert(result.command.end(), {"-MD", "-MF", temporary_dependencies.string()});
    if (verbose) fmt::print("{}\n", quoted_command(result.command));
    std::fflush(stdout);  // before the compiler's own output

    const auto start = std::chrono::steady_clock::now();
    const ChildStatus child = run(result.command);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!child.ok) {
        fs::remove(temporary, ec);
        fs::remove(temporary_dependencies, ec);
        result.message = child.message;
        return result;
    }
    // The list first: a module never stands beside a list older than itself.
    fs::rename(temporary_dependencies, dependency_file, ec);
    if (ec) fs::remove(temporary_dependencies, ec);
    fs::rename(temporary, result.module, ec);
    if (ec) {
        result.message = fmt::format("cannot write '{}': {}", result.module.string(), ec.message());
        fs::remove(temporary, ec);
        return result;
    }
    result.outcome = BuildResult::Outcome::built;
    return result;
}

}  // namespace lel::client
