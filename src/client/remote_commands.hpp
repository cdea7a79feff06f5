// lel — the commands that talk to leld: send one request, wait for its
// answer, say what happened in words and as an exit status.
//
// Every function prints its outcome (results on stdout, problems on stderr,
// prefixed "lel: ") and returns one of the exit codes below; none throws.
//
// Threads: one thread; every call blocks until the answer or the timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace lel::client {

/// `lel`'s exit statuses.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;     ///< leld answered /lel/fail
inline constexpr int exit_usage = 2;      ///< bad usage, or the build failed
inline constexpr int exit_no_answer = 3;  ///< leld did not answer in time

/// Where leld listens and how long to wait for it.
struct Remote {
    std::string host = "127.0.0.1";
    uint16_t port = 57140;
    std::chrono::milliseconds timeout{5000};  ///< a load can take ~2 s in the worst case
};

/// /lel/load of the module at `module` (made absolute here).
int remote_load(const Remote& remote, const std::filesystem::path& module);
int remote_clear(const Remote& remote);
int remote_remove(const Remote& remote, const std::string& name);
int remote_reset(const Remote& remote);
/// Prints the daemon's figures one `key value` per line.
int remote_status(const Remote& remote);
/// Prints `pong (N ms)`.
int remote_ping(const Remote& remote);
int remote_quit(const Remote& remote);

}  // namespace lel::client
