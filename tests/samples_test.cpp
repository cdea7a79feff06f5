// Samples: session.sample reads a sound file (libsndfile) converted to
// leld's rate (libsamplerate), cached by path, mtime and size; lel::play
// plays it from a trigger. The files are written here, with libsndfile.
// Through the Engine: a sample's frames are freed only once the last
// program that can play them is retired (run this under the ASan build to
// see no use-after-free).
#include "engine.hpp"
#include "sample_cache.hpp"

#include "dsp/offline.hpp"

#include <lel/lel.hpp>

#include <gtest/gtest.h>
#include <sndfile.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace lel;
namespace fs = std::filesystem;

namespace {

// A directory of its own for each test, removed after it.
class TempDir {
public:
    TempDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = fs::temp_directory_path() /
                (std::string("lel-samples-") + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    fs::path operator/(const std::string& name) const { return path_ / name; }
    const fs::path& path() const noexcept { return path_; }

private:
    fs::path path_;
};

// Writes `samples` (interleaved) as a 32-bit float WAV file, so that what
// is read back is bit-exact.
void write_wav(const fs::path& path, int channels, int rate, const std::vector<float>& samples) {
    SF_INFO info{};
    info.channels = channels;
    info.samplerate = rate;
    info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    ASSERT_NE(f, nullptr) << sf_strerror(nullptr);
    const sf_count_t frames = static_cast<sf_count_t>(samples.size()) / channels;
    ASSERT_EQ(sf_writef_float(f, samples.data(), frames), frames);
    sf_close(f);
}

// `seconds` of a sine of `hz` at `rate`, amplitude `amp`, on `channels`
// channels (the right one at half the amplitude, to tell them apart).
std::vector<float> sine(double hz, int rate, double seconds, int channels, double amp = 0.5) {
    const auto frames = static_cast<std::size_t>(std::lround(seconds * rate));
    std::vector<float> v(frames * static_cast<std::size_t>(channels));
    for (std::size_t i = 0; i < frames; ++i) {
        const double x = amp * std::sin(2.0 * M_PI * hz * static_cast<double>(i) / rate);
        for (int c = 0; c < channels; ++c) v[i * channels + c] = static_cast<float>(c == 0 ? x : 0.5 * x);
    }
    return v;
}

// The frequency of a sine from its rising zero crossings (interpolated),
// away from both ends (the converter's filter rings there).
double frequency(const SampleData& d, uint32_t channel) {
    const uint64_t skip = d.frames / 10;
    double first = -1.0, last = -1.0;
    int crossings = 0;
    for (uint64_t i = skip; i + 1 < d.frames - skip; ++i) {
        const double a = d.samples[i * d.channels + channel];
        const double b = d.samples[(i + 1) * d.channels + channel];
        if (a < 0.0 && b >= 0.0) {
            const double t = static_cast<double>(i) + a / (a - b);
            if (first < 0.0) first = t;
            last = t;
            ++crossings;
        }
    }
    return crossings > 1 ? (crossings - 1) * d.sample_rate / (last - first) : 0.0;
}

Sample handle(const SampleData& d) { return Sample{d.samples.data(), d.frames, d.channels, d.sample_rate}; }

// A mono ramp, data[i] = i / frames: linear interpolation of it is exact.
std::vector<float> ramp(std::size_t frames) {
    std::vector<float> v(frames);
    for (std::size_t i = 0; i < frames; ++i) v[i] = static_cast<float>(static_cast<double>(i) / frames);
    return v;
}

}  // namespace

// ------------------------------------------------------------ the cache

TEST(SampleCache, AMono44kFileIsConvertedTo48kKeepingItsLengthAndItsFrequency) {
    TempDir dir;
    write_wav(dir / "a.wav", 1, 44100, sine(441.0, 44100, 1.0, 1));
    SampleCache cache(48000.0);
    const auto d = cache.load(dir / "a.wav");
    EXPECT_EQ(d->channels, 1u);
    EXPECT_EQ(d->sample_rate, 48000.0);
    EXPECT_EQ(d->file_rate, 44100.0);
    EXPECT_NEAR(static_cast<double>(d->frames), 48000.0, 2.0);
    EXPECT_EQ(d->samples.size(), d->frames);
    EXPECT_NEAR(frequency(*d, 0), 441.0, 0.01);
    // Its level too: the converter's passband is flat at 441 Hz.
    float peak = 0.0f;
    for (uint64_t i = d->frames / 10; i < d->frames * 9 / 10; ++i) peak = std::max(peak, std::fabs(d->samples[i]));
    EXPECT_NEAR(peak, 0.5, 0.005);
}

TEST(SampleCache, AStereo48kFileIsKeptAsItIsBitForBit) {
    TempDir dir;
    const std::vector<float> written = sine(1000.0, 48000, 0.5, 2);
    write_wav(dir / "b.wav", 2, 48000, written);
    SampleCache cache(48000.0);
    const auto d = cache.load(dir / "b.wav");
    EXPECT_EQ(d->channels, 2u);
    EXPECT_EQ(d->frames, 24000u);
    EXPECT_EQ(d->samples, written);
    EXPECT_NEAR(frequency(*d, 0), 1000.0, 0.01);
    EXPECT_NEAR(frequency(*d, 1), 1000.0, 0.01);
}

TEST(SampleCache, AFileOfMoreThanTwoChannelsKeepsItsFirstTwo) {
    TempDir dir;
    std::vector<float> four(4 * 100);
    for (std::size_t i = 0; i < 100; ++i) {
        for (std::size_t c = 0; c < 4; ++c) four[i * 4 + c] = static_cast<float>(c) * 0.1f + 0.001f * i;
    }
    write_wav(dir / "quad.wav", 4, 48000, four);
    SampleCache cache(48000.0);
    const auto d = cache.load(dir / "quad.wav");
    ASSERT_EQ(d->channels, 2u);
    ASSERT_EQ(d->frames, 100u);
    for (std::size_t i = 0; i < 100; ++i) {
        EXPECT_EQ(d->samples[i * 2], four[i * 4]);
        EXPECT_EQ(d->samples[i * 2 + 1], four[i * 4 + 1]);
    }
}

TEST(SampleCache, LoadingTheSameUnchangedFileAgainReturnsTheSameFramesWithoutDecoding) {
    TempDir dir;
    write_wav(dir / "k.wav", 1, 44100, sine(100.0, 44100, 0.2, 1));
    SampleCache cache(48000.0);
    const auto a = cache.load(dir / "k.wav");
    const auto b = cache.load(dir / "x" / ".." / "k.wav");  // the same path, spelt otherwise
    const auto c = cache.load("k.wav", dir.path());          // relative to a base directory
    EXPECT_EQ(a.get(), b.get());
    EXPECT_EQ(a.get(), c.get());
    EXPECT_EQ(cache.decodes(), 1u);
    EXPECT_EQ(cache.live(), 1u);
}

TEST(SampleCache, AChangedFileIsDecodedAgainAndTheOldFramesStayWithTheirHolders) {
    TempDir dir;
    write_wav(dir / "k.wav", 1, 48000, std::vector<float>(1000, 0.25f));
    SampleCache cache(48000.0);
    const auto old = cache.load(dir / "k.wav");
    write_wav(dir / "k.wav", 1, 48000, std::vector<float>(1000, -0.25f));  // same size: the mtime tells
    // Some file systems keep mtimes in coarse ticks: make sure it moved.
    const timespec times[2] = {{0, UTIME_OMIT}, {static_cast<time_t>(1'000'000), 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, (dir / "k.wav").c_str(), times, 0), 0);
    const auto fresh = cache.load(dir / "k.wav");
    EXPECT_NE(old.get(), fresh.get());
    EXPECT_EQ(cache.decodes(), 2u);
    EXPECT_EQ(old->samples[0], 0.25f);  // still whole for whoever plays it
    EXPECT_EQ(fresh->samples[0], -0.25f);
    write_wav(dir / "k.wav", 1, 48000, std::vector<float>(2000, 0.5f));  // another size
    EXPECT_EQ(cache.load(dir / "k.wav")->frames, 2000u);
    EXPECT_EQ(cache.decodes(), 3u);
}

TEST(SampleCache, ASampleNoOneHoldsIsDroppedAndDecodedAgainWhenAskedFor) {
    TempDir dir;
    write_wav(dir / "k.wav", 1, 48000, std::vector<float>(1000, 0.25f));
    SampleCache cache(48000.0);
    std::weak_ptr<const SampleData> weak = cache.load(dir / "k.wav");
    EXPECT_TRUE(weak.expired());  // the cache does not keep it alive
    EXPECT_EQ(cache.live(), 0u);
    (void)cache.load(dir / "k.wav");
    EXPECT_EQ(cache.decodes(), 2u);
}

namespace {

// What load() throws for `path`.
std::string error_for(SampleCache& cache, const fs::path& path) {
    try {
        (void)cache.load(path);
    } catch (const SampleError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST(SampleCache, AMissingFileFailsWithItsPathAndTheReason) {
    TempDir dir;
    SampleCache cache(48000.0);
    const std::string why = error_for(cache, dir / "nope.wav");
    EXPECT_NE(why.find((dir / "nope.wav").string()), std::string::npos) << why;
    EXPECT_NE(why.find("No such file or directory"), std::string::npos) << why;
}

TEST(SampleCache, AFileThatIsNotASoundFileFailsWithItsPathAndTheReason) {
    TempDir dir;
    std::ofstream(dir / "notes.wav") << "this is not a WAV file, only text that says it is\n";
    SampleCache cache(48000.0);
    const std::string why = error_for(cache, dir / "notes.wav");
    EXPECT_NE(why.find((dir / "notes.wav").string()), std::string::npos) << why;
    EXPECT_NE(why.find("not a sound file"), std::string::npos) << why;
    EXPECT_EQ(cache.decodes(), 0u);
}

TEST(SampleCache, ADirectoryOrAFifoFailsWithoutBlocking) {
    TempDir dir;
    fs::create_directory(dir / "kit.wav");
    ASSERT_EQ(::mkfifo((dir / "pipe.wav").c_str(), 0600), 0);
    SampleCache cache(48000.0);
    const std::string why_dir = error_for(cache, dir / "kit.wav");
    EXPECT_NE(why_dir.find((dir / "kit.wav").string()), std::string::npos) << why_dir;
    EXPECT_NE(why_dir.find("is a directory"), std::string::npos) << why_dir;
    const std::string why_fifo = error_for(cache, dir / "pipe.wav");  // no writer: an open without O_NONBLOCK would hang
    EXPECT_NE(why_fifo.find("is a FIFO"), std::string::npos) << why_fifo;
    EXPECT_NE(error_for(cache, "").find("empty"), std::string::npos);
}

// ------------------------------------------------------------- lel::play

TEST(Play, IsSilentUntilATriggerThenPlaysTheSampleFrameByFrameThenIsSilent) {
    const std::vector<float> data = ramp(1000);
    const Sample sample{data.data(), 1000, 1, 48000.0};
    int n = 0;
    test::Offline sig([&n, sample](Context& s) { return play(s, sample, n++ == 100 ? 1.0 : 0.0); });
    ASSERT_EQ(sig.layout().size(), 1u);
    EXPECT_EQ(sig.layout()[0].kind, PlayState::kind);
    EXPECT_EQ(sig.layout()[0].size, 3u);
    n = 0;
    const auto [l, r] = sig.stereo(5000);
    for (int i = 0; i < 100; ++i) ASSERT_EQ(l[i], 0.0) << i;
    for (int i = 0; i < 1000; ++i) {
        ASSERT_EQ(l[100 + i], data[i]) << i;
        ASSERT_EQ(r[100 + i], data[i]) << i;  // a mono sample plays on both channels
    }
    for (int i = 1100; i < 5000; ++i) ASSERT_EQ(l[i], 0.0) << i;
    EXPECT_FALSE(sig.mismatched());
}

TEST(Play, AStereoSampleKeepsItsChannels) {
    std::vector<float> data(2 * 64);
    for (int i = 0; i < 64; ++i) {
        data[2 * i] = 0.01f * i;
        data[2 * i + 1] = -0.01f * i;
    }
    const Sample sample{data.data(), 64, 2, 48000.0};
    test::Offline sig([sample](Context& s) { return play(s, sample, 1.0); });  // a held trigger fires once
    const auto [l, r] = sig.stereo(200);
    for (int i = 0; i < 64; ++i) {
        EXPECT_EQ(l[i], data[2 * i]);
        EXPECT_EQ(r[i], data[2 * i + 1]);
    }
    for (int i = 64; i < 200; ++i) EXPECT_EQ(l[i] + r[i], 0.0);
}

TEST(Play, RateTwoPlaysAnOctaveUpInHalfTheTime) {
    TempDir dir;
    write_wav(dir / "a.wav", 1, 48000, sine(500.0, 48000, 0.5, 1));
    SampleCache cache(48000.0);
    const auto d = cache.load(dir / "a.wav");
    test::Offline sig([sample = handle(*d)](Context& s) { return play(s, sample, 1.0, 2.0); });
    const auto [l, r] = sig.stereo(24000);
    // It ends after half its frames...
    std::size_t end = 0;
    for (std::size_t i = 0; i < l.size(); ++i) end = l[i] != 0.0 ? i + 1 : end;
    EXPECT_NEAR(static_cast<double>(end), 12000.0, 1.0);
    // ...and every output sample is the frame twice as far in.
    for (std::size_t i = 0; i + 1 < end; ++i) ASSERT_EQ(l[i], d->samples[2 * i]) << i;
    // The pitch: 1 kHz.
    SampleData out;
    out.samples.assign(l.begin(), l.begin() + static_cast<std::ptrdiff_t>(end));
    out.frames = end;
    out.channels = 1;
    out.sample_rate = 48000.0;
    EXPECT_NEAR(frequency(out, 0), 1000.0, 0.01);
}

TEST(Play, AFractionalRateInterpolatesLinearlyBetweenFrames) {
    const std::vector<float> data = ramp(1000);
    const Sample sample{data.data(), 1000, 1, 48000.0};
    test::Offline sig([sample](Context& s) { return play(s, sample, 1.0, 0.75); });
    const auto [l, r] = sig.stereo(1400);
    for (int i = 0; i < 1300; ++i) EXPECT_NEAR(l[i], 0.75 * i / 1000.0, 1e-6) << i;  // a straight line stays one
    // The last frame fades into the silence after it, then nothing.
    EXPECT_NEAR(l[1333], 0.25 * 0.999, 1e-6);  // position 999.75
    for (int i = 1334; i < 1400; ++i) EXPECT_EQ(l[i], 0.0) << i;
}

TEST(Play, ARisingEdgeRestartsItFromTheStartAndAHeldTriggerDoesNot) {
    const std::vector<float> data = ramp(1000);
    const Sample sample{data.data(), 1000, 1, 48000.0};
    int n = 0;
    // High on [0, 300) (one edge), low, then an edge at 500.
    test::Offline sig([&n, sample](Context& s) {
        const int i = n++;
        return play(s, sample, i < 300 || i >= 500 ? 1.0 : 0.0);
    });
    n = 0;
    const auto [l, r] = sig.stereo(2000);
    for (int i = 0; i < 500; ++i) ASSERT_EQ(l[i], data[i]) << i;
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(l[500 + i], data[i]) << i;
    for (int i = 1500; i < 2000; ++i) ASSERT_EQ(l[i], 0.0) << i;
}

TEST(Play, ANegativeRatePlaysBackwardsFromTheEnd) {
    const std::vector<float> data = ramp(100);
    const Sample sample{data.data(), 100, 1, 48000.0};
    test::Offline sig([sample](Context& s) { return play(s, sample, 1.0, -1.0); });
    const auto [l, r] = sig.stereo(150);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(l[i], data[99 - i]) << i;
    for (int i = 100; i < 150; ++i) EXPECT_EQ(l[i], 0.0) << i;
}

TEST(Play, AnEmptySampleAndGarbageStateGiveSilenceAndKeepTheHelperOrder) {
    test::Offline sig([](Context& s) { return play(s, Sample{}, 1.0).left + lel::lag(s, 1.0, 0.0); });
    EXPECT_EQ(sig.layout().size(), 2u);
    for (const double x : sig.mono(10)) EXPECT_EQ(x, 1.0);
    EXPECT_FALSE(sig.mismatched());

    const std::vector<float> data = ramp(100);
    const Sample sample{data.data(), 100, 1, 48000.0};
    for (const double garbage : {double{NAN}, double{INFINITY}, -1.0, 1e300, 99.5}) {
        test::Offline g([sample](Context& s) { return play(s, sample, 0.0, NAN); });
        g.next();
        PlayState* st = reinterpret_cast<PlayState*>(g.context().helpers.area + 1);
        *st = PlayState{garbage, 1.0, garbage};
        for (int i = 0; i < 200; ++i) {
            const Frame f = g.next();
            ASSERT_TRUE(std::isfinite(f.left) && std::fabs(f.left) <= 1.0) << garbage;
        }
    }
}

// ----------------------------------------------------- through the Engine

namespace {

const EngineConfig defaults{};
constexpr std::size_t fade_frames = 240;  // 5 ms at 48 kHz

// The file the sample sessions read (a session is a plain function).
fs::path sample_path;

std::vector<StereoFrame> render(Engine& e, std::size_t frames) {
    std::vector<StereoFrame> out(frames);
    e.renderer().render(out);
    e.collect();
    return out;
}

void sample_session(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        const Sample kick = s.sample(sample_path.string());
        s.add("kick", [kick](Context& c) { return play(c, kick, 1.0); });
    });
}

void reads_then_fails_session(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        const Sample kick = s.sample(sample_path.string());
        s.add("kick", [kick](Context& c) { return play(c, kick, 1.0); });
        s.fail("changed my mind");
    });
}

void tone_session(const lel_host* h) {
    detail::run_session(h, [](Session& s) { s.add("tone", [](Context& c) { return 0.1 * lel::sine(c, 440.0); }); });
}

}  // namespace

