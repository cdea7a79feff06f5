// lel — turns a session file into a module: `c++ <module flags> -O2 -shared
// -I<lel's headers> FILE.cpp -o FILE.so`.
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
// LEL_CXX (split on spaces) and LEL_INCLUDE_DIR override them.
//
// Threads: one thread; building blocks for as long as the compiler runs.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace lel::client {

/// The compiler command and lel's include directory.
struct Toolchain {
    std::vector<std::string> compiler;  ///< argv prefix, e.g. {"ccache", "c++"}
    std::filesystem::path include_dir;  ///< holds lel/lel.hpp

    /// From the environment, else from config.hpp (see the file comment).
    static Toolchain find();
};

/// True for the file names `lel` treats as session sources (.cpp .cc .cxx
/// .c++ .C); anything else is taken for a built module.
bool is_session_source(const std::filesystem::path& file);

/// The module built from `source` by default: same directory and stem, .so.
std::filesystem::path default_module_path(const std::filesystem::path& source);

struct BuildResult {
    enum class Outcome { built, up_to_date, failed };
    Outcome outcome = Outcome::failed;
    std::filesystem::path module;  ///< absolute path of the module
    std::string message;           ///< why it failed (the compiler has printed its own errors)
    double seconds = 0.0;          ///< compile time when built

    explicit operator bool() const noexcept { return outcome != Outcome::failed; }
};

class SessionBuilder {
public:
    explicit SessionBuilder(Toolchain toolchain) : toolchain_(std::move(toolchain)) {}

    /// The argv that compiles `source` into `output`.
    std::vector<std::string> command(const std::filesystem::path& source, const std::filesystem::path& output) const;

    /// True when `module` is missing or older than `source` or than any of
    /// lel's headers (a module built against older headers may not load).
    bool stale(const std::filesystem::path& source, const std::filesystem::path& module) const;

    /// Builds `source` into `output` (default_module_path when empty) if it
    /// is stale or `force`. Prints the command first when `verbose`.
    /// Blocking; never throws for a failed build.
    BuildResult build(const std::filesystem::path& source, std::filesystem::path output = {}, bool force = false,
                      bool verbose = false) const;

    const Toolchain& toolchain() const noexcept { return toolchain_; }

private:
    Toolchain toolchain_;
};

}  // namespace lel::client
