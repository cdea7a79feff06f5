// lel bench — scsynth NRT runs: SynthDef and score encoders, the child
// process, the output check. See scsynth_nrt.hpp for the what and why.
//
// Formats, as scsynth 3.13 reads them (all big-endian, packed):
//   SynthDef file: "SCgf", int32 version 2, int16 count, then per definition
//     pstring name; int32 K, float32[K] constants; int32 P, float32[P] initial
//     parameter values; int32 names, (pstring, int32 index)[names];
//     int32 U, per UGen: pstring class, int8 rate, int32 inputs, int32 outputs,
//     int16 special index, (int32 ugen or -1, int32 output or constant index)
//     [inputs], int8 rate[outputs]; int16 variants (none here).
//   NRT score: [int32 length][OSC bundle]..., each bundle's time tag being
//     seconds * 2^32 from the start of the render; time tags must not decrease.
// Threads: control side, blocking; no state outside the calls.
#include "scsynth_nrt.hpp"

#include <fmt/format.h>
#include <sndfile.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <variant>

extern char** environ;

namespace fs = std::filesystem;

namespace lel::bench {
namespace {

constexpr float amplitude = 0.01f;
constexpr int first_node_id = 1000;

// ------------------------------------------------------------ byte encoding

class BigEndianWriter {
public:
    explicit BigEndianWriter(std::vector<std::uint8_t>& out) : out_(out) {}

    void u8(std::uint8_t v) { out_.push_back(v); }
    void i16(std::int16_t v) { put(static_cast<std::uint16_t>(v), 2); }
    void i32(std::int32_t v) { put(static_cast<std::uint32_t>(v), 4); }
    void u64(std::uint64_t v) { put(v, 8); }
    void f32(float v) { put(std::bit_cast<std::uint32_t>(v), 4); }
    void raw(const void* data, std::size_t size) {
        const auto* p = static_cast<const std::uint8_t*>(data);
        out_.insert(out_.end(), p, p + size);
    }
    // A Pascal string: one length byte, then the bytes.
    void pstring(std::string_view s) {
        if (s.size() > 255) throw std::invalid_argument(fmt::format("pstring too long: {}", s));
        u8(static_cast<std::uint8_t>(s.size()));
        raw(s.data(), s.size());
    }
    // An OSC string: the bytes, then one to four NULs up to a multiple of four.
    void osc_string(std::string_view s) {
        raw(s.data(), s.size());
        zeros(round_up4(s.size() + 1) - s.size());
    }
    // An OSC blob: int32 size, the bytes, NULs up to a multiple of four.
    void osc_blob(const std::vector<std::uint8_t>& b) {
        i32(static_cast<std::int32_t>(b.size()));
        raw(b.data(), b.size());
        zeros(round_up4(b.size()) - b.size());
    }

private:
    static std::size_t round_up4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }
    void zeros(std::size_t count) { out_.insert(out_.end(), count, 0); }
    void put(std::uint64_t v, int bytes) {
        for (int i = bytes - 1; i >= 0; --i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }

    std::vector<std::uint8_t>& out_;
};

// ---------------------------------------------------------- OSC messages

using OscArg = std::variant<std::int32_t, float, std::string, std::vector<std::uint8_t>>;

std::vector<std::uint8_t> osc_message(std::string_view address, const std::vector<OscArg>& args) {
    std::string tags = ",";
    for (const auto& a : args) tags += "ifsb"[a.index()];
    std::vector<std::uint8_t> out;
    BigEndianWriter w(out);
    w.osc_string(address);
    w.osc_string(tags);
    for (const auto& a : args) {
        if (const auto* i = std::get_if<std::int32_t>(&a)) w.i32(*i);
        else if (const auto* f = std::get_if<float>(&a)) w.f32(*f);
        else if (const auto* s = std::get_if<std::string>(&a)) w.osc_string(*s);
        else w.osc_blob(std::get<std::vector<std::uint8_t>>(a));
    }
    return out;
}

// One score entry: the bundle's length, then the bundle (time tag `seconds`
// from the start of the render, as NTP-style 32.32 fixed point).
void append_score_bundle(std::vector<std::uint8_t>& score, double seconds,
                         const std::vector<std::vector<std::uint8_t>>& messages) {
    std::vector<std::uint8_t> bundle;
    BigEndianWriter b(bundle);
    b.osc_string("#bundle");
    b.u64(static_cast<std::uint64_t>(std::llround(seconds * 4294967296.0)));
    for (const auto& m : messages) {
        b.i32(static_cast<std::int32_t>(m.size()));
        b.raw(m.data(), m.size());
    }
    BigEndianWriter s(score);
    s.i32(static_cast<std::int32_t>(bundle.size()));
    s.raw(bundle.data(), bundle.size());
}

// ------------------------------------------------------------- SynthDefs

enum class Rate : std::int8_t { scalar = 0, control = 1, audio = 2 };

// An input: output `index` of UGen `source`, or constant number `index` when source is -1.
struct Input {
    std::int32_t source;
    std::int32_t index;
};

struct UGen {
    std::string name;
    Rate rate;
    std::int16_t special;  // the operator for Unary/BinaryOpUGen, the first parameter for Control
    std::vector<Input> inputs;
    std::vector<Rate> outputs;
};

// BinaryOpUGen's special index for each operator used here (scsynth's
// operator table: '+' is 0, '*' is 2).
constexpr std::int16_t op_add = 0;
constexpr std::int16_t op_mul = 2;

// A SynthDef under construction. UGens must be added in an order where each
// one's inputs come before it; scsynth runs them in file order and reuses a
// wire buffer once its last reader has run, so adding each oscillator just
// before the sum that reads it keeps the wire count small for any n.
class GraphDef {
public:
    explicit GraphDef(std::string name) : name_(std::move(name)) {}