TEST(EngineSamples, ASampleIsFreedOnlyAfterTheLastProgramThatPlaysItIsRetired) {
    TempDir dir;
    const std::vector<float> written = sine(200.0, 48000, 1.0, 2);
    write_wav(dir / "loop.wav", 2, 48000, written);
    sample_path = dir / "loop.wav";
    Engine e(defaults);
    const CommandResult r = e.run_session(sample_session, nullptr, "test");
    ASSERT_TRUE(r) << r.message;
    EXPECT_EQ(e.samples().decodes(), 1u);
    EXPECT_EQ(e.samples().live(), 1u);

    const std::vector<StereoFrame> out = render(e, 4096);
    for (std::size_t i = fade_frames; i < out.size(); ++i) {  // after the fade-in: the file, frame by frame
        ASSERT_NEAR(out[i].left, written[2 * i], 1e-6) << i;
        ASSERT_NEAR(out[i].right, written[2 * i + 1], 1e-6) << i;
    }
    ASSERT_TRUE(e.clear());
    // The registry let go, but the program in the renderer still plays it.
    EXPECT_EQ(e.samples().live(), 1u);
    const std::vector<StereoFrame> tail = render(e, fade_frames / 2);
    EXPECT_EQ(e.samples().live(), 1u);  // fading out: still read
    EXPECT_NE(tail[fade_frames / 4].left, 0.0f);
    render(e, fade_frames + 256);  // the fade is over: the program is retired and collected
    EXPECT_EQ(e.samples().live(), 0u);
    EXPECT_EQ(e.renderer().fading(), 0u);
}

