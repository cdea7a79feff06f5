// leld under systemd's eye (issue 11), without systemd: the test is the
// service manager. It binds the AF_UNIX datagram socket it names in
// NOTIFY_SOCKET, with WATCHDOG_USEC = 200 ms, and reads what leld tells it:
// READY=1 with a STATUS= line once it plays, WATCHDOG=1 about every 100 ms
// while the producer and JACK's callback move, none while the JACK server
// is stopped (SIGSTOP: the callback and with it the producer stand still),
// again once it runs on, and while leld waits for a server that went away
// (SIGTERM: leld knows it waits), and STOPPING=1 when leld quits.
#include "live.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace lel::test {
namespace {

using Clock = std::chrono::steady_clock;

/// The service manager's end of NOTIFY_SOCKET.
class NotifySocket {
public:
    explicit NotifySocket(const std::filesystem::path& path) : path_(path) {
        fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
        if (fd_ < 0 || bind(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
            throw HarnessError("cannot bind the notify socket " + path.string());
        }
    }
    ~NotifySocket() {
        close(fd_);
        std::filesystem::remove(path_);
    }

    /// Every datagram that arrives within `time`, in order.
    std::vector<std::string> read_for(std::chrono::milliseconds time) {
        std::vector<std::string> got;
        const auto until = Clock::now() + time;
        for (auto now = Clock::now(); now < until; now = Clock::now()) {
            pollfd p{fd_, POLLIN, 0};
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count();
            if (poll(&p, 1, static_cast<int>(left) + 1) <= 0) continue;
            char buffer[4096];
            const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
            if (n > 0) got.emplace_back(buffer, static_cast<std::size_t>(n));
        }
        return got;
    }

private:
    std::filesystem::path path_;
    int fd_ = -1;
};

std::size_t count_of(const std::vector<std::string>& messages, std::string_view what) {
    std::size_t n = 0;
    for (const auto& m : messages) n += m.find(what) != std::string::npos ? 1 : 0;
    return n;
}

class Service : public LiveLeld {
protected:
    Service() : socket_path_(dir_.path() / "notify.sock") {
        leld_env_ = {{"NOTIFY_SOCKET", socket_path_.string()}, {"WATCHDOG_USEC", "200000"}};
    }
    std::filesystem::path socket_path_;
};

TEST_F(Service, ready_status_a_watchdog_that_stops_with_the_audio_and_stopping) {
    std::optional<NotifySocket> manager;
    manager.emplace(socket_path_);  // before leld starts (run() starts it)
    run([&] {
        std::vector<std::string> got = manager->read_for(1000ms);
        ASSERT_FALSE(got.empty()) << "nothing on NOTIFY_SOCKET";
        EXPECT_NE(got[0].find("READY=1"), std::string::npos) << got[0];
        EXPECT_NE(got[0].find("STATUS=0 signals playing"), std::string::npos) << got[0];
        const std::size_t pings = count_of(got, "WATCHDOG=1");
        std::printf("in 1 s: %zu WATCHDOG=1 (WATCHDOG_USEC 200 ms: one every 100 ms)\n", pings);
        EXPECT_GE(pings, 7u);
        EXPECT_LE(pings, 11u);

        load_frame(osc(), module_path("sine_440").string());
        got = manager->read_for(1500ms);
        EXPECT_GE(count_of(got, "STATUS=1 signals playing"), 1u) << "the status line follows what plays";

        // The JACK server stopped: no callback, no producer progress, no WATCHDOG=1.
        kill(jack_->process().pid(), SIGSTOP);
        manager->read_for(150ms);  // what was on its way
        got = manager->read_for(1000ms);
        kill(jack_->process().pid(), SIGCONT);
        std::printf("in 1 s with the JACK server stopped: %zu WATCHDOG=1\n", count_of(got, "WATCHDOG=1"));
        EXPECT_EQ(count_of(got, "WATCHDOG=1"), 0u) << "the watchdog was fed while the audio stood still";
        got = manager->read_for(1000ms);
        EXPECT_GE(count_of(got, "WATCHDOG=1"), 5u) << "the watchdog is fed again once the audio runs";

        // The JACK server gone (it shut its clients down): leld knows it
        // waits for it, and is not stuck; the watchdog is fed.
        kill(jack_->process().pid(), SIGTERM);
        ASSERT_TRUE(jack_->process().wait_for(5000ms)) << "jackd did not stop";
        const std::vector<std::string> first = manager->read_for(300ms);
        got = manager->read_for(1000ms);
        std::printf("in 1 s waiting for a JACK server that went away: %zu WATCHDOG=1\n", count_of(got, "WATCHDOG=1"));
        EXPECT_GE(count_of(got, "WATCHDOG=1"), 5u) << "the watchdog went quiet while leld waited for its server";
        EXPECT_GE(count_of(first, "waiting for the server") + count_of(got, "waiting for the server"), 1u)
            << "the status line does not say it waits";

        call(OscOut("/lel/quit"));
        got = manager->read_for(1000ms);
        EXPECT_GE(count_of(got, "STOPPING=1"), 1u);
    });
}

}  // namespace
}  // namespace lel::test
