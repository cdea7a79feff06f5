#include "toolchain.hpp"

#include "config.hpp"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string_view>
#include <unistd.h>

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

fs::path cache_dir_from_environment() {
    if (const char* off = std::getenv("LEL_NO_PCH"); off && *off && std::string_view(off) != "0") return {};
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/') return fs::path(xdg) / "lel";
    if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "lel";
    return {};
}

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

}  // namespace lel::client