    Input constant(float v) {
        const auto it = std::find(constants_.begin(), constants_.end(), v);
        if (it != constants_.end()) return {-1, static_cast<std::int32_t>(it - constants_.begin())};
        constants_.push_back(v);
        return {-1, static_cast<std::int32_t>(constants_.size() - 1)};
    }
    // A control-rate parameter, read through one Control UGen per parameter.
    Input parameter(std::string name, float initial) {
        const auto index = static_cast<std::int16_t>(params_.size());
        params_.push_back({std::move(name), initial});
        return add({"Control", Rate::control, index, {}, {Rate::control}});
    }
    Input add(UGen u) {
        ugens_.push_back(std::move(u));
        return {static_cast<std::int32_t>(ugens_.size() - 1), 0};
    }
    Input audio(std::string name, std::vector<Input> inputs, std::int16_t special = 0) {
        return add({std::move(name), Rate::audio, special, std::move(inputs), {Rate::audio}});
    }

    void write(BigEndianWriter& w) const {
        w.pstring(name_);
        w.i32(static_cast<std::int32_t>(constants_.size()));
        for (float c : constants_) w.f32(c);
        w.i32(static_cast<std::int32_t>(params_.size()));
        for (const auto& p : params_) w.f32(p.second);
        w.i32(static_cast<std::int32_t>(params_.size()));
        for (std::size_t i = 0; i < params_.size(); ++i) {
            w.pstring(params_[i].first);
            w.i32(static_cast<std::int32_t>(i));
        }
        w.i32(static_cast<std::int32_t>(ugens_.size()));
        for (const auto& u : ugens_) {
            w.pstring(u.name);
            w.u8(static_cast<std::uint8_t>(u.rate));
            w.i32(static_cast<std::int32_t>(u.inputs.size()));
            w.i32(static_cast<std::int32_t>(u.outputs.size()));
            w.i16(u.special);
            for (const auto& in : u.inputs) {
                w.i32(in.source);
                w.i32(in.index);
            }
            for (Rate r : u.outputs) w.u8(static_cast<std::uint8_t>(r));
        }
        w.i16(0);  // no variants
    }

private:
    std::string name_;
    std::vector<float> constants_;
    std::vector<std::pair<std::string, float>> params_;
    std::vector<UGen> ugens_;
};

// Out.ar(0, [signal * 0.01, same]).
void add_stereo_out(GraphDef& g, Input signal) {
    const Input scaled = g.audio("BinaryOpUGen", {signal, g.constant(amplitude)}, op_mul);
    g.add({"Out", Rate::audio, 0, {g.constant(0), scaled, scaled}, {}});
}

GraphDef sine_def() {
    GraphDef g("lelbench_sine");
    const Input freq = g.parameter("freq", 440);
    add_stereo_out(g, g.audio("SinOsc", {freq, g.constant(0)}));
    return g;
}

// Sum of n SinOsc: acc = Sum4(acc, three more), the last one or two with '+' or Sum3.
GraphDef mix_def(int n) {
    GraphDef g("lelbench_mix");
    const auto sine = [&](int k) {
        return g.audio("SinOsc", {g.constant(static_cast<float>(oscillator_frequency(k))), g.constant(0)});
    };
    Input acc = sine(0);
    for (int k = 1; k < n;) {
        const int take = std::min(3, n - k);
        std::vector<Input> terms{acc};
        for (int i = 0; i < take; ++i) terms.push_back(sine(k + i));
        k += take;
        if (take == 3) acc = g.audio("Sum4", std::move(terms));
        else if (take == 2) acc = g.audio("Sum3", std::move(terms));
        else acc = g.audio("BinaryOpUGen", std::move(terms), op_add);
    }
    add_stereo_out(g, acc);
    return g;
}

const char* def_name(Variant v) { return v == Variant::synths ? "lelbench_sine" : "lelbench_mix"; }

// ------------------------------------------------------------ the process

std::string log_tail(const fs::path& log, std::size_t max_chars = 2000) {
    std::ifstream in(log, std::ios::binary);
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (text.size() > max_chars) text = "..." + text.substr(text.size() - max_chars);
    return text;
}

[[noreturn]] void fail(const std::string& what, const fs::path& log) {
    throw std::runtime_error(fmt::format("{}\n--- end of {} ---\n{}", what, log.string(), log_tail(log)));
}

void write_file(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", path.string()));
}

struct Child {
    int status;
    rusage usage;
};

// Runs argv[0] with stdin from /dev/null and stdout+stderr to `log`; waits.
Child spawn_and_wait(const std::vector<std::string>& args, const fs::path& log) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = -1;
    const int err = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0) throw std::runtime_error(fmt::format("cannot start {}: {}", args[0], std::strerror(err)));

