// lel — turns a session file into a module: `c++ <module flags> <opt flags>
// -I<lel's headers> [precompiled header] -shared FILE.cpp -o FILE.so`.
//
// Design: the compiler is run with posix_spawn (no shell: paths are never
// re-parsed) and inherits stdout/stderr, so its diagnostics reach the user
// as they are, colours included. It writes to a temporary file next to the
// output that is renamed over the output only on success: a failed build
// never leaves or damages a module, and the daemon can never open a
// half-written one.
//
// Which compiler and headers: the ones this lel was built with and for (see
// config.hpp), the source tree's headers when lel runs from its build tree;
// LEL_CXX (split on spaces) and LEL_INCLUDE_DIR override them. Modules get
// the same optimisation flags as the renderer (module_opt_args).
//
// Precompiled header: almost all of a session's compile time is the compiler
// parsing <lel/lel.hpp> and the standard headers, so the builder compiles,
// once, a header holding them (lel-pch.hpp) with exactly the modules' flags,
// and compiles every session with it: `-include <dir>/lel-pch.hpp` for GCC,
// which finds lel-pch.hpp.gch beside it, `-include-pch <dir>/lel-pch.hpp.pch`
// for clang (told apart by the compiler binary's name, symlinks resolved;
// any other compiler gets none). examples/sine.cpp, -O3 -march=native, on
// an idle 2-core VM: g++ 12 0.90 s without, 0.38 s with, 2.3 s to build it;
// clang 22 1.36 s without, 0.30 s with, 1.5 s to build it.
//  - Where: <cache>/pch-<key>/, <cache> being $XDG_CACHE_HOME/lel or
//    ~/.cache/lel, <key> a hash of lel's version, the header's text, the
//    compiler command, its binaries (path, size, mtime) and the flags; so
//    every configuration has its own.
//  - When it is rebuilt: a stamp beside it records the built file's size,
//    mtime and inode and the mtime of every header it read (the compiler's
//    -MD list: lel's and the standard library's). It is checked before every
//    compile, because neither compiler falls back on a bad one: GCC fails on
//    a truncated .gch, clang on any header changed since. Any difference and
//    it is rebuilt in place.
//  - Concurrency: it is built under a lock (flock on <dir>/lock), so that two
//    lel processes build it once, into temporary files renamed into place, so
//    that a compiler never reads half of one. With clang, a header saved in
//    the few milliseconds between that check and clang's own fails that one
//    compile; the next one rebuilds the precompiled header.
//  - Failure is not an error: no cache directory, an unwritable one, a
//    failed precompile, LEL_NO_PCH=1: the session compiles without it (`-v`
//    says why).
//  - What a session sees: these headers come first, as if it included them
//    on its first line; a macro it defines before `#include <lel/lel.hpp>`
//    no longer reaches lel's headers (LEL_NO_PCH=1 if one must).
//
// Threads: one thread; building blocks for as long as the compiler runs.
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

/// True for the file names `lel` treats as session sources (.cpp .cc .cxx
/// .c++ .C); anything else is taken for a built module.
bool is_session_source(const std::filesystem::path& file);

/// The module built from `source` by default: same directory and stem, .so.
std::filesystem::path default_module_path(const std::filesystem::path& source);

/// The precompiled header, ready, or why there is none.
struct PrecompiledHeader {
    std::vector<std::string> flags;  ///< what a module's compile adds to use it; empty: none
    std::filesystem::path file;      ///< the .gch or .pch
    bool built = false;              ///< built by this call, not found in the cache
    double seconds = 0.0;            ///< time spent building it
    std::string message;             ///< why there is none

    explicit operator bool() const noexcept { return !flags.empty(); }
};

struct BuildResult {
    enum class Outcome { built, up_to_date, failed };
    Outcome outcome = Outcome::failed;
    std::filesystem::path module;      ///< absolute path of the module
    std::string message;               ///< why it failed (the compiler has printed its own errors)
    double seconds = 0.0;              ///< compile time when built
    double pch_seconds = 0.0;          ///< time spent building the precompiled header first
    std::vector<std::string> command;  ///< the compiler command that ran (empty if none did)

    explicit operator bool() const noexcept { return outcome != Outcome::failed; }
};

class SessionBuilder {
public:
    explicit SessionBuilder(Toolchain toolchain) : toolchain_(std::move(toolchain)) {}

    /// The argv that compiles `source` into `output`, with `pch_flags`
    /// (PrecompiledHeader::flags) if any.
    std::vector<std::string> command(const std::filesystem::path& source, const std::filesystem::path& output,
                                     const std::vector<std::string>& pch_flags = {}) const;

    /// True when `module` is missing or older than `source`, than any of
    /// lel's headers (a module built against older headers may not load) or
    /// than any file its last build read (the compiler's dependency list,
    /// kept beside the module: a header of the user's own included by the
    /// session counts as much as the session).
    bool stale(const std::filesystem::path& source, const std::filesystem::path& module) const;

    /// Every file the last build of `module` read, from its dependency list
    /// (empty when it has none).
    std::vector<std::filesystem::path> dependencies(const std::filesystem::path& module) const;

    /// What `lel watch` watches for `source`: the session itself and every
    /// file of the user's its last build of `module` read (not lel's nor the
    /// system's headers, nor the precompiled header).
    std::vector<std::filesystem::path> user_files(const std::filesystem::path& source,
                                                  const std::filesystem::path& module) const;

    /// The precompiled header for this toolchain: the cached one if it is
    /// current, else built now (seconds, blocking). Never throws; on any
    /// failure it has no flags and a message, and a builder that failed to
    /// build one does not try again. `verbose`: prints the command that
    /// builds it, and a line when it was built or why there is none.
    PrecompiledHeader precompiled_header(bool verbose = false) const;

    /// Builds `source` into `output` (default_module_path when empty) if it
    /// is stale or `force`, with the precompiled header when there is one.
    /// Prints the command first when `verbose`, and why there is no
    /// precompiled header. Blocking; never throws for a failed build.
    BuildResult build(const std::filesystem::path& source, std::filesystem::path output = {}, bool force = false,
                      bool verbose = false) const;

    const Toolchain& toolchain() const noexcept { return toolchain_; }

private:
    /// The compiler, the module and optimisation flags and lel's include
    /// directory: what a module's compile and the precompiled header share.
    std::vector<std::string> compile_flags() const;
    PrecompiledHeader find_or_build_pch(bool verbose) const;

    Toolchain toolchain_;
    mutable std::string pch_failure_;  ///< why building the precompiled header failed, once it has
};

}  // namespace lel::client
