// lel bench — rendering offline and timing it, shared by the cost
// benchmarks (osc_cost, dsp_cost): a module in lel's real engine, and the
// CPU time per signal-sample of repeated renders.
#pragma once

#include "engine.hpp"
#include "renderer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace lel::bench {

inline constexpr double sample_rate = 48000.0;
inline constexpr uint32_t block = 64;

/// CPU seconds the calling thread has used.
inline double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// Something that renders stereo frames: lel's engine or a reference loop.
class Renderer {
public:
    virtual ~Renderer() = default;
    virtual void render(std::span<StereoFrame> out) = 0;
};

/// A module loaded into lel's engine, as leld and `lel render` run it
/// (48 kHz, blocks of 64). Its session reads LEL_BENCH_N = n and the
/// variables in `env` when the engine loads it; each of its signals gets
/// `state_doubles_per_signal` of the arena (raw state and helper area).
class LelEngine final : public Renderer {
public:
    LelEngine(const std::filesystem::path& module, int n, const std::map<std::string, std::string>& env = {},
              std::size_t state_doubles_per_signal = default_state_size) {
        EngineConfig config;
        config.sample_rate = sample_rate;
        config.max_block = block;
        config.max_names = static_cast<uint32_t>(std::max(n, 1));
        config.state_doubles = static_cast<std::size_t>(std::max(n, 1)) * state_doubles_per_signal;
        engine_ = std::make_unique<Engine>(config);
        setenv("LEL_BENCH_N", std::to_string(n).c_str(), 1);
        for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
        const CommandResult r = engine_->load(std::filesystem::absolute(module));
        if (!r) throw std::runtime_error(fmt::format("loading {}: {}", module.string(), r.message));
        signals_ = r.signals;
    }
    /// How many signals the session registered.
    std::size_t signals() const noexcept { return signals_; }
    void render(std::span<StereoFrame> out) override {
        engine_->renderer().render(out);
        engine_->collect();
    }

private:
    std::unique_ptr<Engine> engine_;
    std::size_t signals_ = 0;
};

/// Frames of the buffer renders write into, reused chunk after chunk: the
/// size of leld's ring at a period of 512 (two periods), so that the
/// output stays in cache as it does in leld.
inline constexpr std::size_t out_frames = 1024;

/// Renders samples / n frames (at least 16 blocks), in chunks of
/// out_frames into `out`, `repeat` times after a warm-up (caches, the
/// fade-in) and returns each run's CPU ns per signal-sample; `out` keeps
/// the last chunk.
inline std::vector<double> time_renders(Renderer& r, int n, double samples, int repeat, std::vector<StereoFrame>& out) {
    const auto frames = static_cast<std::size_t>(std::max(samples / n, 16.0 * block));
    out.assign(std::min(frames, out_frames), StereoFrame{});
    const auto run = [&](std::size_t total) {
        for (std::size_t done = 0; done < total; done += out.size()) {
            r.render(std::span(out).first(std::min(out.size(), total - done)));
        }
    };
    run(std::min<std::size_t>(frames, 4800));
    std::vector<double> ns;
    for (int i = 0; i < repeat; ++i) {
        const double t0 = thread_cpu_seconds();
        run(frames);
        const double t1 = thread_cpu_seconds();
        ns.push_back((t1 - t0) * 1e9 / (static_cast<double>(n) * static_cast<double>(frames)));
    }
    return ns;
}

}  // namespace lel::bench
