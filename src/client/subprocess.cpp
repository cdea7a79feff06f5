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
    if (output == ChildOutput::discard) {
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    }
    pid_t pid = 0;
    const int err = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (err != 0) return {false, false, fmt::format("cannot run {} '{}': {}", what, args[0], std::strerror(err))};

    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return {false, true, fmt::format("waiting for {}: {}", what, std::strerror(errno))};
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {true, true, {}};
    if (WIFSIGNALED(status)) return {false, true, fmt::format("{} was killed by signal {}", what, WTERMSIG(status))};
    return {false, true, fmt::format("{} failed (exit status {})", what, WEXITSTATUS(status))};
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
