// leld — the lel daemon: a JACK client that plays hot-loaded signal modules
// and takes commands over OSC. This file composes the components and runs
// the control loop; each component says what it does in its header.
//
// Threads: main (this file: setup, OSC, freeing retired programs, draining
// the real-time log), the producer, and JACK's own threads.
#include "commands.hpp"
#include "engine.hpp"
#include "fault_guard.hpp"
#include "frame_clock.hpp"
#include "jack_session.hpp"
#include "log_format.hpp"
#include "module_file.hpp"
#include "module_scratch.hpp"
#include "osc_server.hpp"
#include "playback.hpp"
#include "service_notify.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <csignal>
#include <cstring>
#include <functional>
#include <memory>
#include <poll.h>
#include <sstream>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <thread>
#include <unistd.h>

namespace {

/// MIDI events that can wait for the producer at once (a second of a
/// dense controller stream; more are counted as dropped).
constexpr std::size_t midi_queue_size = 4096;

struct Options {
    uint16_t port = 57140;
    std::string bind = "127.0.0.1";
    std::string name = "lel";
    std::vector<std::string> connect;
    bool no_connect = false;
    uint32_t ring_frames = 0;  // 0: two periods
    std::size_t state_doubles = lel::EngineConfig{}.state_doubles;
    double fade_ms = lel::EngineConfig{}.fade_ms;
    bool fade_given = false;  // --fade-ms was given: it wins over the state directory's
    std::string log_level = "info";
    std::string module_dir;  // resolved by the option; empty: anywhere
    double session_timeout_s = 5.0;  // a session body (and its signals' probes) running longer fails its load
    std::string state_dir;  // empty: lel::default_state_dir(name)
    bool fresh = false;
};

// Locks the process's memory so that page faults cannot stall the real-time
// threads. MCL_FUTURE only where the limit allows it: under a finite
// RLIMIT_MEMLOCK it would make later allocations (dlopen, a bigger
// registry) fail instead.
void lock_memory() {
    rlimit limit{};
    getrlimit(RLIMIT_MEMLOCK, &limit);
    const int flags = limit.rlim_cur == RLIM_INFINITY ? (MCL_CURRENT | MCL_FUTURE) : MCL_CURRENT;
    if (mlockall(flags) != 0) {
        spdlog::warn("mlockall failed: {} (raise memlock in /etc/security/limits.d or LimitMEMLOCK= in the "
                     "unit); carrying on with pageable memory", std::strerror(errno));
    } else if (!(flags & MCL_FUTURE)) {
        spdlog::info("memory locked (current pages only: RLIMIT_MEMLOCK is finite)");
    }
}

int blocked_signal_fd() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);  // every thread created later inherits the mask
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

// The number of a signal that arrived (SIGINT, SIGTERM, SIGHUP), 0 if none.
// Never blocks.
int pending_signal(int signal_fd) {
    if (signal_fd < 0) return 0;
    signalfd_siginfo info{};
    return read(signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info) ? static_cast<int>(info.ssi_signo) : 0;
}

