#include "session_builder.hpp"

#include "config.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <spawn.h>
#include <sstream>
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

ChildStatus run(const std::vector<std::string>& args) {
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
    pid_t pid = 0;
    const int err = posix_spawnp(&pid, argv[0], nullptr, &attr, argv.data(), environ);
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

std::vector<std::string> SessionBuilder::command(const fs::path& source, const fs::path& output) const {
    std::vector<std::string> argv = toolchain_.compiler;
    argv.insert(argv.end(), config::module_flags.begin(), config::module_flags.end());
    argv.insert(argv.end(), {"-O2", "-shared", "-I" + toolchain_.include_dir.string(), source.string(), "-o",
                             output.string()});
    return argv;
}

bool SessionBuilder::stale(const fs::path& source, const fs::path& module) const {
    std::error_code ec;
    const auto built = fs::last_write_time(module, ec);
    if (ec) return true;
    const auto edited = fs::last_write_time(source, ec);
    if (ec || built < edited) return true;
    return built < newest_under(toolchain_.include_dir / "lel");
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

    const fs::path temporary = result.module.parent_path() /
                               fmt::format(".{}.{}.tmp", result.module.filename().string(), getpid());
    const std::vector<std::string> argv = command(source, temporary);
    if (verbose) fmt::print("{}\n", quoted_command(argv));
    std::fflush(stdout);  // before the compiler's own output

    const auto start = std::chrono::steady_clock::now();
    const ChildStatus child = run(argv);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!child.ok) {
        fs::remove(temporary, ec);
        result.message = child.message;
        return result;
    }
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
