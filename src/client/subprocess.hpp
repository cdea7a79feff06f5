// lel — running another program (the compiler) and waiting for it.
//
// Design: posix_spawnp, no shell, so that paths are never re-parsed. The
// child starts with no blocked signals and default SIGINT/SIGTERM handling,
// whatever this process has set up, so that Ctrl-C stops it too.
//
// Threads: any; run_child() blocks for as long as the child runs (with
// ChildOutput::capture, reading its output from a pipe until it closes).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lel::client {

/// Where the child's stdout and stderr go.
enum class ChildOutput {
    inherit,  ///< this process's own
    discard,  ///< /dev/null
    capture,  ///< both into ChildStatus::output, in the order written
};

/// How a child ended.
struct ChildStatus {
    bool ok = false;       ///< exited with status 0
    bool started = false;  ///< false: the program could not be run at all
    std::string message;   ///< why it is not ok, naming the program by `what`
    std::string output;    ///< what it wrote, with ChildOutput::capture

    explicit operator bool() const noexcept { return ok; }
};

/// Runs `argv` (argv[0] looked up in PATH) and waits for it. `what` names it
/// in messages: "the compiler" gives "the compiler failed (exit status 1)".
ChildStatus run_child(const std::vector<std::string>& argv, ChildOutput output, std::string_view what);

/// `argv` as one line a shell would run the same way (for -v).
std::string quoted_command(const std::vector<std::string>& argv);

}  // namespace lel::client
