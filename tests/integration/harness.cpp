#include "harness.hpp"

#include "protocol.hpp"

#include <algorithm>
#include <jack/jack.h>
#include <lo/lo.h>

#include <arpa/inet.h>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <sstream>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace fs = std::filesystem;

namespace lel::test {

// ------------------------------------------------------------ small helpers

std::string unique_name(std::string_view prefix) {
    static unsigned counter = 0;
    return std::string(prefix) + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

fs::path path_from_env(const char* var) {
    const char* value = std::getenv(var);
    if (!value || !*value) {
        throw HarnessError(std::string("environment variable ") + var +
                           " is not set (run the tests with `meson test`)");
    }
    return fs::path(value);
}

fs::path module_path(std::string_view name) {
    std::string var = "LEL_TEST_MODULE_";
    for (const char c : name) var += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return path_from_env(var.c_str());
}

TempDir::TempDir() {
    std::string templ = (fs::temp_directory_path() / "lel-itest-XXXXXX").string();
    if (!mkdtemp(templ.data())) throw HarnessError(std::string("mkdtemp: ") + std::strerror(errno));
    path_ = templ;
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

std::vector<std::string> environment_with(const EnvChanges& set) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        const std::string_view entry(*e);
        const std::string_view key = entry.substr(0, entry.find('='));
        bool overridden = false;
        for (const auto& [k, v] : set) overridden = overridden || k == key;
        if (!overridden) env.emplace_back(entry);
    }
    for (const auto& [k, v] : set) {
        if (v) env.push_back(k + "=" + *v);
    }
    return env;
}

std::string describe_wait_status(int status) {
    if (WIFEXITED(status)) return "exited with " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
    return "wait status " + std::to_string(status);
}

// ------------------------------------------------------------------ Process

Process::Process(std::vector<std::string> argv, std::vector<std::string> env, fs::path log, int death_signal)
    : log_(std::move(log)) {
    // Everything the child needs is prepared before fork: after it, in a
    // process that may have JACK threads, only async-signal-safe calls.
    std::vector<char*> args, envp;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    const int out = open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) throw HarnessError("cannot create " + log_.string() + ": " + std::strerror(errno));
    const pid_t parent = getpid();

    pid_ = fork();
    if (pid_ < 0) {
        close(out);
        throw HarnessError(std::string("fork: ") + std::strerror(errno));
    }
    if (pid_ == 0) {
        prctl(PR_SET_PDEATHSIG, death_signal);  // the test process crashed: do not outlive it
        if (getppid() != parent) _exit(127);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
        const int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, STDIN_FILENO);
        close_range(3, ~0u, 0);  // no JACK or gtest descriptors leak into the child
        execve(args[0], args.data(), envp.data());
        static constexpr char msg[] = "harness: execve failed\n";
        (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
        _exit(127);
    }
    close(out);
}

std::optional<int> Process::try_wait() {
    if (status_ || pid_ <= 0) return status_;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
    return status_;
}

std::optional<int> Process::wait_for(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!try_wait()) {
        if (Clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(5ms);
    }
    return status_;
}

int Process::stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0) return 0;
    if (!try_wait()) {
        kill(pid_, SIGTERM);
        if (!wait_for(grace)) {
            kill(pid_, SIGKILL);
            int status = 0;
            while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
            status_ = status;
        }
    }
    return *status_;
}

std::string Process::log_tail(std::size_t lines) const {
    std::ifstream in(log_);
    std::deque<std::string> tail;
    for (std::string line; std::getline(in, line);) {
        tail.push_back(std::move(line));
        if (tail.size() > lines) tail.pop_front();
    }
    std::string out;
    for (const auto& l : tail) out += "    | " + l + "\n";
    return out.empty() ? "    | (no output)\n" : out;
}

// --------------------------------------------------------------- JackServer