int run(const Options& opt) {
    const int signal_fd = blocked_signal_fd();
    lel::OscServer osc(opt.bind, opt.port);  // first, so a busy port fails before JACK is touched
    if (in_addr a{}; inet_pton(AF_INET, opt.bind.c_str(), &a) != 1 || (ntohl(a.s_addr) >> 24) != 127) {
        spdlog::warn("leld: the OSC port listens on {}, not on a loopback address: anyone who can reach the port "
                     "can run code as this user (/lel/load runs a module's code; there is no authentication)",
                     opt.bind);
    }
    spdlog::info("leld: module copies go to {}", lel::scratch_dir().string());  // also removes dead lelds' ones

    lel::JackSession jack(opt.name);
    lel::Playback::Settings settings;
    settings.period = jack.client()->period();
    settings.ring_frames = opt.ring_frames;
    settings.midi_queue = midi_queue_size;
    settings.engine.sample_rate = jack.client()->sample_rate();
    settings.engine.state_doubles = opt.state_doubles;
    settings.engine.fade_ms = opt.fade_ms;
    settings.engine.module_dir = opt.module_dir;
    settings.engine.state_dir =
        opt.state_dir.empty() ? lel::default_state_dir(opt.name) : std::filesystem::path(opt.state_dir);
    settings.engine.fresh_state = opt.fresh;
    settings.engine.resume_clock = true;  // time, tempo and beat go on where the last leld left them
    settings.engine.fade_from_state = !opt.fade_given;
    // Replaced when the server comes back at another rate or period.
    auto playback = std::make_unique<lel::Playback>(settings);
    spdlog::info("leld: state in {}{}", playback->engine().state_dir().string(),
                 opt.fresh ? " (--fresh: started from nothing)" : "");
    lock_memory();

    // Fault isolation (fault_guard.hpp): a crash, an exit() or an endless
    // loop in a signal mutes that signal; in a session body it fails the
    // load. The watchdog stops a signal's block after a period of CPU time,
    // a session body after --session-timeout.
    lel::fault::install();
    lel::fault::prepare_this_thread();
    lel::fault::watch_this_thread(std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(opt.session_timeout_s)));
    lel::fault::Watchdog watchdog;
    // The watchdog at the backend's priority, one above the producer's: it
    // must wake while a signal loops on the producer's core.
    auto start_playing = [&](uint64_t consumed_before) {
        const auto period_ns =
            std::chrono::nanoseconds(static_cast<int64_t>(1e9 * playback->period() / playback->sample_rate()));
        const int producer_priority = jack.client()->helper_priority();
        watchdog.stop();
        if (const std::string w = watchdog.start(period_ns / 2, producer_priority > 0 ? producer_priority + 1 : 0);
            !w.empty()) {
            spdlog::warn("{}", w);
        }
        if (const std::string w = playback->start(producer_priority, period_ns); !w.empty()) spdlog::warn("{}", w);
        jack.activate(playback->streams(), consumed_before);  // false: it waits for the server again
    };
    // Where the last leld on this state directory (or the playback before
    // this one) was: its names' state is back in the arena; its program
    // plays again, fading in.
    auto resume = [&] {
        if (const lel::ResumeResult resumed = playback->engine().resume(); resumed.names > 0 || resumed.steps > 0) {
            spdlog::info("leld: resumed {} names' state and {} program steps ({} failed): {} signals playing",
                         resumed.names, resumed.steps, resumed.failed, resumed.signals);
        }
    };
    // The ports' frames count from the engine's first frame: not 0 when the
    // clock went on from the state directory (timed bundles and MIDI are
    // stamped in engine frames).
    const uint64_t first_frame = playback->engine().renderer().frame_approx();
    start_playing(first_frame);
    if (!opt.no_connect) {
        for (const std::string& problem : jack.connect(opt.connect)) spdlog::warn("{}", problem);
    }
    resume();

    std::atomic<bool> quit{false};
    lel::CommandContext context{&playback->engine(),
                                [&] {
                                    return lel::RuntimeFigures{playback->period(), playback->depth(),
                                                               playback->block(), jack.underruns(), jack.xruns(),
                                                               jack.client() != nullptr, jack.reconnects()};
                                },
                                [&] { quit.store(true, std::memory_order_relaxed); },
                                std::chrono::milliseconds(2000),
                                {}};
    // Timed bundles: wall-clock time -> engine frame at the ports, through a
    // line fitted to readings taken every turn of the loop (frame_clock.hpp).
    // Every message of a bundle (one time tag) gets the same frame.
    auto frame_clock = std::make_unique<lel::FrameClock>(playback->sample_rate());
    auto read_clock = [&] {
        const int64_t now = lel::wall_ns_now();
        if (!jack.client()) return;
        if (const auto frame = jack.client()->frame_now()) frame_clock->observe(now, static_cast<double>(*frame));
    };
    context.frame_at = [&, last_tag = uint64_t{0}, last_frame = uint64_t{0}](uint64_t tag) mutable
        -> std::optional<uint64_t> {
        if (tag == last_tag) return last_frame;
        read_clock();
        const auto frame = frame_clock->frame_at(lel::unix_ns_of_timetag(tag));
        if (!frame) return std::nullopt;
        last_tag = tag;
        last_frame = *frame > 0.0 ? static_cast<uint64_t>(std::llround(*frame)) : 0;
        return last_frame;
    };
    lel::install_commands(osc, context);

    // JACK server restarts (jack_session.hpp). At the same rate and period
    // the new client pulls from the same ring; at another, a new playback
    // (playback.hpp) takes over: the old one's answers still waiting for a
    // swap go (without a frame), its engine saves the state and program,
    // and the new one resumes them at the new rate.
    auto follow_jack = [&] {
        switch (jack.follow()) {
            case lel::JackSession::Change::none: return;
            case lel::JackSession::Change::lost: return;
            case lel::JackSession::Change::back: break;
        }
        frame_clock->clear();  // the ports' clock jumped
        const lel::JackClient& next = *jack.client();
        if (next.sample_rate() == playback->sample_rate() && next.period() == playback->period()) {
            jack.activate(playback->streams(), jack.consumed_by_lost());
            return;
        }
        spdlog::warn("leld: the JACK server came back at {} Hz, period {} (was {} Hz, period {}): the signals go on "
                     "at the new rate with their state", next.sample_rate(), next.period(), playback->sample_rate(),
                     playback->period());
        for (lel::DeferredReply& d : context.deferred) d.give_up = std::chrono::steady_clock::time_point{};
        lel::flush_deferred(context, osc);
        const lel::Playback::Settings next_settings = playback->follow_on(next.sample_rate(), next.period());
        // The old engine saves and lets go of the state directory before
        // the new one opens it.
        playback.reset();
        playback = std::make_unique<lel::Playback>(next_settings);
        context.engine = &playback->engine();
        frame_clock = std::make_unique<lel::FrameClock>(playback->sample_rate());
        start_playing(next_settings.engine.start_frame);
        resume();
    };

    spdlog::info("leld: JACK client '{}' at {} Hz, period {}, ring {} frames ({:.2f} ms; also the latency from "
                 "in_1/in_2 to out_1/out_2), OSC on udp {}:{}",
                 jack.client()->client_name(), playback->sample_rate(), playback->period(), playback->depth(),
                 1000.0 * playback->depth() / playback->sample_rate(), opt.bind, osc.port());

    // systemd (service_notify.hpp): ready now that the client is active and
    // the producer runs; a status line for `systemctl --user status lel`;
    // WATCHDOG=1 only while the producer and the callback both move, or
    // while leld waits for its JACK server to come back.
    const lel::ServiceNotifier service;
    auto status_line = [&] {
        const lel::Engine& engine = playback->engine();
        return fmt::format("{} signals playing ({} muted), {} loads, {} underruns, {} xruns; JACK '{}', OSC {}:{}",
                           engine.signals(), engine.muted(), engine.loads(), jack.underruns(), jack.xruns(),
                           jack.client() ? jack.client()->client_name() : opt.name + " (waiting for the server)",
                           opt.bind, osc.port());
    };
    std::string last_status = status_line();
    service.send("READY=1\nSTATUS=" + last_status);
    using Clock = std::chrono::steady_clock;
    Clock::time_point next_watchdog = Clock::now(), next_status = Clock::now() + std::chrono::seconds(1);
    uint64_t watched_frames = playback->engine().renderer().frame_approx(), watched_cycles = jack.client()->cycles();
    auto tell_service = [&] {
        const Clock::time_point now = Clock::now();
        if (service.watchdog() && now >= next_watchdog) {
            const uint64_t frames = playback->engine().renderer().frame_approx();
            const uint64_t cycles = jack.client() ? jack.client()->cycles() : watched_cycles;
            // Waiting for a server that went away is not a stall: this loop,
            // which would come back to it, is what moves.
            const bool waiting = !jack.client();
            if (waiting || (frames != watched_frames && cycles != watched_cycles)) service.send("WATCHDOG=1");
            watched_frames = frames;
            watched_cycles = cycles;
            next_watchdog = now + *service.watchdog() / 2;
        }
        if (service.enabled() && now >= next_status) {
            if (std::string line = status_line(); line != last_status) {
                service.send("STATUS=" + line);
                last_status = std::move(line);
            }
            next_status = now + std::chrono::seconds(1);
        }
    };

    // Stopping (a signal or /lel/quit) comes first, whatever the traffic:
    // the loop looks at it before every datagram it handles and between
    // the messages of a bundle, and handles at most max_datagrams per turn
    // before it frees programs and sends the answers that were waiting for
    // a swap.
    int status = 0;
    auto stopping = [&] {
        if (quit.load(std::memory_order_relaxed)) return true;
        if (const int signo = pending_signal(signal_fd)) {
            spdlog::info("leld: signal {}, stopping", signo);
            quit.store(true, std::memory_order_relaxed);
            return true;
        }
        return false;
    };
    osc.interrupt_when(stopping);
    while (!stopping()) {
        // While answers wait for a swap (at most a block away), look again
        // within a millisecond; otherwise sleep until a datagram or a signal.
        const int wait_ms = context.deferred.empty() ? 100 : 1;
        pollfd fds[2] = {{osc.fd(), POLLIN, 0}, {signal_fd, POLLIN, 0}};
        if (poll(fds, signal_fd >= 0 ? 2 : 1, wait_ms) < 0 && errno != EINTR) {
            spdlog::error("poll failed: {}", std::strerror(errno));
            status = 1;
            break;
        }
        constexpr int max_datagrams = 64;
        for (int n = 0; n < max_datagrams && !stopping() && osc.try_receive_one(); ++n) {
            lel::flush_deferred(context, osc);
        }
        playback->engine().collect();
        lel::flush_deferred(context, osc);
        read_clock();
        context.subscribers.report_mutes(osc, playback->engine());
        context.subscribers.report_glitches(osc, jack.underruns(), jack.xruns());
        try {
            follow_jack();
        } catch (const std::exception& e) {
            // A state directory that cannot be opened again for the new
            // rate: stop, and let the service manager start leld again.
            spdlog::error("leld: cannot play on after the JACK server came back: {}", e.what());
            status = 1;
            break;
        }
        tell_service();
    }
    service.send("STOPPING=1\nSTATUS=stopping");
    context.subscribers.send(osc, lel::event("quit"));

    // If the JACK server is going down at the same moment, libjack can wait
    // for it forever; a stopping daemon must not hang its service manager.
    std::thread([] {
        std::this_thread::sleep_for(std::chrono::seconds(5));
        spdlog::error("leld: shutdown did not finish in 5 s (JACK server gone?); exiting anyway");
        spdlog::shutdown();
        _exit(3);
    }).detach();
    // The callback reads the ring and wakes the producer: stop it first.
    if (jack.client()) jack.client()->deactivate();
    // (No playback when a new one could not be made after the server came back.)
    const uint64_t frames = playback ? playback->engine().renderer().frame_approx() : 0;
    playback.reset();  // the producer stops; the engine saves the state
    spdlog::info("leld: stopped after {} frames, {} underruns, {} xruns", frames, jack.underruns(), jack.xruns());
    if (signal_fd >= 0) close(signal_fd);
    return status;
}

}  // namespace

