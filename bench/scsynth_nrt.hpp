// lel bench — SuperCollider's scsynth rendering N SinOsc oscillators in
// non-real-time (NRT) mode, timed by the CPU its process used: a peer figure
// for lel's own cost per oscillator-sample.
//
// Design: no sclang. This file's implementation encodes the SynthDef itself
// (binary SCgf, version 2) and the NRT score (a sequence of
// [int32 big-endian length][OSC bundle], time tags in seconds as 32.32 fixed
// point), runs `scsynth -N` with posix_spawn, and reads the child's user+sys
// CPU time from wait4. The output WAV is read back and must hold the sines
// (plausible RMS on both channels), so a score scsynth silently ignored can
// never pass for a fast run.
//
// Two shapes of the same sound, sum of N sines * 0.01 to both channels:
//   synths — one SynthDef `lelbench_sine` (Out.ar(0, [SinOsc.ar(freq) * 0.01] * 2)),
//            N nodes of it: per-node overhead included;
//   mix    — one SynthDef `lelbench_mix` with N SinOsc of constant frequency
//            summed by a chain of Sum4 (Sum3 / '+' for the rest), one node.
// Oscillator k plays 100 + 0.37 k Hz in both.
//
// Threads: control side only; every function blocks (file I/O, child process)
// and throws std::runtime_error on failure. No shared state: functions may be
// called from several threads on distinct work directories.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace lel::bench {

/// The sample rate of every render; the figures are per sample at this rate.
inline constexpr int scsynth_sample_rate = 48000;

enum class Variant { synths, mix };

std::string_view to_string(Variant v) noexcept;
/// "synths" or "mix"; nullopt otherwise.
std::optional<Variant> parse_variant(std::string_view name) noexcept;

/// The frequency of oscillator k (Hz), the same in both variants.
double oscillator_frequency(int k) noexcept;

/// A synth-definition file (SCgf version 2) holding the one SynthDef the
/// variant plays: `lelbench_sine` for synths (n is ignored), `lelbench_mix`
/// with n >= 1 oscillators for mix. Throws std::invalid_argument for mix with n < 1.
std::vector<std::uint8_t> make_synthdef_file(Variant v, int n);

/// The NRT score: at t=0 /d_recv of `synthdef_file`, then the node(s) playing
/// n oscillators (none when n == 0: the empty baseline), and at t=seconds a
/// no-op (/c_set 0 0) that sets where the render ends.
std::vector<std::uint8_t> make_score(Variant v, int n, double seconds,
                                     const std::vector<std::uint8_t>& synthdef_file);

/// What one scsynth process cost, and what it wrote.
struct ScsynthRun {
    double cpu_s = 0;    ///< the child's user + system CPU time (all its threads)
    double wall_s = 0;   ///< spawn to reaped, startup and file writing included
    long frames = 0;     ///< frames in the output WAV
    double rms_left = 0, rms_right = 0;  ///< over the whole output
};

/// Renders n oscillators for `seconds` at 48 kHz with scsynth's block size
/// `block`, in `workdir` (created if missing; it receives the .scsyndef, the
/// score, out.wav and scsynth.log, overwritten by the next run). n == 0 renders
/// the empty baseline (definition loaded, no node).
/// Blocking; throws std::runtime_error, with the end of scsynth's log, when
/// scsynth cannot be started, exits other than with status 0, or leaves an
/// output that is missing, too short, or (n > 0) without the expected sines.
ScsynthRun run_scsynth_nrt(const std::filesystem::path& scsynth, const std::filesystem::path& workdir,
                           Variant v, int n, double seconds, int block = 64);

/// The scsynth to run: $SCSYNTH when set, else the first `scsynth` on $PATH,
/// else /usr/bin/scsynth or /usr/local/bin/scsynth if executable.
std::optional<std::filesystem::path> find_scsynth();

}  // namespace lel::bench
