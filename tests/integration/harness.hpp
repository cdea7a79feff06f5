// lel integration tests — the harness: child processes, a private JACK
// server, a running leld and an OSC client to talk to it.
//
// Design: every process a test starts is owned by an RAII object that stops
// it by PID (SIGTERM, then SIGKILL after a timeout, then waitpid), also when
// an assertion throws or the test fails; children also get a signal from
// the kernel if the test process dies (PR_SET_PDEATHSIG). Nothing here is
// real-time: these run on the test's own thread. All traffic is to
// 127.0.0.1. See capture.hpp for the JACK client that records leld's ports
// and analysis.hpp for what the tests measure in the recording.
#pragma once

#include "osc_wire.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace lel::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class HarnessError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// An absolute path from the environment variable `var` (set by meson);
/// throws HarnessError when it is missing.
std::filesystem::path path_from_env(const char* var);
/// The test module `name` (e.g. "sine_440"), from LEL_TEST_MODULE_<NAME>.
std::filesystem::path module_path(std::string_view name);

/// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

/// The process environment with `set` applied (a value of nullopt removes
/// the variable): the env of a child.
using EnvChanges = std::vector<std::pair<std::string, std::optional<std::string>>>;
std::vector<std::string> environment_with(const EnvChanges& set);

/// A child process (fork + execve) whose stdout and stderr go to a file.
/// Not copyable; the destructor stops it.
class Process {
public:
    /// Starts argv[0] (an absolute path). Should the test process die first,
    /// the kernel sends the child `death_signal`.
    Process(std::vector<std::string> argv, std::vector<std::string> env, std::filesystem::path log,
            int death_signal = 15 /* SIGTERM */);
    ~Process() { stop(); }
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const noexcept { return pid_; }
    /// Reaps the child if it has exited (never blocks); its wait status.
    std::optional<int> try_wait();
    /// Blocks up to `timeout` for the child to exit on its own.
    std::optional<int> wait_for(std::chrono::milliseconds timeout);
    /// SIGTERM, SIGKILL after `grace`, waitpid. Idempotent. The wait status.
    int stop(std::chrono::milliseconds grace = 3000ms);
    const std::filesystem::path& log() const noexcept { return log_; }
    /// The last `lines` lines of the child's output.
    std::string log_tail(std::size_t lines = 40) const;

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
    std::filesystem::path log_;
};

/// "exited with 2", "killed by signal 9": a wait status for messages.
std::string describe_wait_status(int status);

/// A private JACK server: `jackd -n <unique> -d dummy -r 48000 -p 64`.
/// While it lives, JACK_DEFAULT_SERVER in this process names it (the old
/// value comes back when it is stopped), so children and JACK clients
/// opened here use it.
class JackServer {
public:
    static constexpr uint32_t sample_rate = 48000;
    static constexpr uint32_t period = 64;

    /// Starts jackd and waits (up to 5 s) until a client can connect.
    /// Throws HarnessError.
    /// With a `name`, the server takes it (a server started again under
    /// the name of one that was stopped); else a unique one. `rate` and
    /// `period`: another server than the tests' usual one.
    explicit JackServer(const std::filesystem::path& log_dir, std::string name = {}, uint32_t rate = sample_rate,
                        uint32_t period = JackServer::period);
    ~JackServer();
    JackServer(const JackServer&) = delete;
    JackServer& operator=(const JackServer&) = delete;

    const std::string& name() const noexcept { return name_; }
    std::string log_tail(std::size_t lines = 20) const { return process_.log_tail(lines); }
    /// jackd's own process (to stop, pause or kill it in a test).
    Process& process() noexcept { return process_; }

private:
    std::string name_;
    std::optional<std::string> previous_default_;
    Process process_;
};

/// One OSC argument, and a message as leld sent it: the shared wire
/// format (src/osc_wire.hpp). A datagram that is not a message decodes to
/// the path "<undecodable>".
using OscArg = osc::Arg;
using OscReply = osc::Message;

/// Builds a message: ints as i, int64_t as h, floats as f, doubles as d,
/// strings as s.
class OscOut {
public:
    explicit OscOut(std::string path) : message_{std::move(path), {}} {}
    OscOut& i(int32_t v) { return add(v); }
    OscOut& h(int64_t v) { return add(v); }
    OscOut& f(float v) { return add(v); }
    OscOut& d(double v) { return add(v); }
    OscOut& s(std::string_view v) { return add(std::string(v)); }
    /// The serialised packet.
    std::vector<char> bytes() const { return osc::encode(message_); }

private:
    template <class T>
    OscOut& add(T value) {
        message_.args.emplace_back(std::in_place_type<T>, std::move(value));
        return *this;
    }
    osc::Message message_;
};

