// lel — turns a session file into a module: `c++ <module flags> <opt flags>
// -I<lel's headers> [precompiled header] -shared FILE.cpp -o FILE.so`.
//
// Design: the compiler (toolchain.hpp) is run as a child (subprocess.hpp).
// Its output is captured and cut down to the errors in the user's own files
// (diagnostics.hpp), for the caller to print; with `verbose` it inherits
// stdout/stderr instead, so that all of it reaches the user as it is,
// colours included. It writes the module to a temporary file next to
// the output that is renamed over the output only on success
// (atomic_file.hpp): a failed build never leaves or damages a module, and
// the daemon can never open a half-written one. Modules get the same
// optimisation flags as the renderer (module_opt_args), and the precompiled
// header of lel's headers when there is one (pch_cache.hpp).
//
// Threads: one thread; building blocks for as long as the compiler runs.
#pragma once

#include "pch_cache.hpp"
#include "toolchain.hpp"

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace lel::client {

/// True for the file names `lel` treats as session sources (.cpp .cc .cxx
/// .c++ .C); anything else is taken for a built module.
bool is_session_source(const std::filesystem::path& file);

/// The module built from `source` by default: same directory and stem, .so.
std::filesystem::path default_module_path(const std::filesystem::path& source);

struct BuildResult {
    enum class Outcome { built, up_to_date, failed };
    Outcome outcome = Outcome::failed;
    std::filesystem::path module;      ///< absolute path of the module
    std::string message;               ///< why it failed: for a compile error, how many and where to see all
    /// What to print of the compiler's output, before `message`: its errors
    /// (warnings, if it built) cut down to the user's files, at most
    /// max_errors_shown; all of it when they are in no file of the user's.
    /// Empty when it printed nothing, or itself (`verbose`).
    std::string diagnostics;
    std::string compiler_output;       ///< all it printed, when not `verbose`
    double seconds = 0.0;              ///< compile time when built
    double pch_seconds = 0.0;          ///< time spent building the precompiled header first
    std::vector<std::string> command;  ///< the compiler command that ran (empty if none did)

    explicit operator bool() const noexcept { return outcome != Outcome::failed; }
};

class SessionBuilder {
public:
    /// How many errors BuildResult::diagnostics shows at most.
    static constexpr std::size_t max_errors_shown = 5;

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
    /// precompiled header, and lets the compiler print; else keeps the
    /// compiler's output in the result. Blocking; never throws for a failed
    /// build.
    BuildResult build(const std::filesystem::path& source, std::filesystem::path output = {}, bool force = false,
                      bool verbose = false) const;

    const Toolchain& toolchain() const noexcept { return toolchain_; }

private:
    /// The compiler, the module and optimisation flags and lel's include
    /// directory: what a module's compile and the precompiled header share.
    std::vector<std::string> compile_flags() const;
    /// True for a file of the user's: neither lel's headers, the cache's
    /// precompiled header, nor under /usr. `file` absolute and normal.
    bool users_file(const std::filesystem::path& file) const;

    Toolchain toolchain_;
    mutable std::string pch_failure_;  ///< why building the precompiled header failed, once it has
};

}  // namespace lel::client
