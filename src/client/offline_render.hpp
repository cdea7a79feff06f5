// lel — offline render: runs a module's session in the same engine leld
// plays it with (lel::Engine and its Renderer), as fast as the CPU allows,
// and writes the result to a WAV file.
//
// Design: no JACK, no ring and no producer thread. The calling thread is
// both sides: it loads the module (control side), then calls the renderer
// in chunks of `chunk_frames` (which splits them into blocks of `block`
// frames, as the producer does with JACK's period), collects between chunks
// what the renderer hands back, and streams each chunk to the file, so a
// long render never holds more than one chunk in memory. Only the render()
// calls are timed: the figures measure the engine, not the compiler, the
// module's loading or the disk.
//
// The file is written to a temporary file beside the output
// (".NAME.PID.tmp") and renamed over it only once complete: a failed or
// cancelled render never leaves a partial WAV, nor damages an existing one.
// It is opened before the module is loaded, so an unwritable output fails
// before any work is done. Files that would pass WAV's 4 GB are written as
// RF64 (WAV with 64-bit sizes, which libsndfile, sox and ffmpeg read);
// smaller ones are plain WAV.
//
// Threads: one thread; render_offline blocks until done. It loads code from
// the module into this process, like leld does.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace lel::client {

/// How samples are stored in the WAV file.
enum class SampleFormat { float32, pcm16, pcm24 };

/// "float", "pcm16", "pcm24" → the format; nullopt for anything else.
std::optional<SampleFormat> parse_sample_format(std::string_view name);

struct RenderOptions {
    std::filesystem::path module;  ///< the module to load (made absolute here)
    std::filesystem::path output;  ///< the WAV file to write
    uint64_t frames = 0;           ///< how much to render (> 0)
    uint32_t sample_rate = 48000;
    uint32_t block = 64;                 ///< the renderer's block size (leld: JACK's period)
    std::optional<double> fade_ms;       ///< fade time; nullopt: the engine's (leld's) default
    SampleFormat format = SampleFormat::float32;
    uint32_t chunk_frames = 4096;        ///< frames per render() call and per write
    /// Checked between chunks; when it becomes true the render stops and
    /// fails with "cancelled", writing nothing. May be null.
    const std::atomic<bool>* cancel = nullptr;
};

/// What a render did: ok, or why not.
struct RenderResult {
    bool ok = false;
    std::string message;       ///< why it failed (empty when ok)
    uint64_t frames = 0;       ///< frames rendered and written
    std::size_t signals = 0;   ///< signals the session registered
    uint64_t faults = 0;       ///< signals the renderer muted (NaN/inf, exceptions)
    double render_cpu_s = 0.0;   ///< CPU time of this thread inside render()
    double render_wall_s = 0.0;  ///< wall time inside render()

    explicit operator bool() const noexcept { return ok; }
};

/// Loads `options.module`, renders `options.frames` frames and writes them
/// to `options.output` (see the file comment). Fails, writing nothing, if
/// the output cannot be written, the module does not load (with
/// Engine::load's message), or the session registers no signal. Never
/// throws; blocking.
RenderResult render_offline(const RenderOptions& options);

/// The one line `lel render` prints on success; benchmarks parse it, so its
/// form stays: "rendered T s (F frames) to OUT in X s: Y x real time, Z ns
/// per frame", where X is render_cpu_s (wall time is in stats_lines).
std::string summary_line(const RenderOptions& options, const RenderResult& result);

/// `key value` lines, one per figure, each ending in '\n': render_cpu_s,
/// render_wall_s, frames, signals, faults.
std::string stats_lines(const RenderResult& result);

}  // namespace lel::client