// exit() called by a session body or a signal is caught where it is called
// (leld's exit() below and fault_guard.hpp): that load fails, that signal is
// muted. From code leld does not guard (a module's static constructor, a
// thread a module started) or through quick_exit(), leld would end with
// whatever status it chose, 0 included, and a service manager that restarts
// leld on failure would not. leld itself only ever leaves by returning from
// main(), so an exit handler that runs before that is such a call: it logs
// why leld stops and exits with status 70 (EX_SOFTWARE). (Nothing can catch
// _exit(); see README.md, "Known limits".)
constexpr int exit_called_by_module = 70;
std::atomic<bool> leaving_main{false};

void on_exit_from_elsewhere() {
    if (leaving_main.load(std::memory_order_acquire)) return;
    spdlog::critical("leld: exit() was called by a loaded module's code outside a session body or a signal, not by "
                     "leld; stopping with status {} "
                     "so that a service manager restarts it", exit_called_by_module);
    spdlog::shutdown();
    _exit(exit_called_by_module);
}

// leld's exit(), which every module's exit() binds to (meson.build exports
// it): inside a guarded call (a session body, a signal's block) it ends
// that call instead of the process, so the load fails or the signal is
// muted (fault_guard.hpp); anywhere else it is the C library's.
extern "C" void exit(int status) noexcept { lel::fault::exit_called(status); }

