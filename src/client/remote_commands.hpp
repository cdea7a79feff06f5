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
#include <optional>
#include <string>
#include <vector>

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

/// When and how a load takes over.
struct LoadOptions {
    /// Swap on the next multiple of this many frames (beats once a tempo is
    /// set); leld then answers only when the swap has happened, so the
    /// timeout must cover a whole quantum.
    std::optional<double> quantum;
    bool crossfade = false;  ///< fresh state and an equal-power crossfade for changed signals
};

/// /lel/load of the module at `module` (made absolute here), with the
/// quantum (a number) and "crossfade" appended when asked for.
int remote_load(const Remote& remote, const std::filesystem::path& module, const LoadOptions& options = {});
int remote_clear(const Remote& remote);
int remote_remove(const Remote& remote, const std::string& name);
int remote_reset(const Remote& remote);
/// Prints the daemon's figures one `key value` per line.
int remote_status(const Remote& remote);
/// Prints `pong (N ms)`.
int remote_ping(const Remote& remote);
int remote_quit(const Remote& remote);
/// /lel/tempo: load quanta count beats at `bpm` (0: frames again).
int remote_tempo(const Remote& remote, double bpm);
/// /lel/fade: the fade time for signals that appear, go or crossfade.
int remote_fade(const Remote& remote, double ms);

/// /lel/set (or /lel/trig): `pairs` alternate parameter names and values
/// ("cutoff 1200 q 0.5"; a trigger's value may be left out).
int remote_set(const Remote& remote, const std::string& signal, const std::vector<std::string>& pairs,
               std::optional<double> lag, bool trig);
/// /lel/get: prints the value.
int remote_get(const Remote& remote, const std::string& signal, const std::string& param);
/// /lel/params: one line per parameter.
int remote_params(const Remote& remote);

}  // namespace lel::client
