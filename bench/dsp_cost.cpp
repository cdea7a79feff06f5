// bench/dsp_cost — what the DSP library (include/lel/dsp/) costs, through
// lel's real engine, in CPU nanoseconds per sample:
//
//   1. per helper: N signals (64 by default) that each run one helper on a
//      cheap input (bench/sessions/helpers.cpp), minus N signals that
//      return that input alone (the engine's own per-signal work and the
//      input's): what adding that helper to a signal costs;
//   2. a voice, lel against Faust: band-limited saw -> state-variable
//      low-pass -> ADSR (bench/sessions/voice_helpers.cpp), and the same
//      graph in Faust (bench/faust/voice.dsp: os.sawtooth, fi.svf.lp,
//      en.adsr), its C++ compiled with the flags of lel's modules, in
//      single precision (Faust's default) and with -double (lel's
//      precision); N voices, per voice-sample;
//   3. the abstraction: the same voice hand-written, the same algorithms
//      with state in numbered s.state slots (bench/sessions/voice_hand.cpp).
//
// The lel rows run the engine leld and `lel render` run (lel::Engine loads
// the module with dlopen; Renderer::render makes stereo float frames, the
// output stage included), 48 kHz, blocks of 64. The Faust rows run the
// same loop by hand: per block of 64, each voice's compute() into its
// buffer, summed into a bus, which becomes stereo float frames. Timed by
// the thread's CPU clock around the render calls only; each figure is the
// median of --repeat runs, printed with the spread (lowest-highest). The
// voice table's engines are timed in rounds (one run of each per round),
// and its ratios are the median of the rounds' ratios.
//
// A benchmark, not a test: it fails only when something cannot run.
#include "engine_run.hpp"
#include "stats.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#ifdef LEL_BENCH_FAUST
// Faust's generated code and its inlined UI headers leave parameters unused.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "faust_saw_double.hpp"
#include "faust_saw_lowpass_double.hpp"
#include "faust_voice_double.hpp"
#include "faust_voice_float.hpp"
#pragma GCC diagnostic pop
#endif