TEST(EngineSamples, ReloadingTheSameSessionDoesNotDecodeAgainButAChangedFileIs) {
    TempDir dir;
    write_wav(dir / "k.wav", 1, 44100, sine(100.0, 44100, 0.5, 1));
    sample_path = dir / "k.wav";
    Engine e(defaults);
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(e.run_session(sample_session, nullptr, "test"));
        render(e, 512);
    }
    EXPECT_EQ(e.samples().decodes(), 1u);
    write_wav(dir / "k.wav", 1, 44100, sine(100.0, 44100, 0.25, 1));
    ASSERT_TRUE(e.run_session(sample_session, nullptr, "test"));
    EXPECT_EQ(e.samples().decodes(), 2u);
    EXPECT_EQ(e.samples().live(), 1u);  // the path's entry is the new file (the old program holds the old one)
    ASSERT_TRUE(e.run_session(sample_session, nullptr, "test"));
    EXPECT_EQ(e.samples().decodes(), 2u);  // the new file is cached in turn
    render(e, 2048);
    EXPECT_EQ(e.samples().live(), 1u);
}

TEST(EngineSamples, ARelativePathIsReadFromTheLoadsSampleDirectory) {
    TempDir dir;
    write_wav(dir / "k.wav", 1, 48000, std::vector<float>(100, 0.5f));
    sample_path = "k.wav";
    Engine e(defaults);
    LoadOptions options;
    options.sample_dir = dir.path();
    const CommandResult r = e.run_session(sample_session, nullptr, "test", options);
    EXPECT_TRUE(r) << r.message;
}

TEST(EngineSamples, AMissingSampleFailsTheLoadWithItsPathAndTheReasonAndTheOldProgramStays) {
    TempDir dir;
    sample_path = dir / "missing.wav";
    Engine e(defaults);
    ASSERT_TRUE(e.run_session(tone_session, nullptr, "test"));
    render(e, 512);
    const CommandResult r = e.run_session(sample_session, nullptr, "session.so");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.message, "session.so: sample " + sample_path.string() + ": No such file or directory");
    ASSERT_EQ(e.signals(), 1u);
    EXPECT_EQ(e.registry().entries()[0].name, "tone");
    EXPECT_FALSE(e.arena().find("kick"));
}

TEST(EngineSamples, AFailedLoadFreesTheSamplesItReadAtOnce) {
    TempDir dir;
    write_wav(dir / "k.wav", 1, 48000, std::vector<float>(100, 0.5f));
    sample_path = dir / "k.wav";
    Engine e(defaults);
    const CommandResult r = e.run_session(reads_then_fails_session, nullptr, "test");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.message, "test: changed my mind");
    EXPECT_EQ(e.samples().decodes(), 1u);
    EXPECT_EQ(e.samples().live(), 0u);
}
