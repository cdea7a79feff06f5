#include "sample_cache.hpp"

#include <fmt/format.h>
#include <samplerate.h>
#include <sndfile.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

namespace lel {

namespace fs = std::filesystem;

namespace {

// Move-only owners of a descriptor and of a libsndfile handle.
class Fd {
public:
    explicit Fd(int fd) noexcept : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

struct SndfileCloser {
    void operator()(SNDFILE* f) const noexcept { sf_close(f); }
};
using Sndfile = std::unique_ptr<SNDFILE, SndfileCloser>;

[[noreturn]] void refuse(const std::string& path, std::string_view why) {
    throw SampleError(fmt::format("sample {}: {}", path, why));
}

const char* file_type(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

std::string size_text(uint64_t bytes) {
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

// Reads every frame of `file`, keeping its first two channels, interleaved.
std::vector<float> decode(SNDFILE* file, const SF_INFO& info, uint32_t channels, const std::string& path) {
    const auto in_channels = static_cast<uint32_t>(info.channels);
    const auto frames = static_cast<uint64_t>(info.frames);
    std::vector<float> out(frames * channels);
    // Reads a chunk at a time, so that a many-channel file never needs all
    // its channels in memory at once.
    constexpr uint64_t chunk = 16384;
    std::vector<float> buffer(chunk * in_channels);
    uint64_t done = 0;
    while (done < frames) {
        const sf_count_t want = static_cast<sf_count_t>(std::min(chunk, frames - done));
        const sf_count_t got = sf_readf_float(file, buffer.data(), want);
        if (got <= 0) break;
        for (sf_count_t i = 0; i < got; ++i) {
            for (uint32_t c = 0; c < channels; ++c) {
                out[(done + static_cast<uint64_t>(i)) * channels + c] = buffer[static_cast<uint64_t>(i) * in_channels + c];
            }
        }
        done += static_cast<uint64_t>(got);
    }
    if (sf_error(file) != SF_ERR_NO_ERROR) {
        refuse(path, fmt::format("read error after {} of {} frames: {}", done, frames, sf_strerror(file)));
    }
    out.resize(done * channels);  // a file shorter than its header says plays what it holds
    return out;
}

// Converts interleaved `in` from `from` Hz to `to` Hz (libsamplerate's
// medium sinc: flat to 90% of the lower Nyquist, ~121 dB SNR; its best
// quality costs ~3x the load time for no audible gain in samples).
std::vector<float> convert(const std::vector<float>& in, uint32_t channels, double from, double to,
                           const std::string& path) {
    const double ratio = to / from;
    if (!src_is_valid_ratio(ratio)) {
        refuse(path, fmt::format("its rate, {} Hz, is too far from leld's {} Hz to convert (at most 256x)", from, to));
    }
    const uint64_t in_frames = in.size() / channels;
    const auto out_capacity = static_cast<uint64_t>(std::ceil(static_cast<double>(in_frames) * ratio)) + 16;
    if (out_capacity > SampleCache::max_bytes / (sizeof(float) * channels)) {
        refuse(path, fmt::format("it takes more than {} at {} Hz (the limit)", size_text(SampleCache::max_bytes), to));
    }
    std::vector<float> out(out_capacity * channels);
    SRC_DATA data{};
    data.data_in = in.data();
    data.data_out = out.data();
    data.input_frames = static_cast<long>(in_frames);
    data.output_frames = static_cast<long>(out_capacity);
    data.end_of_input = 1;
    data.src_ratio = ratio;
    if (const int e = src_simple(&data, SRC_SINC_MEDIUM_QUALITY, static_cast<int>(channels)); e != 0) {
        refuse(path, fmt::format("rate conversion from {} Hz failed: {}", from, src_strerror(e)));
    }
    out.resize(static_cast<uint64_t>(data.output_frames_gen) * channels);
    out.shrink_to_fit();
    return out;
}

}  // namespace

SampleCache::SampleCache(double sample_rate) : sample_rate_(sample_rate) {}

std::size_t SampleCache::live() const {
    std::size_t n = 0;
    for (const auto& [path, entry] : entries_) n += entry.data.expired() ? 0 : 1;
    return n;
}

void SampleCache::drop_expired() {
    std::erase_if(entries_, [](const auto& kv) { return kv.second.data.expired(); });
}

std::shared_ptr<const SampleData> SampleCache::load(const fs::path& path, const fs::path& base_dir) {
    if (path.empty()) throw SampleError("sample: the path is empty");
    drop_expired();
    fs::path absolute = path;
    if (path.is_relative()) absolute = base_dir.empty() ? fs::absolute(path) : base_dir / path;
    const std::string name = absolute.lexically_normal().string();

    // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then
    // refuses it like any file that is not regular.
    const Fd fd(::open(name.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0) refuse(name, std::strerror(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) refuse(name, std::strerror(errno));
    if (!S_ISREG(st.st_mode)) refuse(name, fmt::format("is {}, not a sound file", file_type(st.st_mode)));
    const int64_t mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
    const auto size = static_cast<uint64_t>(st.st_size);

    if (const auto it = entries_.find(name); it != entries_.end() && it->second.mtime_ns == mtime_ns &&
                                             it->second.size == size) {
        if (auto data = it->second.data.lock()) return data;
    }

    SF_INFO info{};
    Sndfile file(sf_open_fd(fd.get(), SFM_READ, &info, SF_FALSE));
    if (!file) refuse(name, fmt::format("not a sound file libsndfile reads ({})", sf_strerror(nullptr)));
    if (info.channels <= 0 || info.samplerate <= 0 || info.frames < 0) {
        refuse(name, fmt::format("bad header: {} channels at {} Hz, {} frames", info.channels, info.samplerate,
                                 info.frames));
    }
    const auto frames = static_cast<uint64_t>(info.frames);
    if (frames > max_bytes / (sizeof(float) * static_cast<uint64_t>(info.channels))) {
        refuse(name, fmt::format("{} frames of {} channels take more than {} decoded (the limit)", frames,
                                 info.channels, size_text(max_bytes)));
    }
    auto data = std::make_shared<SampleData>();
    data->path = name;
    data->channels = info.channels >= 2 ? 2u : 1u;
    data->file_rate = info.samplerate;
    data->sample_rate = sample_rate_;
    data->samples = decode(file.get(), info, data->channels, name);
    if (data->file_rate != sample_rate_ && !data->samples.empty()) {
        data->samples = convert(data->samples, data->channels, data->file_rate, sample_rate_, name);
    }
    data->frames = data->samples.size() / data->channels;
    ++decodes_;
    spdlog::info("sample {}: {} frames, {} channel{}{} ({})", name, data->frames, info.channels,
                 info.channels == 1 ? "" : "s", info.channels > 2 ? ", the first 2 kept" : "",
                 data->file_rate == sample_rate_ ? fmt::format("{} Hz", sample_rate_)
                                                 : fmt::format("{} Hz converted to {} Hz", data->file_rate,
                                                               sample_rate_));
    entries_[name] = Entry{mtime_ns, size, data};
    return data;
}

}  // namespace lel