namespace {

namespace fs = std::filesystem;
using lel::StereoFrame;

using lel::bench::block;
using lel::bench::LelEngine;
using lel::bench::Renderer;
using lel::bench::sample_rate;

#ifdef LEL_BENCH_FAUST
/// N instances of a Faust-generated voice class, voice k at the frequency
/// and gate offset bench_voice.hpp gives it.
template <class Dsp>
class FaustVoices final : public Renderer {
public:
    explicit FaustVoices(int n) {
        for (int k = 0; k < n; ++k) {
            auto v = std::make_unique<Dsp>();
            v->init(static_cast<int>(sample_rate));
            MapUI ui;
            v->buildUserInterface(&ui);
            ui.setParamValue("freq", static_cast<FAUSTFLOAT>(100.0 + 0.37 * k));
            ui.setParamValue("offset", static_cast<FAUSTFLOAT>(k * 97 % 12000));
            voices_.push_back(std::move(v));
        }
    }
    void render(std::span<StereoFrame> out) override {
        for (std::size_t done = 0; done < out.size(); done += block) {
            const auto n = static_cast<uint32_t>(std::min<std::size_t>(block, out.size() - done));
            std::fill_n(bus_, n, 0.0);
            FAUSTFLOAT* outputs[1] = {buffer_};
            for (auto& v : voices_) {
                v->compute(static_cast<int>(n), nullptr, outputs);
                for (uint32_t i = 0; i < n; ++i) bus_[i] += buffer_[i];
            }
            for (uint32_t i = 0; i < n; ++i) {
                const auto x = static_cast<float>(bus_[i]);
                out[done + i] = StereoFrame{x, x};
            }
        }
    }

private:
    std::vector<std::unique_ptr<Dsp>> voices_;
    alignas(32) FAUSTFLOAT buffer_[block]{};
    alignas(32) double bus_[block]{};
};
#endif

struct Plan {
    int repeat = 7;
    double samples = 4e6;  ///< signal-samples per run: frames = samples / N, at least 16 blocks
};

/// CPU ns per signal-sample over plan.repeat runs: median and spread.
struct Figure {
    double median = NAN, low = NAN, high = NAN;
};

Figure measure(Renderer& r, int n, const Plan& plan) {
    std::vector<StereoFrame> out;
    const std::vector<double> ns = lel::bench::time_renders(r, n, plan.samples, plan.repeat, out);
    double energy = 0;
    for (const StereoFrame& f : out) energy += static_cast<double>(f.left) * f.left;
    if (!std::isfinite(energy)) throw std::runtime_error("the render was not finite");
    return {lel::bench::median(ns), *std::min_element(ns.begin(), ns.end()), *std::max_element(ns.begin(), ns.end())};
}

/// The helpers of bench/sessions/helpers.cpp, by family (docs/stdlib/).
struct HelperRow {
    const char* family;
    const char* name;
    bool stereo = false;  ///< returns a Frame: measured against "none/stereo"
    std::size_t state = 1024;  ///< doubles per signal the arena needs (raw state and helper area)
};

const std::vector<HelperRow> helper_rows = {
    {"oscillators", "phasor"}, {"oscillators", "sine"}, {"oscillators", "saw"}, {"oscillators", "square"},
    {"oscillators", "tri"}, {"noise", "noise"}, {"noise", "pink"}, {"noise", "brown"},
    {"filters", "lowpass"}, {"filters", "highpass"}, {"filters", "bandpass"}, {"filters", "notch"},
    {"filters", "lowpass modulated"}, {"filters", "onepole"}, {"filters", "onepole modulated"},
    {"filters", "dcblock"}, {"filters", "peak"}, {"filters", "peak modulated"}, {"filters", "lowshelf"},
    {"filters", "highshelf"}, {"filters", "ladder"}, {"filters", "ladder modulated"},
    {"envelopes", "adsr"}, {"envelopes", "perc"}, {"envelopes", "line"}, {"envelopes", "lag"},
    {"delays", "delay", false, 100000}, {"delays", "delay modulated", false, 100000},
    {"delays", "comb", false, 100000}, {"delays", "allpass", false, 8192}, {"delays", "reverb", true, 32768},
    {"utility", "pan", true}, {"utility", "mix"}, {"utility", "gain"}, {"utility", "db"}, {"utility", "to_db"},
    {"utility", "mtof"}, {"utility", "tanh"},
    {"rhythm", "every"}, {"rhythm", "euclid"}, {"rhythm", "seq"}, {"rhythm", "sample_hold"},
};

std::string cell(const Figure& f) {
    if (std::isnan(f.median)) return "—";
    return fmt::format("{:.2f} ({:.2f}–{:.2f})", f.median, f.low, f.high);
}

}  // namespace