    Child child{};
    while (wait4(pid, &child.status, 0, &child.usage) < 0) {
        if (errno != EINTR) throw std::runtime_error(fmt::format("wait4 {}: {}", pid, std::strerror(errno)));
    }
    return child;
}

double seconds_of(const timeval& t) { return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec); }

// Reads the render back: frames and per-channel RMS. Fails unless it is a
// stereo file of at least `min_frames` frames.
void read_output(const fs::path& wav, long min_frames, const fs::path& log, ScsynthRun& run) {
    SF_INFO info{};
    SNDFILE* f = sf_open(wav.c_str(), SFM_READ, &info);
    if (!f) fail(fmt::format("scsynth wrote no readable {}: {}", wav.string(), sf_strerror(nullptr)), log);
    if (info.channels != 2 || info.samplerate != scsynth_sample_rate || info.frames < min_frames) {
        sf_close(f);
        fail(fmt::format("{}: {} channels, {} Hz, {} frames; expected 2, {}, at least {}", wav.string(),
                         info.channels, info.samplerate, info.frames, scsynth_sample_rate, min_frames),
             log);
    }
    std::vector<float> buf(2 * 8192);
    double sum_l = 0, sum_r = 0;
    sf_count_t got;
    while ((got = sf_readf_float(f, buf.data(), 8192)) > 0) {
        for (sf_count_t i = 0; i < got; ++i) {
            sum_l += double(buf[2 * i]) * buf[2 * i];
            sum_r += double(buf[2 * i + 1]) * buf[2 * i + 1];
        }
    }
    sf_close(f);
    run.frames = static_cast<long>(info.frames);
    run.rms_left = std::sqrt(sum_l / static_cast<double>(info.frames));
    run.rms_right = std::sqrt(sum_r / static_cast<double>(info.frames));
}

}  // namespace

std::string_view to_string(Variant v) noexcept { return v == Variant::synths ? "synths" : "mix"; }

std::optional<Variant> parse_variant(std::string_view name) noexcept {
    if (name == "synths") return Variant::synths;
    if (name == "mix") return Variant::mix;
    return std::nullopt;
}

double oscillator_frequency(int k) noexcept { return 100.0 + 0.37 * k; }

std::vector<std::uint8_t> make_synthdef_file(Variant v, int n) {
    if (v == Variant::mix && n < 1) throw std::invalid_argument("the mix SynthDef needs at least one oscillator");
    std::vector<std::uint8_t> out;
    BigEndianWriter w(out);
    w.i32(0x53436766);  // "SCgf", big-endian (written as an integer: g++ 12 -O3 misreads a 4-byte insert as an overflow)
    w.i32(2);
    w.i16(1);
    (v == Variant::synths ? sine_def() : mix_def(n)).write(w);
    return out;
}

std::vector<std::uint8_t> make_score(Variant v, int n, double seconds,
                                     const std::vector<std::uint8_t>& synthdef_file) {
    std::vector<std::uint8_t> score;
    // /d_recv is asynchronous in real time, but in NRT scsynth runs all of an
    // asynchronous command's stages at once, so a later bundle at the same
    // time already finds the definition.
    append_score_bundle(score, 0, {osc_message("/d_recv", {synthdef_file})});
    std::vector<std::vector<std::uint8_t>> news;
    if (v == Variant::synths) {
        // addToTail (1) of the root group (0): NRT has no default group 1.
        for (int k = 0; k < n; ++k)
            news.push_back(osc_message("/s_new", {std::string(def_name(v)), first_node_id + k, 1, 0,
                                                  std::string("freq"),
                                                  static_cast<float>(oscillator_frequency(k))}));
    } else if (n > 0) {
        news.push_back(osc_message("/s_new", {std::string(def_name(v)), first_node_id, 1, 0}));
    }
    if (!news.empty()) append_score_bundle(score, 0, news);
    // The render ends with the block holding the last bundle's time.
    append_score_bundle(score, seconds, {osc_message("/c_set", {0, 0.0f})});
    return score;
}

