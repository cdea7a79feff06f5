#include "subprocess.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace lel::client {

ChildStatus run_child(const std::vector<std::string>& args, ChildOutput output, std::string_view what) {
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);

    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    int pipe_fds[2] = {-1, -1};  // read, write; both close-on-exec, the child's dup2 copies are not
    if (output == ChildOutput::discard) {
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    } else if (output == ChildOutput::capture) {
        if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
            posix_spawn_file_actions_destroy(&actions);
            posix_spawnattr_destroy(&attr);
            return {false, false, fmt::format("cannot run {}: no pipe: {}", what, std::strerror(errno)), {}};
        }
        posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
    }
    pid_t pid = 0;
    const int err = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    std::string captured;
    if (pipe_fds[1] >= 0) {
        close(pipe_fds[1]);  // so that the read ends when the child's copies close
        char buffer[4096];
        for (;;) {
            const ssize_t n = err == 0 ? read(pipe_fds[0], buffer, sizeof buffer) : 0;
            if (n > 0) {
                captured.append(buffer, static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                break;
            }
        }
        close(pipe_fds[0]);
    }
    if (err != 0) return {false, false, fmt::format("cannot run {} '{}': {}", what, args[0], std::strerror(err)), {}};

    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return {false, true, fmt::format("waiting for {}: {}", what, std::strerror(errno)), std::move(captured)};
        }
    }
    ChildStatus child{false, true, {}, std::move(captured)};
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        child.ok = true;
    } else if (WIFSIGNALED(status)) {
        child.message = fmt::format("{} was killed by signal {}", what, WTERMSIG(status));
    } else {
        child.message = fmt::format("{} failed (exit status {})", what, WEXITSTATUS(status));
    }
    return child;
}

std::string quoted_command(const std::vector<std::string>& args) {
    std::string line;
    for (const std::string& a : args) {
        if (!line.empty()) line += ' ';
        const bool plain = !a.empty() && a.find_first_of(" \t\"'\\$`*?") == std::string::npos;
        line += plain ? a : fmt::format("'{}'", a);
    }
    return line;
}

}  // namespace lel::client
