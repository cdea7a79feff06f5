// bench/osc_cost — CPU nanoseconds per oscillator-sample: N sine oscillators
// summed to stereo at 48 kHz in blocks of 64, rendered offline as fast as
// the CPU allows, for
//   hand/std::sin    a hand-written loop: double phase, std::sin
//   hand/table       a hand-written loop: float 4096-point table, linear interpolation
//   hand/fixed       a hand-written loop of lel::sine's algorithm (fixed-point phase, table)
//   lel/std::sin     bench/sessions/std_sines.cpp through lel's engine: the session API
//                    way, phase in s.state and std::sin
//   lel/sine         bench/sessions/fast_sines.cpp through lel's engine: lel::sine
//   scsynth          SuperCollider's scsynth in NRT mode, SinOsc (bench/scsynth_nrt)
// every figure taken in this run, on this machine.
//
// The lel rows run the same engine as leld and `lel render` (lel::Engine
// loading the module with dlopen, Renderer::render into stereo float
// frames, output stage included), timed by the thread's CPU clock around
// the render calls only. The hand-written loops produce the same stereo
// float frames and are compiled with the flags sessions get (see
// bench/meson.build), so a ratio compares the abstraction, not the
// compiler. scsynth is timed by its process's CPU (wait4); "scsynth net"
// subtracts an N=0 run of the same length (start-up, file writing).
//
// Each figure is the median of --repeat runs. hand/std::sin and
// lel/std::sin, whose ratio is a target, are timed in rounds (one run of
// each per round) and the ratio printed is the median of the rounds' own
// ratios, as dsp_cost does for the voice. Prints a Markdown table and,
// with --csv FILE, every figure as engine,n,ns for the plot.
//
// A benchmark, not a test: it fails only when something cannot run.
#include "engine_run.hpp"
#include "scsynth_nrt.hpp"
#include "stats.hpp"

#include <lel/dsp/sine_table.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace {

namespace fs = std::filesystem;
using lel::StereoFrame;
using lel::bench::median;

using lel::bench::block;
using lel::bench::LelEngine;
using lel::bench::Renderer;
using lel::bench::sample_rate;

double oscillator_frequency(int k) { return lel::bench::oscillator_frequency(k); }

// ------------------------------------------------------- hand-written loops
// One shape for all three: per block, each oscillator adds 0.01 * its sine
// into a mono bus, then the bus becomes stereo float frames.
template <class Osc>
class HandWritten final : public Renderer {
public:
    explicit HandWritten(int n) {
        for (int k = 0; k < n; ++k) oscs_.emplace_back(oscillator_frequency(k));
    }
    void render(std::span<StereoFrame> out) override {
        for (std::size_t done = 0; done < out.size(); done += block) {
            const auto n = static_cast<uint32_t>(std::min<std::size_t>(block, out.size() - done));
            std::fill_n(bus_, n, 0.0);
            for (Osc& o : oscs_) o.add_to(bus_, n);
            for (uint32_t i = 0; i < n; ++i) {
                const auto v = static_cast<float>(bus_[i]);
                out[done + i] = StereoFrame{v, v};
            }
        }
    }

private:
    std::vector<Osc> oscs_;
    double bus_[block]{};
};

struct FloatTable {
    static constexpr int size = 4096;
    float v[size + 1];
    FloatTable() {
        for (int i = 0; i <= size; ++i) v[i] = static_cast<float>(std::sin(2.0 * M_PI * i / size));
    }
};
const FloatTable float_table;

double std_sin_wave(double phase) { return std::sin(2.0 * M_PI * phase); }

double table_wave(double phase) {
    const double x = phase * FloatTable::size;
    const int j = static_cast<int>(x);
    const float f = static_cast<float>(x - j);
    return float_table.v[j] + f * (float_table.v[j + 1] - float_table.v[j]);
}