int main(int argc, char** argv) {
    Options opt;
    CLI::App app{"leld: the lel live-coding audio daemon (a JACK client that plays hot-loaded C++ signals)"};
    app.add_option("-p,--port", opt.port, "OSC control port (UDP)")->capture_default_str();
    app.add_option("--bind", opt.bind,
                   "address the OSC port listens on; loading a module runs its code, so only bind a "
                   "non-local address on a network you trust")->capture_default_str();
    app.add_option("--module-dir", opt.module_dir,
                   "load modules only from under this directory (which must pass the module trust rule)")
        ->transform([](const std::string& dir) {
            try {
                return lel::resolve_module_dir(dir).string();
            } catch (const std::exception& e) {
                throw CLI::ValidationError(e.what());
            }
        });
    app.add_option("-n,--name", opt.name, "JACK client name")->capture_default_str();
    app.add_option("-c,--connect", opt.connect,
                   "JACK ports to connect out_1 and out_2 to (default: the first two physical playbacks)");
    app.add_flag("--no-connect", opt.no_connect, "leave the ports unconnected");
    app.add_option("-r,--ring", opt.ring_frames,
                   "ring depth in frames: the latency lel adds on top of JACK's (default: two periods)");
    app.add_option("-s,--state-size", opt.state_doubles, "state arena size, in doubles")->capture_default_str();
    app.add_option("-f,--fade-ms", opt.fade_ms,
                   "fade time for signals that appear, disappear or crossfade, in ms (0: none)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 10000.0));
    app.add_option("--session-timeout", opt.session_timeout_s,
                   "seconds a session body (and its signals' first samples) may run before its load fails")
        ->capture_default_str()
        ->check(CLI::Range(0.1, 3600.0));
    app.add_option("--state-dir", opt.state_dir,
                   "where the state arena, its names and the program playing outlive leld (default: "
                   "$XDG_RUNTIME_DIR/lel/<name>)");
    app.add_flag("--fresh", opt.fresh, "start from nothing: wipe the state directory's arena, names and program");
    app.add_option("-l,--log-level", opt.log_level, "trace, debug, info, warn, error")
        ->capture_default_str()
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    CLI11_PARSE(app, argc, argv);
    opt.fade_given = app.count("--fade-ms") > 0;

    spdlog::set_level(spdlog::level::from_str(opt.log_level));
    lel::install_log_format();
    std::atexit(on_exit_from_elsewhere);
    std::at_quick_exit(on_exit_from_elsewhere);
    struct LeavingMain {
        ~LeavingMain() { leaving_main.store(true, std::memory_order_release); }
    } leaving;
    try {
        return run(opt);
    } catch (const lel::JackError& e) {
        // Its advice spans lines: one log line each.
        std::istringstream lines(e.what());
        for (std::string line; std::getline(lines, line);) spdlog::error("{}", line);
        return 2;
    } catch (const std::exception& e) {
        spdlog::error("leld: {}", e.what());
        return 1;
    }
}
