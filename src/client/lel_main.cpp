// lel — the command-line client: builds session files into modules, tells
// leld what to do with them over OSC, and renders them offline to WAV. This
// file is the command line; each component says what it does in its header.
//
// Exit status: 0 done, 1 leld said no (/lel/fail) or `lel render` failed
// (the module did not load, its session registered nothing, the file could
// not be written), 2 usage or build error, 3 no answer from leld.
//
// Threads: one. Ctrl-C keeps its default action (it ends `lel watch`, and
// the compiler with it: they share the terminal's process group), except
// during a render, which it stops cleanly so that no temporary file stays.
#include "config.hpp"
#include "offline_render.hpp"
#include "remote_commands.hpp"
#include "session_builder.hpp"
#include "watcher.hpp"

#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <optional>
#include <ctime>

namespace {

namespace fs = std::filesystem;
using namespace lel::client;

struct Options {
    std::string file;
    std::string output;
    std::string name;
    bool force = false;
    bool verbose = false;
    Remote remote;
    double timeout_s = 5.0;
    LoadOptions load;
    double value = 0.0;  // tempo's bpm, fade's ms
    std::vector<std::string> words;  // set/trig: parameter names and values
    std::string param;               // get
    std::optional<double> lag;       // set --lag
    // render
    std::string wav;
    double seconds = 0.0;
    uint32_t rate = 48000;
    uint32_t block = 64;
    std::optional<double> fade_ms;
    std::string format = "float";
    bool quiet = false;
    bool stats = false;
};

// An offline render is bounded so that a typo cannot fill the disk for days.
constexpr double max_render_seconds = 24.0 * 3600.0;

// A quantized load is answered only once it lands, up to a whole quantum
// (bars, at a slow tempo) later: without --timeout, wait this long for it.
constexpr double quantized_load_timeout_s = 60.0;

// Builds `source` if needed and says so; true when there is a module to load.
bool build(const SessionBuilder& builder, const fs::path& source, const Options& opt, bool force,
           bool quiet_if_current) {
    const BuildResult r = builder.build(source, opt.output, force, opt.verbose);
    fmt::print(stderr, "{}", r.diagnostics);  // the compiler's errors (or warnings), cut down unless -v
    switch (r.outcome) {
        case BuildResult::Outcome::built:
            if (!opt.quiet) fmt::print("built {} in {:.2f} s\n", r.module.string(), r.seconds);
            break;
        case BuildResult::Outcome::up_to_date:
            if (!quiet_if_current && !opt.quiet) fmt::print("{} is up to date\n", r.module.string());
            break;
        case BuildResult::Outcome::failed:
            fmt::print(stderr, "lel: build of {} failed: {}\n", source.string(), r.message);
            break;
    }
    std::fflush(stdout);
    return static_cast<bool>(r);
}

int build_command(const Options& opt) {
    if (!is_session_source(opt.file)) {
        fmt::print(stderr, "lel: build needs a session source file (.cpp), got '{}'\n", opt.file);
        return exit_usage;
    }
    const SessionBuilder builder(Toolchain::find());
    return build(builder, opt.file, opt, opt.force, false) ? exit_ok : exit_usage;
}

int load_command(const Options& opt) {
    if (!is_session_source(opt.file)) return remote_load(opt.remote, opt.file, opt.load);
    const SessionBuilder builder(Toolchain::find());
    if (!build(builder, opt.file, opt, opt.force, true)) return exit_usage;  // nothing sent: the old sound plays on
    return remote_load(opt.remote, default_module_path(opt.file), opt.load);
}

int watch_command(const Options& opt) {
    const fs::path source = opt.file;
    if (!is_session_source(source) || !fs::is_regular_file(source)) {
        fmt::print(stderr, "lel: watch needs a session source file (.cpp), got '{}'\n", opt.file);
        return exit_usage;
    }
    const SessionBuilder builder(Toolchain::find());
    const fs::path module = default_module_path(source);
    try {
        // The session and the headers of the user's it includes, as its last
        // build read them; watched from before the first build, so that no
        // save is missed, and again after every build (includes change).
        std::vector<fs::path> files = builder.user_files(source, module);
        auto watcher = std::make_unique<FileWatcher>(files);
        fmt::print("watching {} (Ctrl-C to stop)\n", source.string());
        builder.precompiled_header(opt.verbose);  // now, even if the module is current: the first save is fast
        bool force = opt.force;
        for (;;) {
            if (build(builder, source, opt, force, true)) remote_load(opt.remote, module, opt.load);
            std::fflush(stdout);
            if (auto now = builder.user_files(source, module); now != files) {
                files = std::move(now);
                watcher = std::make_unique<FileWatcher>(files);
                if (opt.verbose) fmt::print("watching {} files\n", files.size());
            }
            do {
                watcher->wait_change();
            } while (!fs::exists(source));  // mid-save: the new file is not there yet
            std::string saved;
            for (const fs::path& f : watcher->changed()) saved += (saved.empty() ? "" : ", ") + f.filename().string();
            fmt::print("\n--- {:%H:%M:%S} {} saved\n", fmt::localtime(std::time(nullptr)), saved);
            force = true;  // a save always reloads, even one that changed nothing
        }
    } catch (const WatchError& e) {
        fmt::print(stderr, "lel: {}\n", e.what());
        return exit_usage;
    }
}

std::atomic<bool> render_cancelled{false};

// The module `lel render` runs: the file itself, or the module built from
// it if it is a session source. nullopt after saying why not.
std::optional<fs::path> module_to_render(const Options& opt) {
    std::error_code ec;
    if (!fs::is_regular_file(opt.file, ec)) {
        fmt::print(stderr, "lel: render needs a session source (.cpp) or module (.so); no file '{}'\n", opt.file);
        return std::nullopt;
    }
    if (!is_session_source(opt.file)) return fs::path(opt.file);
    const SessionBuilder builder(Toolchain::find());
    if (!build(builder, opt.file, opt, opt.force, true)) return std::nullopt;
    return default_module_path(opt.file);
}

int render_command(const Options& opt) {
    const double one_frame = 1.0 / opt.rate;
    if (!(opt.seconds >= one_frame && opt.seconds <= max_render_seconds)) {
        fmt::print(stderr, "lel: --seconds must be at least one frame ({:g} s at {} Hz) and at most {:g} (24 h), got {:g}\n",
                   one_frame, opt.rate, max_render_seconds, opt.seconds);
        return exit_usage;
    }
    const std::optional<fs::path> module = module_to_render(opt);
    if (!module) return exit_usage;

    RenderOptions render;
    render.module = *module;
    render.output = opt.wav;
    render.frames = static_cast<uint64_t>(std::llround(opt.seconds * opt.rate));
    render.sample_rate = opt.rate;
    render.block = opt.block;
    render.fade_ms = opt.fade_ms;
    render.format = parse_sample_format(opt.format).value_or(SampleFormat::float32);  // CLI checked the name
    render.cancel = &render_cancelled;
    // The engine reports muted signals through spdlog: to stderr, so that
    // stdout holds only the figures.
    spdlog::set_default_logger(spdlog::stderr_color_st("lel-render"));
    spdlog::set_pattern("lel: %v");
    for (const int s : {SIGINT, SIGTERM}) std::signal(s, [](int) { render_cancelled.store(true, std::memory_order_relaxed); });

    const RenderResult r = render_offline(render);
    if (!r) {
        fmt::print(stderr, "lel: render of {} failed: {}\n", opt.file, r.message);
        return exit_failed;
    }
    if (!opt.quiet) fmt::print("{}\n", summary_line(render, r));
    if (opt.stats) fmt::print("{}", stats_lines(r));
    return exit_ok;
}

void add_render_options(CLI::App* command, Options& opt) {
    command->add_option("--seconds", opt.seconds, "how much to render (at most 24 h)")->required();
    command->add_option("-o,--output", opt.wav, "the WAV file to write (replaced only once complete)")->required();
    command->add_option("--rate", opt.rate, "sample rate in Hz")->capture_default_str()->check(CLI::Range(1000, 768000));
    command->add_option("--block", opt.block, "frames per block, as leld renders a JACK period")
        ->capture_default_str()
        ->check(CLI::Range(1, 8192));
    command->add_option("--fade-ms", opt.fade_ms, "fade-in time of the session's signals, in ms (default: leld's)")
        ->check(CLI::Range(0.0, 10000.0));
    command->add_option("--format", opt.format, "sample format")
        ->capture_default_str()
        ->check(CLI::IsMember({"float", "pcm16", "pcm24"}));
    command->add_flag("--quiet", opt.quiet, "print nothing on success but --stats");
    command->add_flag("--stats", opt.stats,
                      "also print `key value` lines: render_cpu_s, render_wall_s, frames, signals, faults");
}

void add_load_options(CLI::App* command, Options& opt) {
    command->add_option("-q,--quant", opt.load.quantum,
                        "swap on the next multiple of Q frames (Q beats once `lel tempo` is set); "
                        "waits for the swap (timeout 60 s unless --timeout)")
        ->check(CLI::PositiveNumber);
    command->add_flag("-x,--crossfade", opt.load.crossfade,
                      "give changed signals fresh state and crossfade to them");
}

// $LEL_PORT / $LEL_HOST for the options `command` was not given. False
// (after saying why) for a LEL_PORT that is not a port.
bool remote_from_environment(const CLI::App* command, Remote& remote) {
    const char* port = std::getenv("LEL_PORT");
    if (port && *port && command->count("--port") == 0) {
        char* end = nullptr;
        const long p = std::strtol(port, &end, 10);
        if (*end != '\0' || p < 1 || p > 65535) {
            fmt::print(stderr, "lel: LEL_PORT='{}' is not a UDP port (1 to 65535)\n", port);
            return false;
        }
        remote.port = static_cast<uint16_t>(p);
    }
    const char* host = std::getenv("LEL_HOST");
    if (host && *host && command->count("--host") == 0) remote.host = host;
    return true;
}

void add_remote_options(CLI::App* command, Options& opt) {
    // $LEL_PORT and $LEL_HOST are read after parsing (remote_from_environment):
    // CLI11's envname would let them override an explicit --port/--host.
    command->add_option("-p,--port", opt.remote.port, "leld's OSC port (UDP; default $LEL_PORT, else 57140)")
        ->capture_default_str();
    command->add_option("-H,--host", opt.remote.host, "leld's address (default $LEL_HOST, else 127.0.0.1)")
        ->capture_default_str();
    command->add_option("-t,--timeout", opt.timeout_s, "seconds to wait for leld's answer")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
}

void add_build_options(CLI::App* command, Options& opt, const char* file_is, bool with_output) {
    command->add_option("file", opt.file, file_is)->required();
    if (with_output) command->add_option("-o,--output", opt.output, "module to write (default: FILE with .so)");
    command->add_flag("-f,--force", opt.force, "build even if the module is newer than the source");
    command->add_flag("-v,--verbose", opt.verbose, "print the compiler command and all of its output");
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    CLI::App app{"lel: build live-coding sessions and control the lel daemon (leld)"};
    app.set_version_flag("--version", fmt::format("lel {}", lel::config::version));
    app.require_subcommand(1);

    CLI::App* build_cmd = app.add_subcommand("build", "compile a session into a module: FILE.cpp -> FILE.so");
    add_build_options(build_cmd, opt, "session source (.cpp)", true);
    CLI::App* load_cmd = app.add_subcommand("load", "(build if needed and) load a session into leld");
    add_build_options(load_cmd, opt, "session source (.cpp) or module (.so)", false);
    CLI::App* watch_cmd = app.add_subcommand("watch", "build and load a session, then again on every save");
    add_build_options(watch_cmd, opt, "session source (.cpp)", false);
    for (CLI::App* c : {load_cmd, watch_cmd}) add_load_options(c, opt);
    CLI::App* tempo_cmd = app.add_subcommand("tempo", "set the tempo: load quanta then count beats (0: frames)");
    tempo_cmd->add_option("bpm", opt.value, "beats per minute, or 0")->required()->check(CLI::Range(0.0, 10000.0));
    CLI::App* fade_cmd = app.add_subcommand("fade", "set the fade time of signals that appear, go or crossfade");
    fade_cmd->add_option("ms", opt.value, "milliseconds")->required()->check(CLI::Range(0.0, 10000.0));
    CLI::App* set_cmd = app.add_subcommand("set", "set parameters of a signal (lel::param): lel set bass cutoff 1200");
    CLI::App* trig_cmd = app.add_subcommand("trig", "trigger parameters of a signal for one sample: lel trig bass gate");
    for (CLI::App* c : {set_cmd, trig_cmd}) {
        c->add_option("signal", opt.name, "the signal's name")->required();
        c->add_option("pairs", opt.words, "parameter names and values")->required();
    }
    set_cmd->add_option("--lag", opt.lag, "seconds the change takes (instead of the code's lag)");
    CLI::App* get_cmd = app.add_subcommand("get", "print a signal's parameter");
    get_cmd->add_option("signal", opt.name, "the signal's name")->required();
    get_cmd->add_option("param", opt.param, "the parameter's name")->required();
    CLI::App* params_cmd = app.add_subcommand("params", "list every parameter of every signal");
    CLI::App* clear_cmd = app.add_subcommand("clear", "remove every signal (state is kept)");
    CLI::App* remove_cmd = app.add_subcommand("remove", "remove one signal");
    remove_cmd->add_option("name", opt.name, "the signal's name")->required();
    CLI::App* reset_cmd = app.add_subcommand("reset", "remove every signal and wipe all state");
    CLI::App* status_cmd = app.add_subcommand("status", "print leld's figures");
    CLI::App* ping_cmd = app.add_subcommand("ping", "check that leld answers");
    CLI::App* quit_cmd = app.add_subcommand("quit", "stop leld");
    CLI::App* render_cmd = app.add_subcommand("render", "render a session offline, as fast as possible, to a WAV file");
    add_build_options(render_cmd, opt, "session source (.cpp, built if needed) or module (.so)", false);
    add_render_options(render_cmd, opt);
    for (CLI::App* c : {load_cmd, watch_cmd, tempo_cmd, fade_cmd, set_cmd, trig_cmd, get_cmd, params_cmd, clear_cmd,
                        remove_cmd, reset_cmd, status_cmd, ping_cmd, quit_cmd}) {
        add_remote_options(c, opt);
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? exit_ok : exit_usage;
    }
    if (!app.get_subcommands().empty() && !remote_from_environment(app.get_subcommands().front(), opt.remote)) {
        return exit_usage;
    }
    if (opt.load.quantum && app.get_subcommands().front()->count("--timeout") == 0) {
        opt.timeout_s = quantized_load_timeout_s;
    }
    opt.remote.timeout = std::chrono::milliseconds(static_cast<int64_t>(opt.timeout_s * 1000.0));

    if (build_cmd->parsed()) return build_command(opt);
    if (load_cmd->parsed()) return load_command(opt);
    if (watch_cmd->parsed()) return watch_command(opt);
    if (render_cmd->parsed()) return render_command(opt);
    if (clear_cmd->parsed()) return remote_clear(opt.remote);
    if (remove_cmd->parsed()) return remote_remove(opt.remote, opt.name);
    if (reset_cmd->parsed()) return remote_reset(opt.remote);
    if (status_cmd->parsed()) return remote_status(opt.remote);
    if (ping_cmd->parsed()) return remote_ping(opt.remote);
    if (quit_cmd->parsed()) return remote_quit(opt.remote);
    if (tempo_cmd->parsed()) return remote_tempo(opt.remote, opt.value);
    if (fade_cmd->parsed()) return remote_fade(opt.remote, opt.value);
    if (set_cmd->parsed()) return remote_set(opt.remote, opt.name, opt.words, opt.lag, false);
    if (trig_cmd->parsed()) return remote_set(opt.remote, opt.name, opt.words, std::nullopt, true);
    if (get_cmd->parsed()) return remote_get(opt.remote, opt.name, opt.param);
    if (params_cmd->parsed()) return remote_params(opt.remote);
    return exit_usage;
}
