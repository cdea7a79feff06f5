// offline_render and `lel render`: real modules (tests/modules, examples/)
// rendered by the real engine, the WAV read back with libsndfile and
// measured: length, format, pitch, level, fades; then every way it fails.
#include "offline_render.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numbers>
#include <sstream>

namespace {

using namespace lel::client;
using namespace lel::test;

fs::path test_module(const std::string& name) {
    const std::string var = "LEL_TEST_MODULE_" + name;
    const char* path = std::getenv(var.c_str());
    if (!path) throw std::runtime_error(var + " is not set (meson test sets it)");
    return path;
}

fs::path example(const std::string& name) {
    const char* dir = std::getenv("LEL_EXAMPLES_DIR");
    if (!dir) throw std::runtime_error("LEL_EXAMPLES_DIR is not set (meson test sets it)");
    return fs::path(dir) / name;
}

struct Wav {
    SF_INFO info{};
    std::vector<float> left, right;
};

Wav read_wav(const fs::path& path) {
    Wav w;
    SNDFILE* f = sf_open(path.c_str(), SFM_READ, &w.info);
    if (!f) throw std::runtime_error("cannot open " + path.string() + ": " + sf_strerror(nullptr));
    std::vector<float> interleaved(static_cast<std::size_t>(w.info.frames * w.info.channels));
    sf_readf_float(f, interleaved.data(), w.info.frames);
    sf_close(f);
    for (std::size_t i = 0; i + 1 < interleaved.size(); i += 2) {
        w.left.push_back(interleaved[i]);
        w.right.push_back(interleaved[i + 1]);
    }
    return w;
}

// Power of `x` at `hz` (Goertzel), normalised by length.
double power_at(const std::vector<float>& x, double hz, double rate) {
    const double k = 2.0 * std::cos(2.0 * std::numbers::pi * hz / rate);
    double s1 = 0.0, s2 = 0.0;
    for (const float v : x) {
        const double s0 = v + k * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    const double n = static_cast<double>(x.size());
    return (s1 * s1 + s2 * s2 - k * s1 * s2) / (n * n);
}

float peak(const std::vector<float>& x, std::size_t from = 0, std::size_t to = SIZE_MAX) {
    float p = 0.0f;
    for (std::size_t i = from; i < std::min(to, x.size()); ++i) p = std::max(p, std::abs(x[i]));
    return p;
}

// Files a test left in `dir`, but for the captured stdout/stderr of `lel`.
std::vector<std::string> files_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (name != ".lel-stdout" && name != ".lel-stderr") names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

// ------------------------------------------------------------ the binary

TEST(LelRender, TheSineModuleGivesOneSecondOf440HzAtHalfAmplitudeInBothChannels) {
    TempDir dir;
    const LelResult r =
        run_lel({"render", test_module("SINE_440").string(), "--seconds", "1", "-o", "out.wav"}, dir.path());
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "");
    const Wav w = read_wav(dir / "out.wav");
    EXPECT_EQ(w.info.frames, 48000);
    EXPECT_EQ(w.info.channels, 2);
    EXPECT_EQ(w.info.samplerate, 48000);
    EXPECT_EQ(w.info.format, SF_FORMAT_WAV | SF_FORMAT_FLOAT);  // RF64 only past 4 GB

    EXPECT_EQ(w.left, w.right);  // a mono signal goes to both channels
    const double at_440 = power_at(w.left, 440.0, 48000.0);
    for (const double other : {220.0, 330.0, 660.0, 880.0, 1000.0}) {
        EXPECT_GT(at_440, 1000.0 * power_at(w.left, other, 48000.0)) << other << " Hz";
    }
    EXPECT_NEAR(peak(w.left, 480), 0.5f, 0.001f);  // after the fade-in; below the limiter's knee
}

TEST(LelRender, PrintsTheOneLineThatBenchmarksParse) {
    TempDir dir;
    const LelResult r =
        run_lel({"render", test_module("SINE_440").string(), "--seconds", "0.5", "-o", "out.wav"}, dir.path());
    ASSERT_EQ(r.status, 0) << r.err;
    std::istringstream line(r.out);
    std::string rendered, s, frames, to, out, in, x_s, colon_s;
    double seconds = 0, cpu = 0, speed = 0, ns = 0;
    line >> rendered >> seconds >> s >> frames >> x_s >> to >> out >> in >> cpu >> colon_s >> speed;
    EXPECT_EQ(rendered, "rendered");
    EXPECT_EQ(seconds, 0.5);
    EXPECT_EQ(frames, "(24000");
    EXPECT_EQ(out, "out.wav");
    EXPECT_EQ(colon_s, "s:");
    EXPECT_GT(cpu, 0.0);
    EXPECT_GT(speed, 1.0);  // one tone renders far faster than real time
    std::string rest;
    std::getline(line, rest);
    ASSERT_EQ(rest.find(" x real time, "), 0u) << r.out;
    EXPECT_EQ(std::sscanf(rest.c_str(), " x real time, %lf ns per frame", &ns), 1) << rest;
    EXPECT_NEAR(ns, 1e9 * cpu / 24000, 0.1);
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);
}