ScsynthRun run_scsynth_nrt(const fs::path& scsynth, const fs::path& workdir, Variant v, int n, double seconds,
                           int block) {
    if (n < 0 || seconds <= 0 || block < 1) throw std::invalid_argument("run_scsynth_nrt: n >= 0, seconds > 0, block >= 1");
    fs::create_directories(workdir);
    const fs::path dir = fs::absolute(workdir);
    const fs::path def = dir / "lelbench.scsyndef", score = dir / "score.osc", wav = dir / "out.wav",
                   log = dir / "scsynth.log";

    // The baseline (n == 0) loads the small definition and plays nothing.
    const auto def_bytes = make_synthdef_file(n == 0 ? Variant::synths : v, n);
    write_file(def, def_bytes);  // for inspection only: the score carries its own copy
    write_file(score, make_score(n == 0 ? Variant::synths : v, n, seconds, def_bytes));
    fs::remove(wav);

    // -D 0: load no SynthDefs from the user's directory; -m: real-time memory
    // (KiB) and -n: nodes, both sized for large n; -w stays at 64 wire buffers,
    // which mix_def's ordering never approaches.
    const std::vector<std::string> args = {
        scsynth.string(), "-N", score.string(), "_", wav.string(), std::to_string(scsynth_sample_rate), "WAV",
        "float", "-o", "2", "-i", "0", "-z", std::to_string(block), "-D", "0",
        "-m", std::to_string(std::max(8192, 64 * n)), "-n", std::to_string(std::max(1024, 2 * n + 64))};

    const auto start = std::chrono::steady_clock::now();
    const Child child = spawn_and_wait(args, log);
    ScsynthRun run;
    run.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.cpu_s = seconds_of(child.usage.ru_utime) + seconds_of(child.usage.ru_stime);

    if (!WIFEXITED(child.status) || WEXITSTATUS(child.status) != 0) {
        fail(WIFEXITED(child.status) ? fmt::format("scsynth exited with status {}", WEXITSTATUS(child.status))
                                     : fmt::format("scsynth killed by signal {}", WTERMSIG(child.status)),
             log);
    }
    // scsynth reports a bad command (say, an unknown SynthDef) and carries on.
    if (log_tail(log, std::size_t(1) << 20).find("FAILURE IN SERVER") != std::string::npos)
        fail("scsynth reported a failed command", log);

    const long expected_frames = std::lround(seconds * scsynth_sample_rate);
    read_output(wav, expected_frames - block, log, run);

    // n sines of amplitude 0.01 at distinct frequencies: RMS 0.01 * sqrt(n / 2).
    const double expected_rms = amplitude * std::sqrt(n / 2.0);
    const auto plausible = [&](double rms) {
        return n == 0 ? rms == 0 : rms > 0.5 * expected_rms && rms < 2 * expected_rms;
    };
    if (!plausible(run.rms_left) || !plausible(run.rms_right) ||
        std::abs(run.rms_left - run.rms_right) > 1e-6 * std::max(run.rms_left, 1e-9))
        fail(fmt::format("{}: RMS {:.6f} / {:.6f}, expected {:.6f} on both channels", wav.string(),
                         run.rms_left, run.rms_right, expected_rms),
             log);
    return run;
}

std::optional<fs::path> find_scsynth() {
    const auto executable = [](const fs::path& p) { return !p.empty() && access(p.c_str(), X_OK) == 0; };
    if (const char* env = std::getenv("SCSYNTH"); env && *env) {
        if (executable(env)) return fs::path(env);
        return std::nullopt;
    }
    if (const char* path = std::getenv("PATH")) {
        std::string_view rest = path;
        while (!rest.empty()) {
            const auto colon = rest.find(':');
            const std::string_view dir = rest.substr(0, colon);
            if (!dir.empty() && executable(fs::path(dir) / "scsynth")) return fs::path(dir) / "scsynth";
            rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
        }
    }
    for (const char* p : {"/usr/bin/scsynth", "/usr/local/bin/scsynth"})
        if (executable(p)) return fs::path(p);
    return std::nullopt;
}

}  // namespace lel::bench