namespace {

void quiet_jack() {
    // libjack prints every failed connection attempt; the harness reports
    // failures itself.
    jack_set_error_function([](const char*) {});
    jack_set_info_function([](const char*) {});
}

bool jack_server_answers(const std::string& name) {
    jack_status_t status{};
    jack_client_t* probe = jack_client_open(
        "lel-test-probe", static_cast<jack_options_t>(JackNoStartServer | JackServerName), &status, name.c_str());
    if (!probe) return false;
    jack_client_close(probe);
    return true;
}

Process start_jackd(const std::string& name, const fs::path& log_dir, uint32_t rate, uint32_t period) {
    return Process({path_from_env("LEL_TEST_JACKD").string(), "-n", name, "-d", "dummy", "-r",
                    std::to_string(rate), "-p", std::to_string(period)},
                   environment_with({{"JACK_DEFAULT_SERVER", std::nullopt}, {"JACK_NO_AUDIO_RESERVATION", "1"}}),
                   log_dir / "jackd.log");
}

}  // namespace

JackServer::JackServer(const fs::path& log_dir, std::string name, uint32_t rate, uint32_t period)
    : name_(name.empty() ? unique_name("lel-test") : std::move(name)),
      process_(start_jackd(name_, log_dir, rate, period)) {
    quiet_jack();
    const auto deadline = Clock::now() + 5s;
    while (!jack_server_answers(name_)) {
        if (const auto status = process_.try_wait()) {
            throw HarnessError("jackd " + describe_wait_status(*status) + ":\n" + process_.log_tail());
        }
        if (Clock::now() >= deadline)
            throw HarnessError("jackd did not accept clients within 5 s:\n" + process_.log_tail());
        std::this_thread::sleep_for(20ms);
    }
    if (const char* old = std::getenv("JACK_DEFAULT_SERVER")) previous_default_ = old;
    setenv("JACK_DEFAULT_SERVER", name_.c_str(), 1);
}

JackServer::~JackServer() {
    if (previous_default_) {
        setenv("JACK_DEFAULT_SERVER", previous_default_->c_str(), 1);
    } else {
        unsetenv("JACK_DEFAULT_SERVER");
    }
    process_.stop();
}

// ------------------------------------------------------------------ OSC

namespace {

sockaddr_in loopback(uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

}  // namespace

OscClient::OscClient(uint16_t server_port) : server_port_(server_port) {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw HarnessError(std::string("socket: ") + std::strerror(errno));
    const sockaddr_in self = loopback(0);
    if (bind(fd_, reinterpret_cast<const sockaddr*>(&self), sizeof self) != 0) {
        close(fd_);
        throw HarnessError(std::string("bind: ") + std::strerror(errno));
    }
}

OscClient::~OscClient() {
    if (fd_ >= 0) close(fd_);
}

void OscClient::send_raw(const std::vector<char>& bytes) {
    const sockaddr_in to = loopback(server_port_);
    if (sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0) {
        throw HarnessError(std::string("sendto: ") + std::strerror(errno));
    }
}

std::optional<OscReply> OscClient::wait_reply(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    std::vector<char> data(65536);
    const ssize_t n = recv(fd_, data.data(), data.size(), 0);
    if (n < 0) return std::nullopt;
    data.resize(static_cast<std::size_t>(n));
    if (auto message = osc::decode(data)) return message;
    return OscReply{"<undecodable>", {}};
}

void OscClient::drain() {
    while (wait_reply(0ms)) {
    }
}

std::optional<OscReply> OscClient::call(const OscOut& message, std::chrono::milliseconds timeout) {
    return call_raw(message.bytes(), timeout);
}

std::optional<OscReply> OscClient::call_raw(const std::vector<char>& bytes, std::chrono::milliseconds timeout) {
    drain();
    send_raw(bytes);
    return wait_reply(timeout);
}

bool OscClient::ping(std::chrono::milliseconds timeout) {
    const auto reply = call(OscOut("/lel/ping"), timeout);
    return reply && reply->path == "/lel/pong";
}

uint16_t free_udp_port() {
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = loopback(0);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        if (fd >= 0) close(fd);
        throw HarnessError(std::string("cannot find a free UDP port: ") + std::strerror(errno));
    }
    close(fd);
    return ntohs(a.sin_port);
}

uint64_t ntp_in(double seconds) {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    const double t = static_cast<double>(now.tv_sec) + 2208988800.0 + now.tv_nsec * 1e-9 + seconds;
    const auto whole = static_cast<uint64_t>(t);
    return (whole << 32) | static_cast<uint64_t>((t - static_cast<double>(whole)) * 4294967296.0);
}

// --------------------------------------------------------------------- Leld