TEST(LelRender, QuietStatsPrintsOnlyKeyValueLines) {
    TempDir dir;
    const LelResult r = run_lel(
        {"render", test_module("SINE_440").string(), "--seconds", "1", "-o", "out.wav", "--quiet", "--stats"},
        dir.path());
    ASSERT_EQ(r.status, 0) << r.err;
    std::istringstream lines(r.out);
    std::map<std::string, double> figures;
    for (std::string key; lines >> key;) lines >> figures[key];
    EXPECT_EQ(figures.size(), 5u) << r.out;
    EXPECT_EQ(figures["frames"], 48000);
    EXPECT_EQ(figures["signals"], 1);
    EXPECT_EQ(figures["faults"], 0);
    EXPECT_GT(figures["render_cpu_s"], 0.0);
    EXPECT_GT(figures["render_wall_s"], 0.0);
}

TEST(LelRender, TheFadeInIsLeldsByDefaultAndFadeMsChangesIt) {
    TempDir dir;
    const std::string module = test_module("SINE_440").string();
    ASSERT_EQ(run_lel({"render", module, "--seconds", "0.1", "-o", "default.wav"}, dir.path()).status, 0);
    ASSERT_EQ(run_lel({"render", module, "--seconds", "0.1", "-o", "none.wav", "--fade-ms", "0"}, dir.path()).status, 0);
    ASSERT_EQ(run_lel({"render", module, "--seconds", "0.1", "-o", "long.wav", "--fade-ms", "50"}, dir.path()).status, 0);
    // 120 frames hold a whole crest of 440 Hz; a 5 ms (240-frame) linear
    // fade keeps them below half of full level, 50 ms far below.
    EXPECT_NEAR(peak(read_wav(dir / "none.wav").left, 0, 120), 0.5f, 0.001f);
    EXPECT_LT(peak(read_wav(dir / "default.wav").left, 0, 120), 0.26f);
    EXPECT_LT(peak(read_wav(dir / "long.wav").left, 0, 120), 0.03f);
    EXPECT_NEAR(peak(read_wav(dir / "long.wav").left, 2400), 0.5f, 0.001f);
}

