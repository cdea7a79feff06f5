// lel client tests — shared helpers: a temporary directory, sessions to
// build, a fake leld (a bare UDP socket) and a way to run the `lel` binary.
#pragma once

#include "osc_client.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace lel::test {

namespace fs = std::filesystem;

inline constexpr const char* valid_session = R"(#include <lel/lel.hpp>
#include <cmath>
LEL_SESSION(session) {
    session.add("sine-440", [](auto& s) {
        s.state[0] = std::fmod(s.state[0] + 440.0 * s.dt, 1.0);
        return 0.5 * std::sin(2.0 * M_PI * s.state[0]);
    });
}
)";

inline constexpr const char* broken_session = R"(#include <lel/lel.hpp>
LEL_SESSION(session) {
    session.add("oops", [](auto& s) { return s.t })
}
)";

/// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
public:
    TempDir() {
        const char* base = std::getenv("TMPDIR");
        std::string pattern = std::string(base && *base ? base : "/tmp") + "/lel-client-test-XXXXXX";
        if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const noexcept { return path_; }
    fs::path operator/(const std::string& name) const { return path_ / name; }

private:
    fs::path path_;
};

inline void write_file(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

inline std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A UDP socket on an ephemeral loopback port: a leld that answers only
/// what the test tells it to.
class FakeDaemon {
public:
    FakeDaemon() {
        fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            throw std::runtime_error("cannot bind a loopback UDP socket");
        }
        socklen_t len = sizeof addr;
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
    }
    ~FakeDaemon() { close(fd_); }
    FakeDaemon(const FakeDaemon&) = delete;
    FakeDaemon& operator=(const FakeDaemon&) = delete;

    uint16_t port() const noexcept { return port_; }

    /// The next datagram within `timeout`, decoded; remembers its sender.
    /// nullopt if none came (a datagram that is not OSC gives a packet with
    /// an empty path).
    std::optional<client::OscPacket> receive(std::chrono::milliseconds timeout) {
        pollfd pfd{fd_, POLLIN, 0};
        if (poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
        std::vector<char> buffer(65536);
        sender_len_ = sizeof sender_;
        const ssize_t n = recvfrom(fd_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&sender_),
                                   &sender_len_);
        if (n < 0) return std::nullopt;
        return osc::decode(std::span<const char>(buffer.data(), static_cast<std::size_t>(n))).value_or(client::OscPacket{});
    }

    /// Answers the sender of the last datagram received.
    void reply(const client::OscPacket& packet) {
        const std::vector<char> bytes = osc::encode(packet);
        sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&sender_), sender_len_);
    }

private:
    int fd_ = -1;
    uint16_t port_ = 0;
    sockaddr_in sender_{};
    socklen_t sender_len_ = 0;
};

/// A loopback UDP port that nothing listens on (it was free a moment ago).
inline uint16_t unused_port() {
    const FakeDaemon probe;
    return probe.port();
}

struct LelResult {
    int status = -1;  ///< exit status, or -1 if it did not exit normally
    std::string out;
    std::string err;
    std::chrono::duration<double> elapsed{};
};

/// The `lel` binary under test, started in `dir` with stdout and stderr
/// captured; wait() collects it.
class LelProcess {
public:
    LelProcess(const std::vector<std::string>& args, const fs::path& dir)
        : out_(dir / ".lel-stdout"), err_(dir / ".lel-stderr"), start_(std::chrono::steady_clock::now()) {
        const char* lel = std::getenv("LEL_BIN");
        if (!lel) throw std::runtime_error("LEL_BIN is not set (meson test sets it)");
        std::vector<std::string> all{lel};
        all.insert(all.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (std::string& a : all) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
        const int err = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (err != 0) throw std::runtime_error("cannot start " + all[0]);
    }
    ~LelProcess() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    LelProcess(const LelProcess&) = delete;
    LelProcess& operator=(const LelProcess&) = delete;

    pid_t pid() const noexcept { return pid_; }

    LelResult wait() {
        LelResult r;
        int status = 0;
        while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
        r.elapsed = std::chrono::steady_clock::now() - start_;
        r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r.out = read_file(out_);
        r.err = read_file(err_);
        return r;
    }

private:
    fs::path out_;
    fs::path err_;
    std::chrono::steady_clock::time_point start_;
    pid_t pid_ = -1;
};

inline LelResult run_lel(const std::vector<std::string>& args, const fs::path& dir) {
    LelProcess p(args, dir);
    return p.wait();
}

}  // namespace lel::test