/// A double phase in turns, wrapped by a branch, through `Wave`.
template <double (*Wave)(double)>
struct DoublePhaseOsc {
    double phase = 0, inc;
    explicit DoublePhaseOsc(double freq) : inc(freq / sample_rate) {}
    void add_to(double* bus, uint32_t n) {
        double p = phase;
        for (uint32_t i = 0; i < n; ++i) {
            bus[i] += 0.01 * Wave(p);
            p += inc;
            if (p >= 1.0) p -= 1.0;
        }
        phase = p;
    }
};
using StdSinOsc = DoublePhaseOsc<std_sin_wave>;
using TableOsc = DoublePhaseOsc<table_wave>;

struct FixedOsc {
    uint32_t phase = 0, inc;
    explicit FixedOsc(double freq) : inc(lel::detail::phase_increment(freq, 1.0 / sample_rate)) {}
    void add_to(double* bus, uint32_t n) {
        uint32_t p = phase;
        for (uint32_t i = 0; i < n; ++i) {
            bus[i] += 0.01 * lel::sine_of_phase(p);
            p += inc;
        }
        phase = p;
    }
};

// ------------------------------------------------------------- measuring
struct Plan {
    int repeat = 5;
    double osc_samples = 2e7;  // per run: frames = osc_samples / N, at least 16 blocks
};

// The sound must be there: a sum of sines at 0.01 is never all zero.
void check_sound(const std::vector<StereoFrame>& out) {
    double energy = 0;
    for (const StereoFrame& f : out) energy += static_cast<double>(f.left) * f.left;
    if (!(energy > 0)) throw std::runtime_error("the render was silent");
}

// The median over plan.repeat runs of CPU ns per oscillator-sample.
double measure(Renderer& r, int n, const Plan& plan) {
    std::vector<StereoFrame> out;
    const std::vector<double> ns = lel::bench::time_renders(r, n, plan.osc_samples, plan.repeat, out);
    check_sound(out);
    return median(ns);
}

// Two engines timed in rounds, one run of each per round, so that a slow
// stretch of a shared machine hits both sides of their ratio alike: each
// one's median, and the median of the rounds' own ratios a / b.
struct Paired {
    double a, b, ratio;
};
Paired measure_paired(Renderer& a, Renderer& b, int n, const Plan& plan) {
    std::vector<StereoFrame> out_a, out_b;
    std::vector<double> ns_a, ns_b, ratios;
    for (int round = 0; round < plan.repeat; ++round) {
        ns_a.push_back(lel::bench::time_renders(a, n, plan.osc_samples, 1, out_a).front());
        ns_b.push_back(lel::bench::time_renders(b, n, plan.osc_samples, 1, out_b).front());
        ratios.push_back(ns_a.back() / ns_b.back());
    }
    check_sound(out_a);
    check_sound(out_b);
    return {median(ns_a), median(ns_b), median(ratios)};
}

/// The engine running `module` with its n signals, which it must register.
std::unique_ptr<Renderer> lel_engine(const fs::path& module, int n) {
    auto engine = std::make_unique<LelEngine>(module, n);
    if (engine->signals() != static_cast<std::size_t>(n)) {
        throw std::runtime_error(fmt::format("{} registered {} signals, not {}", module.string(), engine->signals(), n));
    }
    return engine;
}

struct ScsynthFigures {
    double raw, net;
};

ScsynthFigures measure_scsynth(const fs::path& scsynth, const fs::path& dir, lel::bench::Variant variant, int n,
                               const Plan& plan, double min_seconds) {
    const double seconds = std::max(min_seconds, plan.osc_samples * 5 / (n * sample_rate));
    std::vector<double> raw, net;
    for (int i = 0; i < std::max(3, plan.repeat / 2); ++i) {
        const auto run = lel::bench::run_scsynth_nrt(scsynth, dir, variant, n, seconds, block);
        const auto empty = lel::bench::run_scsynth_nrt(scsynth, dir, variant, 0, seconds, block);
        const double samples = static_cast<double>(n) * seconds * sample_rate;
        raw.push_back(run.cpu_s * 1e9 / samples);
        net.push_back((run.cpu_s - empty.cpu_s) * 1e9 / samples);
    }
    return {median(raw), median(net)};
}

