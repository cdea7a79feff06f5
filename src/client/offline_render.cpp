#include "offline_render.hpp"

#include "atomic_file.hpp"
#include "engine.hpp"

#include <fmt/format.h>
#include <sndfile.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <exception>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

namespace lel::client {
namespace fs = std::filesystem;

namespace {

// WAV, or RF64 (the same chunks with 64-bit sizes) when the data would not
// fit in WAV's 32-bit sizes.
int sndfile_format(SampleFormat format, uint64_t frames) {
    constexpr uint64_t wav_data_limit = 0xFFFF'FFFFu - 4096;  // room for the header chunks
    const auto container = [&](uint64_t bytes_per_sample) {
        return frames * 2 * bytes_per_sample <= wav_data_limit ? SF_FORMAT_WAV : SF_FORMAT_RF64;
    };
    switch (format) {
        case SampleFormat::pcm16: return container(2) | SF_FORMAT_PCM_16;
        case SampleFormat::pcm24: return container(3) | SF_FORMAT_PCM_24;
        case SampleFormat::float32: break;
    }
    return container(4) | SF_FORMAT_FLOAT;
}

// A WAV file being written through an AtomicFile: commit() renames it into
// place, destruction before that removes it.
class PendingWav {
public:
    // Throws std::runtime_error with a message for the user.
    PendingWav(const fs::path& output, uint32_t sample_rate, SampleFormat format, uint64_t frames) : file_(output) {
        if (output.filename().empty()) throw std::runtime_error(fmt::format("'{}' is not a file name", output.string()));
        const int fd = file_.open();
        if (fd < 0) fail(std::strerror(errno));
        SF_INFO info{};
        info.samplerate = static_cast<int>(sample_rate);
        info.channels = 2;
        info.format = sndfile_format(format, frames);
        sndfile_ = sf_open_fd(fd, SFM_WRITE, &info, SF_FALSE);  // the descriptor stays file_'s
        if (!sndfile_) fail(sf_strerror(nullptr));
        sf_command(sndfile_, SFC_SET_CLIPPING, nullptr, SF_TRUE);  // PCM: clip, never wrap around
    }
    ~PendingWav() {
        if (sndfile_) sf_close(sndfile_);
    }
    PendingWav(const PendingWav&) = delete;
    PendingWav& operator=(const PendingWav&) = delete;

    // `samples` interleaved left, right.
    void write(std::span<const float> samples) {
        const auto frames = static_cast<sf_count_t>(samples.size() / 2);
        if (sf_writef_float(sndfile_, samples.data(), frames) != frames) fail(sf_strerror(sndfile_));
    }

    void commit() {
        const int closed = sf_close(std::exchange(sndfile_, nullptr));
        if (closed != 0) fail(sf_error_number(closed));
        if (const std::error_code ec = file_.commit()) fail(ec.message());
    }

private:
    [[noreturn]] void fail(std::string_view why) const {
        throw std::runtime_error(fmt::format("cannot write '{}': {}", file_.destination().string(), why));
    }

    AtomicFile file_;
    SNDFILE* sndfile_ = nullptr;
};

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Loads the module into `engine`; the number of signals its session registered.
std::size_t load_session(Engine& engine, const fs::path& module) {
    const CommandResult loaded = engine.load(fs::absolute(module).lexically_normal());
    if (!loaded) throw std::runtime_error(loaded.message);
    if (loaded.signals == 0) {
        throw std::runtime_error(fmt::format("{}: the session registers no signal: nothing to render", module.string()));
    }
    return loaded.signals;
}

void render_into(Engine& engine, PendingWav& wav, const RenderOptions& options, RenderResult& result) {
    std::vector<StereoFrame> frames(options.chunk_frames);
    std::vector<float> interleaved(2 * frames.size());
    while (result.frames < options.frames) {
        if (options.cancel && options.cancel->load(std::memory_order_relaxed)) throw std::runtime_error("cancelled");
        const std::span<StereoFrame> chunk(frames.data(), std::min<uint64_t>(frames.size(), options.frames - result.frames));

        const double cpu_start = thread_cpu_seconds();
        const auto wall_start = std::chrono::steady_clock::now();
        engine.renderer().render(chunk);
        result.render_wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
        result.render_cpu_s += thread_cpu_seconds() - cpu_start;

        engine.collect();  // what leld's control loop does between the producer's blocks
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            interleaved[2 * i] = chunk[i].left;
            interleaved[2 * i + 1] = chunk[i].right;
        }
        wav.write(std::span<const float>(interleaved.data(), 2 * chunk.size()));
        result.frames += chunk.size();
    }
}

}  // namespace

std::optional<SampleFormat> parse_sample_format(std::string_view name) {
    if (name == "float") return SampleFormat::float32;
    if (name == "pcm16") return SampleFormat::pcm16;
    if (name == "pcm24") return SampleFormat::pcm24;
    return std::nullopt;
}

RenderResult render_offline(const RenderOptions& options) {
    RenderResult result;
    try {
        if (options.frames == 0 || options.block == 0 || options.chunk_frames == 0 || options.sample_rate == 0) {
            throw std::invalid_argument("frames, block, chunk and sample rate must be positive");
        }
        PendingWav wav(options.output, options.sample_rate, options.format, options.frames);

        EngineConfig config;
        config.sample_rate = options.sample_rate;
        config.max_block = options.block;
        if (options.fade_ms) config.fade_ms = *options.fade_ms;
        Engine engine(config);
        result.signals = load_session(engine, options.module);
        render_into(engine, wav, options, result);
        result.faults = engine.renderer().faults_approx();
        wav.commit();
        result.ok = true;
    } catch (const std::exception& e) {
        result.ok = false;
        result.message = e.what();
    }
    return result;
}

std::string summary_line(const RenderOptions& options, const RenderResult& result) {
    const double seconds = static_cast<double>(result.frames) / options.sample_rate;
    const double cpu = result.render_cpu_s;
    const double speed = cpu > 0.0 ? seconds / cpu : 0.0;
    const double ns_per_frame = result.frames ? 1e9 * cpu / static_cast<double>(result.frames) : 0.0;
    return fmt::format("rendered {:g} s ({} frames) to {} in {:.6f} s: {:.1f} x real time, {:.1f} ns per frame",
                       seconds, result.frames, options.output.string(), cpu, speed, ns_per_frame);
}

std::string stats_lines(const RenderResult& result) {
    return fmt::format("render_cpu_s {:.6f}\nrender_wall_s {:.6f}\nframes {}\nsignals {}\nfaults {}\n",
                       result.render_cpu_s, result.render_wall_s, result.frames, result.signals, result.faults);
}

}  // namespace lel::client
