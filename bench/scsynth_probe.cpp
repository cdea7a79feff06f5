// bench/scsynth_probe — scsynth's CPU cost per oscillator-sample, the peer
// figure for lel's: N SinOsc summed to stereo, rendered in NRT mode at 48 kHz.
// For each N, the median over R runs of the scsynth process's CPU time, as
// nanoseconds per oscillator-sample, raw and with the median of an empty
// render (same length, no node) subtracted, which removes startup (plugin
// loading), the per-block engine loop and the WAV writing.
//
//     scsynth_probe --variant synths --seconds 8 --repeat 3 1 64 512
//
// Startup costs about 75 ms of CPU and varies by tens of ms from run to run,
// while one oscillator costs about 2 ns a sample: at small N, 10 s of audio
// measures only that noise. --osc-seconds X renders max(seconds, X / N)
// seconds for each N (and its baseline at the same length), e.g. X = 500
// gives N = 1 a 500 s render (a 190 MB WAV, overwritten run after run).
//
// A benchmark, not a test: it prints figures and fails only when scsynth does
// (missing, non-zero exit, or an output without the sines).
#include "scsynth_nrt.hpp"
#include "stats.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using lel::bench::ScsynthRun;
using lel::bench::median;

namespace {

struct Medians {
    double cpu_s, wall_s, rms;
};

Medians measure(const fs::path& scsynth, const fs::path& workdir, lel::bench::Variant variant, int n,
                double seconds, int repeat, int block) {
    std::vector<double> cpu, wall, rms;
    for (int r = 0; r < repeat; ++r) {
        const ScsynthRun run = lel::bench::run_scsynth_nrt(scsynth, workdir, variant, n, seconds, block);
        cpu.push_back(run.cpu_s);
        wall.push_back(run.wall_s);
        rms.push_back(run.rms_left);
    }
    return {median(cpu), median(wall), median(rms)};
}

}  // namespace

int main(int argc, char** argv) {
    std::string variant_name = "synths";
    double seconds = 8;
    int repeat = 3;
    int block = 64;
    double osc_seconds = 0;
    std::string scsynth_arg;
    std::string workdir_arg;
    std::vector<int> counts;
    CLI::App app{"scsynth NRT: CPU ns per oscillator-sample for N SinOsc summed to stereo at 48 kHz"};
    app.add_option("--variant", variant_name, "synths (N nodes of one sine) or mix (one node of N sines)")
        ->check(CLI::IsMember({"synths", "mix"}))
        ->capture_default_str();
    app.add_option("--seconds", seconds, "audio seconds per render")->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--repeat", repeat, "renders per N (the median is shown)")->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--osc-seconds", osc_seconds, "render at least this many seconds divided by N (0: off)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app.add_option("--block", block, "scsynth block size (-z)")->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--scsynth", scsynth_arg, "scsynth binary (default: $SCSYNTH, then PATH)");
    app.add_option("--workdir", workdir_arg, "where the score, WAV and log go (default: a fresh temporary directory, removed)");
    app.add_option("N", counts, "oscillator counts")->required()->check(CLI::PositiveNumber);
    CLI11_PARSE(app, argc, argv);

    const auto variant = *lel::bench::parse_variant(variant_name);
    const auto scsynth = scsynth_arg.empty() ? lel::bench::find_scsynth() : std::optional<fs::path>(scsynth_arg);
    if (!scsynth) {
        fmt::print(stderr, "scsynth not found (Debian: apt-get install supercollider-server)\n");
        return 1;
    }

    fs::path workdir = workdir_arg;
    const bool temporary = workdir.empty();
    if (temporary) {
        std::string templ = (fs::temp_directory_path() / "lel-scsynth-XXXXXX").string();
        if (!mkdtemp(templ.data())) {
            fmt::print(stderr, "cannot create a temporary directory\n");
            return 1;
        }
        workdir = templ;
    }

    try {
        fmt::print("scsynth {} NRT, variant {}, {} Hz, block {}, median of {}\n", scsynth->string(), variant_name,
                   lel::bench::scsynth_sample_rate, block, repeat);
        std::map<double, Medians> baselines;  // by render length
        const auto baseline = [&](double length) {
            auto it = baselines.find(length);
            if (it == baselines.end())
                it = baselines.emplace(length, measure(*scsynth, workdir, variant, 0, length, repeat, block)).first;
            return it->second;
        };
        fmt::print("{:>6}  {:>8}  {:>12}  {:>14}  {:>8}  {:>8}  {:>8}  {:>8}\n", "N", "seconds", "ns/osc-smp",
                   "ns - baseline", "cpu s", "base cpu", "wall s", "rms");
        for (int n : counts) {
            const double length = std::max(seconds, osc_seconds / n);
            const Medians base = baseline(length);
            const Medians m = measure(*scsynth, workdir, variant, n, length, repeat, block);
            const double per = 1e9 / (n * length * lel::bench::scsynth_sample_rate);
            fmt::print("{:>6}  {:>8.1f}  {:>12.3f}  {:>14.3f}  {:>8.3f}  {:>8.3f}  {:>8.3f}  {:>8.5f}\n", n, length,
                       m.cpu_s * per, (m.cpu_s - base.cpu_s) * per, m.cpu_s, base.cpu_s, m.wall_s, m.rms);
        }
    } catch (const std::exception& e) {
        fmt::print(stderr, "scsynth_probe: {}\n", e.what());
        fmt::print(stderr, "(files kept in {})\n", workdir.string());
        return 1;
    }
    if (temporary) {
        std::error_code ec;
        fs::remove_all(workdir, ec);
    }
    return 0;
}