/// An OSC bundle of the given serialised elements, with an NTP time tag
/// (1: at once).
inline std::vector<char> osc_bundle(const std::vector<std::vector<char>>& elements, uint64_t timetag = 1) {
    return osc::bundle(elements, timetag);
}
/// The OSC (NTP) time tag of `seconds` from now, on the wall clock.
uint64_t ntp_in(double seconds);

/// A UDP socket on 127.0.0.1 (ephemeral port) that talks to one leld.
class OscClient {
public:
    explicit OscClient(uint16_t server_port);
    ~OscClient();
    OscClient(const OscClient&) = delete;
    OscClient& operator=(const OscClient&) = delete;

    void send(const OscOut& message) { send_raw(message.bytes()); }
    void send_raw(const std::vector<char>& bytes);
    /// The next datagram, decoded; nullopt on timeout. A datagram that is
    /// not an OSC message comes back with path "<undecodable>".
    std::optional<OscReply> wait_reply(std::chrono::milliseconds timeout = 3000ms);
    /// Drops replies still queued, sends, waits for the answer.
    std::optional<OscReply> call(const OscOut& message, std::chrono::milliseconds timeout = 3000ms);
    std::optional<OscReply> call_raw(const std::vector<char>& bytes, std::chrono::milliseconds timeout = 3000ms);
    /// True when /lel/ping gets /lel/pong within `timeout`.
    bool ping(std::chrono::milliseconds timeout = 1000ms);

private:
    void drain();
    int fd_ = -1;
    uint16_t server_port_;
};

/// Where state directories go: in memory (/dev/shm), as leld wants them
/// (a disk's writeback stalls the producer); the temp directory without it.
std::filesystem::path state_temp_dir();

/// A UDP port on 127.0.0.1 that was free a moment ago.
uint16_t free_udp_port();

/// build/leld, started with `--no-connect --port <free> --name <unique>`
/// and `extra_args` against the JackServer named by JACK_DEFAULT_SERVER;
/// without `--state-dir` in them, with a state directory of its own in
/// state_temp_dir(), removed when it stops.
class Leld {
public:
    /// What most tests add: no fades, so waveforms can be checked exactly
    /// across swaps (fades are tested on the engine itself, and end to end
    /// by the tests that start leld with its defaults).
    static std::vector<std::string> no_fades() { return {"--fade-ms", "0"}; }

    /// Starts leld and waits (up to 5 s) until /lel/ping answers. Retries
    /// with another port if the first was taken meanwhile. Throws
    /// HarnessError with the tail of leld's log.
    explicit Leld(const std::filesystem::path& log_dir, std::vector<std::string> extra_args = no_fades(),
                  EnvChanges extra_env = {});
    ~Leld();
    Leld(const Leld&) = delete;
    Leld& operator=(const Leld&) = delete;

    const std::string& client_name() const noexcept { return name_; }
    uint16_t port() const noexcept { return port_; }
    OscClient& osc() noexcept { return *osc_; }
    Process& process() noexcept { return *process_; }
    std::string log_tail(std::size_t lines = 40) const { return process_->log_tail(lines); }

private:
    std::string name_;
    uint16_t port_ = 0;
    std::filesystem::path own_state_dir_;
    std::optional<Process> process_;
    std::optional<OscClient> osc_;
};

/// The whole of a file (a log); "" if it cannot be read.
std::string read_file(const std::filesystem::path& path);
/// VmRSS of `pid` in KiB, from /proc/<pid>/status; -1 if unreadable.
int64_t rss_kib(pid_t pid);

/// A name unique to this test process: "<prefix>-<pid>-<counter>".
std::string unique_name(std::string_view prefix);

/// leld's protocol, with failures as HarnessError: an answer is required.
OscReply expect_call(OscClient& osc, const OscOut& message, std::chrono::milliseconds timeout = 3000ms);
/// /lel/status.reply.
OscReply status(OscClient& osc);
/// One status value that must be an integer (int32, or an integral double).
int64_t status_int(OscClient& osc, std::string_view key);
/// /lel/load of `path`, expecting /lel/done: the frame it took effect at.
/// With a `quantum` (frames), the load waits for a multiple of it.
int64_t load_frame(OscClient& osc, const std::string& path, int32_t quantum = 0);

}  // namespace lel::test
