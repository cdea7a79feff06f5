// lel — sound files for session.sample: read, converted to leld's rate,
// shared between loads, freed when no program can play them.
//
// Design: a sample is a SampleData, immutable once made, handed out as a
// shared_ptr<const SampleData>. Who holds it:
//   - the ProgramBuilder of the load that asked for it, which gives every
//     Callable it creates a reference to the set of samples that load read
//     (program.hpp). A signal captures only a raw pointer to the frames
//     (lel::Sample); the Callable's reference is what keeps that pointer
//     valid for as long as any Program holding the callable exists;
//   - not the cache: it keeps a weak_ptr, so the last Program holding a
//     sample frees it, and Programs are deleted on the control thread only,
//     after the producer handed them back (program_mailbox.hpp). So frames
//     are never freed on a real-time thread, nor while a signal can read
//     them.
// The cache maps an absolute path to what it read there, with the file's
// mtime and size: a load of the same unchanged file shares the frames
// without decoding again; a changed file is decoded again (the old frames
// stay with the programs that still play them). Expired entries are dropped
// as loads go by.
//
// Trust: a sample is data, not code, so no owner rule; but it is opened
// O_NONBLOCK (a FIFO never blocks the open), must be a regular file, and its
// decoded size is bounded (max_bytes) before anything is allocated.
//
// Threads: control thread only (the session body's thread); blocking (file
// I/O, decoding, rate conversion). Nothing here runs in real time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace lel {

/// A sound file decoded and converted to the engine's rate. Immutable.
struct SampleData {
    std::string path;            ///< the absolute path it was read from
    std::vector<float> samples;  ///< frames * channels, interleaved
    uint64_t frames = 0;
    uint32_t channels = 0;       ///< 1 or 2
    double sample_rate = 0.0;    ///< the engine's rate
    double file_rate = 0.0;      ///< the file's own rate, before conversion
};

/// A sample could not be read; what() names the path and the reason.
class SampleError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class SampleCache {
public:
    /// Most bytes of decoded frames a sample may take, before and after the
    /// rate conversion (1 GiB: over an hour of stereo at 48 kHz).
    static constexpr uint64_t max_bytes = uint64_t{1} << 30;

    /// Samples are converted to `sample_rate` (Hz, > 0).
    explicit SampleCache(double sample_rate);
    SampleCache(const SampleCache&) = delete;
    SampleCache& operator=(const SampleCache&) = delete;

    /// The sample at `path` (relative: to `base_dir`; made absolute and
    /// normalised lexically). The cached one when the file's mtime and size
    /// are those it was read with and some program still holds it; else the
    /// file is read, decoded and converted. Control thread; blocking. Throws
    /// SampleError naming the path and the reason (missing, not a regular
    /// file, not a sound file libsndfile reads, too big, ...).
    std::shared_ptr<const SampleData> load(const std::filesystem::path& path,
                                           const std::filesystem::path& base_dir = {});

    /// Files decoded since construction (cache misses that succeeded).
    uint64_t decodes() const noexcept { return decodes_; }
    /// Paths whose latest sample some holder still keeps alive (an older
    /// read of a changed file is no longer an entry, though its holders
    /// keep it).
    std::size_t live() const;
    double sample_rate() const noexcept { return sample_rate_; }

private:
    struct Entry {
        int64_t mtime_ns = 0;
        uint64_t size = 0;
        std::weak_ptr<const SampleData> data;
    };

    void drop_expired();

    double sample_rate_;
    uint64_t decodes_ = 0;
    std::unordered_map<std::string, Entry> entries_;  // by absolute path
};

}  // namespace lel