int main(int argc, char** argv) {
    std::string helpers_module, voice_module, hand_module, csv;
    int helper_n = 64;
    std::vector<int> voice_n{1, 64, 512};
    std::vector<std::string> only;
    bool no_helpers = false, no_voices = false, stages = false;
    Plan plan;
    CLI::App app{"CPU ns per sample of lel's DSP helpers, and a voice against Faust and hand-written code"};
    app.add_option("--helpers-module", helpers_module, "module built from bench/sessions/helpers.cpp");
    app.add_option("--voice-module", voice_module, "module built from bench/sessions/voice_helpers.cpp");
    app.add_option("--hand-module", hand_module, "module built from bench/sessions/voice_hand.cpp");
    app.add_option("--helper-n", helper_n, "signals per helper row")->capture_default_str();
    app.add_option("--n", voice_n, "voices for the voice table")->capture_default_str();
    app.add_option("--repeat", plan.repeat, "runs per figure (the median is printed)")->capture_default_str();
    app.add_option("--samples", plan.samples, "signal-samples per run")->capture_default_str();
    app.add_option("--only", only, "only these helpers or voice engines (e.g. saw, \"lel, helpers\"), for profiling");
    app.add_flag("--no-helpers", no_helpers, "skip the per-helper table");
    app.add_flag("--no-voices", no_voices, "skip the voice table");
    app.add_flag("--stages", stages, "also the voice's stages alone (saw; saw -> lowpass) and hand-written with its state in locals, to see where its cost is");
    app.add_option("--csv", csv, "write every figure as table,row,n,median,low,high");
    CLI11_PARSE(app, argc, argv);

    std::ofstream csv_file;
    if (!csv.empty()) {
        csv_file.open(csv);
        csv_file << "table,row,n,median,low,high\n";
    }
    const auto record = [&](const char* table, const std::string& row, int n, const Figure& f) {
        if (csv_file) csv_file << table << ",\"" << row << "\"," << n << ',' << f.median << ',' << f.low << ',' << f.high << '\n';
    };

    // ----------------------------------------------------------- 1. helpers
    if (!no_helpers && !helpers_module.empty()) {
        const auto run_helper = [&](const std::string& name, std::size_t state) -> std::optional<Figure> {
            LelEngine engine(helpers_module, helper_n, {{"LEL_BENCH_HELPER", name}}, state + lel::default_state_size);
            if (engine.signals() == 0) return std::nullopt;
            return measure(engine, helper_n, plan);
        };
        const Figure mono = *run_helper("none", 1024);
        const Figure stereo = *run_helper("none/stereo", 1024);
        fmt::print(stderr, "  baseline: mono {:.2f} ns, stereo {:.2f} ns\n", mono.median, stereo.median);
        record("helper", "none", helper_n, mono);
        record("helper", "none/stereo", helper_n, stereo);
        fmt::print("\nCPU ns per sample of each helper: {} signals each running one helper, through lel's engine "
                   "(48 kHz, blocks of {}), median of {} runs (lowest–highest); net = minus the same signals "
                   "without the helper ({:.2f} ns mono, {:.2f} ns stereo)\n\n",
                   helper_n, block, plan.repeat, mono.median, stereo.median);
        fmt::print("| family | helper | net ns/sample | raw ns/sample (spread) |\n|---|---|---:|---|\n");
        for (const HelperRow& row : helper_rows) {
            if (!only.empty() && std::find(only.begin(), only.end(), row.name) == only.end()) continue;
            const std::optional<Figure> f = run_helper(row.name, row.state);
            if (!f) {
                fmt::print("| {} | {} | not built | — |\n", row.family, row.name);
                continue;
            }
            const double net = f->median - (row.stereo ? stereo.median : mono.median);
            record("helper", row.name, helper_n, *f);
            fmt::print("| {} | {} | {:.2f} | {} |\n", row.family, row.name, net, cell(*f));
            std::fflush(stdout);
        }
    }

    // ------------------------------------------------------------ 2. voices
    if (!no_voices && !voice_module.empty()) {
        std::vector<std::pair<std::string, std::function<std::unique_ptr<Renderer>(int)>>> engines;
        const auto lel_voice = [](const std::string& module, const std::string& stage) {
            return [module, stage](int n) -> std::unique_ptr<Renderer> {
                auto e = std::make_unique<LelEngine>(module, n, std::map<std::string, std::string>{{"LEL_BENCH_VOICE", stage}},
                                                     lel::default_state_size + 64);
                if (e->signals() != static_cast<std::size_t>(n)) return nullptr;
                return e;
            };
        };
        engines.emplace_back("lel, helpers", lel_voice(voice_module, "voice"));
        if (!hand_module.empty()) engines.emplace_back("lel, hand-written", lel_voice(hand_module, "voice"));
#ifdef LEL_BENCH_FAUST
        engines.emplace_back("Faust, float (default)", [](int n) { return std::make_unique<FaustVoices<FaustVoiceFloat>>(n); });
        engines.emplace_back("Faust, -double", [](int n) { return std::make_unique<FaustVoices<FaustVoiceDouble>>(n); });
#endif
        if (stages) {
            engines.emplace_back("lel stage: saw", lel_voice(voice_module, "saw"));
            engines.emplace_back("lel stage: saw -> lowpass", lel_voice(voice_module, "saw-lowpass"));
            if (!hand_module.empty()) {
                engines.emplace_back("hand-written, state in locals", lel_voice(hand_module, "locals"));
                engines.emplace_back("hand-written, Faust's ADSR algorithm", lel_voice(hand_module, "faust-adsr"));
            }
#ifdef LEL_BENCH_FAUST
            engines.emplace_back("Faust -double stage: saw", [](int n) { return std::make_unique<FaustVoices<FaustSawDouble>>(n); });
            engines.emplace_back("Faust -double stage: saw -> lowpass",
                                 [](int n) { return std::make_unique<FaustVoices<FaustSawLowpassDouble>>(n); });
#endif
        }
        std::map<std::string, std::map<int, Figure>> figures;
        // Per N, every engine is built first and then timed in rounds, one
        // run of each engine per round: a slow second of the machine (this
        // is often a shared VM) hits every engine alike, and the ratios
        // below pair the runs of one round.
        std::map<std::string, std::map<int, std::vector<double>>> runs;
        for (const int n : voice_n) {
            std::vector<std::pair<std::string, std::unique_ptr<Renderer>>> built;
            for (const auto& [name, make] : engines) {
                if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end()) continue;
                if (auto r = make(n)) built.emplace_back(name, std::move(r));
            }
            std::vector<std::vector<StereoFrame>> outs(built.size());
            for (int round = 0; round < plan.repeat; ++round) {
                for (std::size_t e = 0; e < built.size(); ++e) {
                    const std::vector<double> ns = lel::bench::time_renders(*built[e].second, n, plan.samples, 1, outs[e]);
                    runs[built[e].first][n].push_back(ns.front());
                }
            }
            for (std::size_t e = 0; e < built.size(); ++e) {
                const std::string& name = built[e].first;
                double energy = 0;
                for (const StereoFrame& f : outs[e]) energy += static_cast<double>(f.left) * f.left;
                if (!std::isfinite(energy)) throw std::runtime_error("the render was not finite");
                const std::vector<double>& ns = runs[name][n];
                figures[name][n] = {lel::bench::median(ns), *std::min_element(ns.begin(), ns.end()),
                                    *std::max_element(ns.begin(), ns.end())};
                record("voice", name, n, figures[name][n]);
                fmt::print(stderr, "  {:<28} N={:<4} {:7.2f} ns\n", name, n, figures[name][n].median);
            }
        }
        fmt::print("\nCPU ns per voice-sample: saw -> SVF low-pass -> ADSR, 48 kHz, blocks of {}, median of {} runs "
                   "(lowest–highest)\n\n| engine |", block, plan.repeat);
        for (const int n : voice_n) fmt::print(" N={} |", n);
        fmt::print("\n|---|");
        for (std::size_t i = 0; i < voice_n.size(); ++i) fmt::print("---|");
        fmt::print("\n");
        for (const auto& [name, make] : engines) {
            if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end()) continue;
            if (!figures.count(name)) {
                fmt::print("| {} | not built |\n", name);
                continue;
            }
            fmt::print("| {} |", name);
            for (const int n : voice_n) fmt::print(" {} |", cell(figures[name][n]));
            fmt::print("\n");
        }
        // The median of the rounds' ratios (a's run over b's run in the same
        // round), not the ratio of the medians.
        const auto ratio = [&](const std::string& a, const std::string& b, int n) -> std::optional<double> {
            if (!runs.count(a) || !runs.count(b)) return std::nullopt;
            const std::vector<double>& x = runs[a][n];
            const std::vector<double>& y = runs[b][n];
            std::vector<double> r;
            for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) r.push_back(x[i] / y[i]);
            if (r.empty()) return std::nullopt;
            return lel::bench::median(r);
        };
        fmt::print("\nTargets, per N (the median over the {} rounds of the two engines' runs in the same round):\n",
                   plan.repeat);
        for (const int n : voice_n) {
            fmt::print("  N={:<4}", n);
            if (const auto r = ratio("lel, helpers", "Faust, float (default)", n))
                fmt::print(" lel / Faust float = {:.3f}", *r);
            if (const auto r = ratio("lel, helpers", "Faust, -double", n)) fmt::print(", lel / Faust -double = {:.3f}", *r);
            fmt::print(" (target <= 1.0)");
            if (const auto r = ratio("lel, helpers", "lel, hand-written", n))
                fmt::print("; helpers / hand-written = {:.3f} (target <= 1.1)", *r);
            fmt::print("\n");
        }
    }
    return 0;
}