TEST(LelRender, RateFormatAndBlockAreHonoured) {
    TempDir dir;
    const LelResult r = run_lel({"render", test_module("SINE_440").string(), "--seconds", "0.25", "-o", "out.wav",
                                 "--rate", "44100", "--block", "256", "--format", "pcm16"},
                                dir.path());
    ASSERT_EQ(r.status, 0) << r.err;
    const Wav w = read_wav(dir / "out.wav");
    EXPECT_EQ(w.info.samplerate, 44100);
    EXPECT_EQ(w.info.frames, 11025);
    EXPECT_EQ(w.info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    EXPECT_NEAR(peak(w.left, 441), 0.5f, 0.001f);
    EXPECT_GT(power_at(w.left, 440.0, 44100.0), 1000.0 * power_at(w.left, 660.0, 44100.0));

    ASSERT_EQ(run_lel({"render", test_module("SINE_440").string(), "--seconds", "0.25", "-o", "24.wav", "--format",
                       "pcm24"},
                      dir.path())
                  .status,
              0);
    EXPECT_EQ(read_wav(dir / "24.wav").info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
}

TEST(LelRender, ASessionSourceIsBuiltThenRendered) {
    TempDir dir;
    fs::copy_file(example("sine.cpp"), dir / "sine.cpp");
    const LelResult r = run_lel({"render", "sine.cpp", "--seconds", "1", "-o", "sine.wav"}, dir.path());
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("built " + (dir / "sine.so").string()), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("rendered 1 s (48000 frames) to sine.wav in "), std::string::npos) << r.out;
    const Wav w = read_wav(dir / "sine.wav");
    ASSERT_EQ(w.info.frames, 48000);
    // sine-440 at 0.2 in both channels, "fifths" at 0.1: 330 Hz left, 495 right.
    EXPECT_NE(w.left, w.right);
    EXPECT_GT(power_at(w.left, 440.0, 48000.0), 2.0 * power_at(w.left, 330.0, 48000.0));
    EXPECT_GT(power_at(w.left, 330.0, 48000.0), 1000.0 * power_at(w.left, 1000.0, 48000.0));
    EXPECT_GT(power_at(w.right, 495.0, 48000.0), 1000.0 * power_at(w.right, 1000.0, 48000.0));
    EXPECT_LE(peak(w.left), 0.3f + 1e-3f);
}

// Every sound in examples/ renders: it builds, loads, makes sound, never
// goes NaN (no signal muted) and stays within full scale.
TEST(LelRender, EveryExampleRendersWithSoundNoMutedSignalAndPeakAtMostOne) {
    TempDir dir;
    const fs::path examples = example("");
    fs::copy(examples, dir.path(), fs::copy_options::recursive);
    int rendered = 0;
    for (const auto& entry : fs::directory_iterator(examples)) {
        if (entry.path().extension() != ".cpp") continue;
        const std::string name = entry.path().stem().string();
        SCOPED_TRACE(name);
        const LelResult r = run_lel({"render", name + ".cpp", "--seconds", "6", "-o", name + ".wav", "--stats"},
                                    dir.path());
        ASSERT_EQ(r.status, 0) << r.err;
        EXPECT_NE(r.out.find("faults 0"), std::string::npos) << "a signal was muted:\n" << r.out << r.err;
        const Wav w = read_wav(dir / (name + ".wav"));
        for (const std::vector<float>* channel : {&w.left, &w.right}) {
            for (const float x : *channel) ASSERT_TRUE(std::isfinite(x));
            EXPECT_LE(peak(*channel), 1.0f);
            double sum = 0.0;
            for (const float x : *channel) sum += double(x) * x;
            EXPECT_GT(std::sqrt(sum / double(channel->size())), 1e-3) << "silent";
        }
        ++rendered;
    }
    EXPECT_GE(rendered, 5);
}

TEST(LelRender, ASignalThatGoesNanIsMutedCountedAndReportedOnStderr) {
    TempDir dir;
    write_file(dir / "nan.cpp", R"(#include <lel/lel.hpp>
#include <cmath>
LEL_SESSION(session) {
    session.add("tone", [](auto& s) { return 0.25 * std::sin(2.0 * M_PI * 440.0 * s.t); });
    session.add("bad", [](auto& s) { return s.frame > 1000 ? NAN : 0.0; });
}
)");
    const LelResult r = run_lel({"render", "nan.cpp", "--seconds", "1", "-o", "out.wav", "--quiet", "--stats"},
                                dir.path());
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("faults 1\n"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("signal 'bad' produced NaN"), std::string::npos) << r.err;
    const Wav w = read_wav(dir / "out.wav");
    EXPECT_TRUE(std::all_of(w.left.begin(), w.left.end(), [](float v) { return std::isfinite(v); }));
    EXPECT_NEAR(peak(w.left, 2400), 0.25f, 0.001f);  // the tone plays on
}

// -------------------------------------------------------------- failures

TEST(LelRender, AMissingModuleIsAUsageErrorAndWritesNothing) {
    TempDir dir;
    const LelResult r = run_lel({"render", "nothing.so", "--seconds", "1", "-o", "out.wav"}, dir.path());
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("nothing.so"), std::string::npos) << r.err;
    EXPECT_TRUE(files_in(dir.path()).empty());
}

TEST(LelRender, AModuleThatDoesNotLoadFailsWithTheReasonAndWritesNothing) {
    const std::pair<const char*, const char*> cases[] = {
        {"WRONG_ABI", "ABI mismatch"}, {"NOT_LEL", "not a lel module"}, {"NO_ENTRY", "not a lel module"}};
    for (const auto& [module, reason] : cases) {
        TempDir dir;
        const LelResult r = run_lel({"render", test_module(module).string(), "--seconds", "1", "-o", "out.wav"},
                                    dir.path());
        EXPECT_EQ(r.status, 1) << module;
        EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
        EXPECT_TRUE(files_in(dir.path()).empty()) << module;
    }
}