fs::path state_temp_dir() {
    std::error_code ec;
    return fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
}

Leld::Leld(const fs::path& log_dir, std::vector<std::string> extra_args, EnvChanges extra_env)
    : name_(unique_name("lel")) {
    const fs::path leld = path_from_env("LEL_TEST_LELD");
    const char* server = std::getenv("JACK_DEFAULT_SERVER");
    EnvChanges env = {{"JACK_DEFAULT_SERVER", server ? std::optional<std::string>(server) : std::nullopt}};
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    // A state directory of its own, removed with it, unless the test
    // chose one (to start a leld again on the same state).
    if (std::find(extra_args.begin(), extra_args.end(), "--state-dir") == extra_args.end()) {
        own_state_dir_ = state_temp_dir() / ("state-" + name_);
        extra_args.insert(extra_args.end(), {"--state-dir", own_state_dir_.string()});
    }
    std::string why;
    for (int attempt = 0; attempt < 3; ++attempt) {
        port_ = free_udp_port();
        std::vector<std::string> argv{leld.string(), "--no-connect", "--port", std::to_string(port_), "--name", name_};
        argv.insert(argv.end(), extra_args.begin(), extra_args.end());
        process_.emplace(
            std::move(argv), environment_with(env), log_dir / ("leld-" + std::to_string(attempt) + ".log"),
            // If this process dies, jackd and leld get their signal at once; leld,
            // given SIGTERM then, can hang for ever in jack_client_close, so it gets
            // SIGKILL. (Stopped normally, it goes before jackd, with SIGTERM.)
            SIGKILL);
        osc_.emplace(port_);
        const auto deadline = Clock::now() + 5s;
        while (Clock::now() < deadline && !process_->try_wait()) {
            if (osc_->ping(50ms)) {
                // A ping sent while leld started may be answered late: not the test's.
                while (osc_->wait_reply(50ms)) {
                }
                return;
            }
        }
        why = process_->try_wait() ? "leld " + describe_wait_status(*process_->try_wait())
                                   : std::string("leld did not answer /lel/ping within 5 s");
        why += ":\n" + process_->log_tail();
        osc_.reset();
        process_->stop();
        if (process_->log_tail().find("ddress already in use") == std::string::npos) break;
    }
    throw HarnessError(why);
}

Leld::~Leld() {
    osc_.reset();
    if (process_) process_->stop();
    std::error_code ec;
    if (!own_state_dir_.empty()) fs::remove_all(own_state_dir_, ec);
}


// ------------------------------------------------------------ leld protocol

OscReply expect_call(OscClient& osc, const OscOut& message, std::chrono::milliseconds timeout) {
    auto reply = osc.call(message, timeout);
    if (!reply) throw HarnessError("no answer from leld within " + std::to_string(timeout.count()) + " ms");
    return *reply;
}

OscReply status(OscClient& osc) {
    OscReply r = expect_call(osc, OscOut("/lel/status"));
    if (r.path != "/lel/status.reply") throw HarnessError("/lel/status got " + r.describe());
    return r;
}

int64_t status_int(OscClient& osc, std::string_view key) {
    const OscReply r = status(osc);
    const auto v = r.value_of(key);
    const auto n = v ? OscReply{"", {*v}}.integer_at(0) : std::nullopt;
    if (!n) throw HarnessError("/lel/status has no integer '" + std::string(key) + "': " + r.describe());
    return *n;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream all;
    all << in.rdbuf();
    return all.str();
}

int64_t rss_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            std::istringstream fields(line.substr(6));
            int64_t kib = -1;
            fields >> kib;
            return kib;
        }
    }
    return -1;
}

int64_t load_frame(OscClient& osc, const std::string& path, int32_t quantum) {
    protocol::LoadRequest load{path, {}, false};
    if (quantum > 0) load.quantum = quantum;
    const std::vector<char> bytes = osc::encode(load.message());
    const auto r = osc.call_raw(bytes);
    if (!r) throw HarnessError("no answer to /lel/load " + path);
    const auto done = protocol::LoadDone::read(*r);
    if (!done || done->path != path || done->frame < 0) throw HarnessError("loading " + path + " got " + r->describe());
    return static_cast<int64_t>(done->frame);
}

}  // namespace lel::test