long rss_kib() {
    std::ifstream statm("/proc/self/statm");
    long size = 0, resident = 0;
    statm >> size >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<int> table_n{1, 64, 512};
    std::vector<int> curve_n{1, 4, 16, 64, 256, 1024, 4096, 10000};
    std::string std_module, fast_module, csv, scsynth_path;
    std::string work = fs::temp_directory_path() / "lel-osc-cost";
    std::vector<std::string> only;
    bool no_scsynth = false;
    Plan plan;
    CLI::App app{"CPU ns per oscillator-sample: hand-written loops, lel, scsynth NRT"};
    app.add_option("--std-module", std_module, "module built from bench/sessions/std_sines.cpp")->required();
    app.add_option("--fast-module", fast_module, "module built from bench/sessions/fast_sines.cpp")->required();
    app.add_option("--n", table_n, "N for the table")->capture_default_str();
    app.add_option("--curve", curve_n, "N for the cost-against-N curve (lel/sine, hand/fixed, scsynth)")
        ->capture_default_str();
    app.add_option("--repeat", plan.repeat, "runs per figure (the median is printed)")->capture_default_str();
    app.add_option("--osc-samples", plan.osc_samples, "oscillator-samples per run")->capture_default_str();
    app.add_option("--csv", csv, "write every figure as engine,n,ns");
    app.add_option("--scsynth", scsynth_path, "scsynth binary (default: found on PATH)");
    app.add_flag("--no-scsynth", no_scsynth, "skip scsynth");
    app.add_option("--only", only, "measure only these engines (e.g. lel/sine); for profiling");
    app.add_option("--workdir", work, "scratch directory for scsynth's files")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    std::optional<fs::path> scsynth;
    if (!no_scsynth) {
        scsynth = scsynth_path.empty() ? lel::bench::find_scsynth() : std::optional<fs::path>(scsynth_path);
        if (!scsynth) fmt::print("scsynth not found: its rows are left out (install supercollider-server)\n");
    }
    fs::create_directories(work);

    // engine -> n -> ns
    std::map<std::string, std::map<int, double>> figures;
    const auto run = [&](const std::string& engine, int n, const std::function<std::unique_ptr<Renderer>()>& make) {
        if (!only.empty() && std::find(only.begin(), only.end(), engine) == only.end()) return;
        auto r = make();
        figures[engine][n] = measure(*r, n, plan);
        fmt::print(stderr, "  {:<14} N={:<6} {:8.3f} ns\n", engine, n, figures[engine][n]);
    };
    // The abstraction's target, lel/std::sin against hand/std::sin, in rounds.
    std::map<int, double> std_ratio;
    const auto wanted = [&](const char* engine) {
        return only.empty() || std::find(only.begin(), only.end(), engine) != only.end();
    };
    const auto make_hand_std = [](int n) { return std::make_unique<HandWritten<StdSinOsc>>(n); };
    const auto run_std_pair = [&](int n) {
        if (!wanted("hand/std::sin") || !wanted("lel/std::sin")) {
            run("hand/std::sin", n, [&] { return make_hand_std(n); });
            run("lel/std::sin", n, [&] { return lel_engine(std_module, n); });
            return;
        }
        const auto hand = make_hand_std(n);
        const auto lel = lel_engine(std_module, n);
        const Paired p = measure_paired(*lel, *hand, n, plan);
        figures["lel/std::sin"][n] = p.a;
        figures["hand/std::sin"][n] = p.b;
        std_ratio[n] = p.ratio;
        fmt::print(stderr, "  {:<14} N={:<6} {:8.3f} ns\n  {:<14} N={:<6} {:8.3f} ns\n", "hand/std::sin", n, p.b,
                   "lel/std::sin", n, p.a);
    };
    const auto run_scsynth = [&](int n) {
        if (!scsynth || (!only.empty() && std::find(only.begin(), only.end(), "scsynth") == only.end())) return;
        const auto s = measure_scsynth(*scsynth, work, lel::bench::Variant::synths, n, plan, 2.0);
        figures["scsynth"][n] = s.raw;
        figures["scsynth net"][n] = s.net;
        fmt::print(stderr, "  {:<14} N={:<6} {:8.3f} ns ({:.3f} net)\n", "scsynth", n, s.raw, s.net);
    };

    std::vector<int> all_n = table_n;
    all_n.insert(all_n.end(), curve_n.begin(), curve_n.end());
    std::sort(all_n.begin(), all_n.end());
    all_n.erase(std::unique(all_n.begin(), all_n.end()), all_n.end());
    const auto in = [](const std::vector<int>& v, int n) { return std::find(v.begin(), v.end(), n) != v.end(); };
    for (const int n : all_n) {
        const bool row = in(table_n, n);
        if (row) run_std_pair(n);
        if (row) run("hand/table", n, [&] { return std::make_unique<HandWritten<TableOsc>>(n); });
        run("hand/fixed", n, [&] { return std::make_unique<HandWritten<FixedOsc>>(n); });
        run("lel/sine", n, [&] { return lel_engine(fast_module, n); });
        run_scsynth(n);
    }

    // Memory per signal: resident memory of an engine before and after
    // loading 10,000 fast sines and rendering a block (state touched).
    long per_signal_bytes = 0;
    {
        constexpr int n = 10000;
        const long before = rss_kib();
        const auto engine = lel_engine(fast_module, n);
        std::vector<StereoFrame> out(block);
        engine->render(out);
        per_signal_bytes = (rss_kib() - before) * 1024 / n;
    }

    fmt::print("\nCPU ns per oscillator-sample (median of {} runs; 48 kHz, block {}, stereo float out)\n\n",
               plan.repeat, block);
    fmt::print("| engine |");
    for (const int n : table_n) fmt::print(" N={} |", n);
    fmt::print("\n|---|");
    for (std::size_t i = 0; i < table_n.size(); ++i) fmt::print("---:|");
    fmt::print("\n");
    for (const char* engine : {"hand/std::sin", "lel/std::sin", "hand/table", "hand/fixed", "lel/sine", "scsynth",
                               "scsynth net"}) {
        if (!figures.count(engine)) continue;
        fmt::print("| {} |", engine);
        for (const int n : table_n) fmt::print(" {:.2f} |", figures[engine][n]);
        fmt::print("\n");
    }
    fmt::print("\nTargets, per N (lel/std::sin / hand/std::sin: the median over the {} rounds of the two "
               "engines' runs in the same round):\n", plan.repeat);
    for (const int n : table_n) {
        const double ratio = std_ratio.count(n) ? std_ratio[n] : figures["lel/std::sin"][n] / figures["hand/std::sin"][n];
        fmt::print("  N={:<4} lel/std::sin / hand/std::sin = {:.3f} (target <= 1.1)", n, ratio);
        if (figures.count("scsynth")) {
            fmt::print("; lel/sine / scsynth SinOsc = {:.3f} (raw), {:.3f} (net; target < 1 for N=64, 512)",
                       figures["lel/sine"][n] / figures["scsynth"][n], figures["lel/sine"][n] / figures["scsynth net"][n]);
        }
        fmt::print("\n");
    }
    fmt::print("\nCost against N (ns per oscillator-sample):\n");
    for (const int n : curve_n) {
        fmt::print("  N={:<6} lel/sine {:.3f}  hand/fixed {:.3f}", n, figures["lel/sine"][n], figures["hand/fixed"][n]);
        if (figures.count("scsynth")) fmt::print("  scsynth {:.3f}", figures["scsynth"][n]);
        fmt::print("\n");
    }
    fmt::print("\nmemory per signal: {} bytes resident (10,000 lel::sine signals, default state of {} doubles)\n",
               per_signal_bytes, lel::default_state_size);

    if (!csv.empty()) {
        std::ofstream f(csv);
        f << "engine,n,ns\n";
        for (const auto& [engine, by_n] : figures) {
            for (const auto& [n, ns] : by_n) f << engine << ',' << n << ',' << ns << '\n';
        }
    }
    return 0;
}