TEST(LelRender, AFailedRenderLeavesAnExistingFileAsItWas) {
    TempDir dir;
    write_file(dir / "out.wav", "an earlier take");
    const LelResult r =
        run_lel({"render", test_module("WRONG_ABI").string(), "--seconds", "1", "-o", "out.wav"}, dir.path());
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(read_file(dir / "out.wav"), "an earlier take");
    EXPECT_EQ(files_in(dir.path()), std::vector<std::string>{"out.wav"});
}

TEST(LelRender, ASessionThatDoesNotBuildOrRegistersNothingWritesNothing) {
    struct Case {
        const char* text;
        int status;
        const char* message;
    };
    const Case cases[] = {
        {broken_session, 2, "error"},  // the compiler's
        {"#include <lel/lel.hpp>\nLEL_SESSION(session) { session.clear(); }\n", 1, "registers no signal"},
    };
    for (const Case& c : cases) {
        TempDir dir;
        write_file(dir / "session.cpp", c.text);
        const LelResult r = run_lel({"render", "session.cpp", "--seconds", "1", "-o", "out.wav"}, dir.path());
        EXPECT_EQ(r.status, c.status) << c.message;
        EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
        EXPECT_FALSE(fs::exists(dir / "out.wav"));
    }
}

TEST(LelRender, AnUnwritableOutputFailsBeforeRendering) {
    TempDir dir;
    const LelResult r = run_lel(
        {"render", test_module("SINE_440").string(), "--seconds", "1", "-o", "no/such/dir/out.wav"}, dir.path());
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("cannot write 'no/such/dir/out.wav'"), std::string::npos) << r.err;
}

TEST(LelRender, SecondsMustBePositiveAndAtMostADay) {
    TempDir dir;
    const std::string module = test_module("SINE_440").string();
    for (const char* seconds : {"0", "-1", "0.00001", "86401", "nan"}) {
        const LelResult r = run_lel({"render", module, "--seconds", seconds, "-o", "out.wav"}, dir.path());
        EXPECT_EQ(r.status, 2) << seconds;
        EXPECT_NE(r.err.find("--seconds"), std::string::npos) << r.err;
    }
    EXPECT_EQ(run_lel({"render", module, "-o", "out.wav"}, dir.path()).status, 2);
    EXPECT_EQ(run_lel({"render", module, "--seconds", "1"}, dir.path()).status, 2);
    EXPECT_EQ(run_lel({"render", module, "--seconds", "1", "-o", "x.wav", "--format", "mp3"}, dir.path()).status, 2);
    EXPECT_TRUE(files_in(dir.path()).empty());
}

// ----------------------------------------------------------- the component

// The sine module into dir/out.wav.
RenderOptions sine_into(const TempDir& dir, uint64_t frames) {
    RenderOptions o;
    o.module = test_module("SINE_440");
    o.output = dir / "out.wav";
    o.frames = frames;
    return o;
}

TEST(OfflineRender, ChunksThatDoNotDivideTheLengthStillGiveEveryFrame) {
    TempDir dir;
    RenderOptions o = sine_into(dir, 10'007);
    o.chunk_frames = 300;
    const RenderResult r = render_offline(o);
    ASSERT_TRUE(r) << r.message;
    EXPECT_EQ(r.frames, 10'007u);
    EXPECT_EQ(read_wav(o.output).info.frames, 10'007);
}

TEST(OfflineRender, ACancelledRenderFailsAndLeavesNoFile) {
    TempDir dir;
    const std::atomic<bool> cancel{true};
    RenderOptions o = sine_into(dir, 48'000);
    o.cancel = &cancel;
    const RenderResult r = render_offline(o);
    EXPECT_FALSE(r);
    EXPECT_EQ(r.message, "cancelled");
    EXPECT_TRUE(files_in(dir.path()).empty());
}

TEST(OfflineRender, SampleFormatsAreParsedByName) {
    EXPECT_EQ(parse_sample_format("float"), SampleFormat::float32);
    EXPECT_EQ(parse_sample_format("pcm16"), SampleFormat::pcm16);
    EXPECT_EQ(parse_sample_format("pcm24"), SampleFormat::pcm24);
    EXPECT_EQ(parse_sample_format("wav"), std::nullopt);
}

}  // namespace
