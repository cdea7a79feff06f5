// bench/realtime/watch_latency — the time from saving a session file to
// hearing the change, with `lel watch` running on that file.
//
//     watch_latency --file sine.cpp --client lel-private-123 [--repeats 10] [--freqs 440,550,660]
//
// The file must contain the first frequency as a literal ("440.0"); `lel
// watch` must already be playing it. The tool records leld's ports (a JACK
// client, tests/integration/capture.hpp), waits for a steady tone at the
// first frequency, then, per repeat, rewrites the file in place with the
// literal changed to the next frequency (write, fsync, close) and finds the
// first cycle of the new tone in the recording: three upward zero crossings
// in a row whose period is nearest the new frequency, the change being the
// first of them. Resolution: one cycle (1.5 to 2.3 ms here).
//
// Clocks: both ends are jack_get_time() (JACK's microsecond clock): the
// save time is read just before the write; a sample's time is read when the
// tool polls the recording, as "now" for its newest sample minus the frames
// that came after it. Capture's per-cycle JACK frame times cannot be used:
// it loses a period at each xrun, and this machine has them. The newest
// sample is in fact from the cycle that started up to one period (1.33 ms)
// earlier, so the figures can be that much early; a sample reaches a
// speaker one period or so after its cycle, which they do not include.
//
// Prints `key value` lines (watch_save_to_sound_<i>_ms, _median_ms,
// _p95_ms, _min_ms, _max_ms) and `# ` human lines. A benchmark: it fails (exit 1) only
// when the change never sounds, lel watch or leld having failed.
#include "analysis.hpp"
#include "capture.hpp"
#include "harness.hpp"
#include "../stats.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <jack/jack.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using lel::bench::percentile;

// Rewrites `path` in place with `text`, as an editor saving in place does;
// the data is on disk (fsync) and the file closed when this returns.
void write_file(const std::string& path, const std::string& text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC);
    if (fd < 0) throw std::runtime_error("cannot open " + path);
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error("cannot write " + path);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The candidate nearest `hz` in pitch.
double nearest(double hz, const std::vector<double>& candidates) {
    return *std::min_element(candidates.begin(), candidates.end(), [&](double a, double b) {
        return std::abs(std::log(hz / a)) < std::abs(std::log(hz / b));
    });
}

// The fractional index (into `x`) of the first upward crossing that starts
// `run` consecutive cycles whose period is nearest `target` among
// `candidates`; nullopt if there is none yet.
std::optional<double> first_run_of(std::span<const float> x, double rate, double target,
                                   const std::vector<double>& candidates, std::size_t run) {
    const std::vector<double> at = lel::test::upward_crossings(x);
    std::size_t streak = 0;
    for (std::size_t i = 1; i < at.size(); ++i) {
        streak = nearest(rate / (at[i] - at[i - 1]), candidates) == target ? streak + 1 : 0;
        if (streak == run) return at[i - run];
    }
    return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
    std::string file;
    std::string client;
    int repeats = 10;
    std::vector<double> freqs{440.0, 550.0, 660.0};
    double timeout_s = 20.0;
    double settle_s = 0.3;
    CLI::App app{"Time from saving a session under `lel watch` to its sound at leld's port"};
    app.add_option("-f,--file", file, "the session file lel watch is watching")->required();
    app.add_option("-c,--client", client, "leld's JACK client name")->required();
    app.add_option("-n,--repeats", repeats, "saves to time")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--freqs", freqs, "frequencies to cycle through; the file holds the first")
        ->capture_default_str()
        ->expected(2, 16);
    app.add_option("--timeout", timeout_s, "seconds to wait for one change")->capture_default_str();
    app.add_option("--settle", settle_s, "seconds between a change and the next save")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    try {
        const std::string original = read_file(file);
        const std::string token = fmt::format("{:.1f}", freqs[0]);
        const std::size_t token_at = original.find(token);
        if (token_at == std::string::npos) throw std::runtime_error(fmt::format("{} does not contain {}", file, token));

        // Room for the start-up and every repeat at its timeout, bounded.
        const double seconds = std::min(600.0, 30.0 + repeats * (settle_s + std::min(timeout_s, 8.0)));
        lel::test::Capture capture(client, seconds);
        const double rate = capture.sample_rate();

        // A steady tone at the first frequency before the first save.
        const auto steady_by = lel::test::Clock::now() + std::chrono::duration<double>(timeout_s);
        for (;;) {
            const std::size_t end = capture.frames_approx();
            const lel::test::Take t = capture.take(end - std::min(end, static_cast<std::size_t>(0.2 * rate)), end);
            const auto at = first_run_of(t.left, rate, freqs[0], freqs, 40);
            if (at && *at < 0.1 * rate) break;
            if (lel::test::Clock::now() > steady_by) throw std::runtime_error("no steady tone at the first frequency");
            std::this_thread::sleep_for(20ms);
        }

        std::vector<double> ms;
        for (int i = 0; i < repeats; ++i) {
            const double hz = freqs[static_cast<std::size_t>(i + 1) % freqs.size()];
            std::string text = original;
            text.replace(token_at, token.size(), fmt::format("{:.1f}", hz));
            const std::size_t from = capture.frames_approx();  // all recorded before the save
            const double t0 = static_cast<double>(jack_get_time());
            write_file(file, text);
            const auto deadline = lel::test::Clock::now() + std::chrono::duration<double>(timeout_s);
            std::optional<double> at;
            std::size_t end = 0;
            double now = 0.0;
            for (;;) {
                end = capture.frames_approx();
                now = static_cast<double>(jack_get_time());
                if ((at = first_run_of(capture.take(from, end).left, rate, hz, freqs, 3))) break;
                if (capture.overflowed()) throw std::runtime_error("the recording is full: fewer repeats");
                if (lel::test::Clock::now() > deadline)
                    throw std::runtime_error(fmt::format("save {}: no {} Hz within {} s", i + 1, hz, timeout_s));
                std::this_thread::sleep_for(10ms);
            }
            const double change = now - (static_cast<double>(end - from) - *at) * 1e6 / rate;
            ms.push_back((change - t0) / 1000.0);
            fmt::print("watch_save_to_sound_{}_ms {:.1f}\n", i + 1, ms.back());
            std::fflush(stdout);
            std::this_thread::sleep_for(std::chrono::duration<double>(settle_s));
        }

        fmt::print("watch_save_to_sound_median_ms {:.1f}\n", percentile(ms, 0.5));
        fmt::print("watch_save_to_sound_p95_ms {:.1f}\n", percentile(ms, 0.95));
        fmt::print("watch_save_to_sound_min_ms {:.1f}\n", percentile(ms, 0.0));
        fmt::print("watch_save_to_sound_max_ms {:.1f}\n", percentile(ms, 1.0));
        fmt::print("watch_capture_xruns {}\n", capture.xruns());
        fmt::print("# save -> sound under lel watch over {} saves: median {:.1f} ms, p95 {:.1f} ms, "
                   "min {:.1f} ms, max {:.1f} ms\n",
                   ms.size(), percentile(ms, 0.5), percentile(ms, 0.95), percentile(ms, 0.0), percentile(ms, 1.0));
    } catch (const std::exception& e) {
        fmt::print(stderr, "watch_latency: {}\n", e.what());
        return 1;
    }
    return 0;
}
