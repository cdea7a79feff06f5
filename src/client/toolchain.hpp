// lel — which compiler builds sessions, against which headers, and what
// kind of compiler it is.
//
// Which compiler and headers: the ones this lel was built with and for (see
// config.hpp), the source tree's headers when lel runs from its build tree;
// LEL_CXX (split on spaces) and LEL_INCLUDE_DIR override them.
//
// Threads: any; find() reads the environment.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace lel::client {

/// The compiler command, lel's include directory and the cache.
struct Toolchain {
    std::vector<std::string> compiler;  ///< argv prefix, e.g. {"ccache", "c++"}
    std::filesystem::path include_dir;  ///< holds lel/lel.hpp
    /// Where precompiled headers are kept; empty: none are used.
    std::filesystem::path cache_dir;

    /// From the environment, else from config.hpp (see the file comment).
    /// cache_dir: $XDG_CACHE_HOME/lel, else $HOME/.cache/lel; none when
    /// LEL_NO_PCH is set (to anything but 0).
    static Toolchain find();
};

enum class CompilerKind { unknown, gcc, clang };

/// A program a compiler command runs, as written and with symlinks resolved.
struct Program {
    std::string word;
    std::filesystem::path real;
};

/// The programs `command` runs: {"ccache", "c++"} gives ccache
/// (/usr/bin/ccache) and c++ (/usr/bin/g++-12). Options and words that are
/// no program (not found as posix_spawnp would look) are left out.
std::vector<Program> programs_of(const std::vector<std::string>& command);

/// Which compiler the programs are, by their binaries' names (a launcher
/// such as ccache is skipped; /usr/lib/ccache/g++, a link to ccache, counts
/// as g++ by its own name).
CompilerKind compiler_kind(const std::vector<Program>& programs);

}  // namespace lel::client
