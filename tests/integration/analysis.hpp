// lel integration tests — what the tests measure in a recording: frequency,
// level, clicks and gaps. Plain functions over spans of samples; no JACK.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace lel::test {

/// Positions (fractional sample indices, linearly interpolated) where `x`
/// crosses zero going up.
std::vector<double> upward_crossings(std::span<const float> x);

/// Frequency in Hz from the upward zero crossings; 0 with fewer than two.
/// Exact for a clean sine; a mix of tones gives nonsense.
double zero_crossing_frequency(std::span<const float> x, double sample_rate);

/// Amplitude of the component of `x` at `hz`, from a Hann-windowed DFT
/// evaluated at exactly `hz`: 0.5 for a 0.5-amplitude sine at `hz`.
double tone_amplitude(std::span<const float> x, double sample_rate, double hz);

/// The frequency in [lo, hi] where tone_amplitude peaks, to ~0.01 Hz.
double dft_peak_frequency(std::span<const float> x, double sample_rate, double lo, double hi);

double rms(std::span<const float> x);
/// Largest |x[n]|.
double peak(std::span<const float> x);
/// Largest |x[n] - x[n-1]|, and where (the n).
double max_jump(std::span<const float> x);
std::size_t max_jump_index(std::span<const float> x);
/// Length of the longest run of samples exactly 0.
std::size_t longest_zero_run(std::span<const float> x);
/// Index of the first / last sample that is not exactly 0.
std::optional<std::size_t> first_nonzero(std::span<const float> x);
std::optional<std::size_t> last_nonzero(std::span<const float> x);

/// Where `x` stops being one pure sine of `hz`: the first n in
/// [1, size-1) with |x[n+1] - 2cos(w)x[n] + x[n-1]| > tolerance (w = 2 pi
/// hz / sample_rate), or nullopt if there is none. A pure sine, whatever
/// its phase and amplitude, satisfies that recurrence up to float rounding
/// (~1e-7), so any click, gap or phase jump breaks it, and so does a change
/// of frequency by more than ~2 Hz at amplitude 0.5 (the residual of a
/// wrong frequency grows with amplitude, frequency and the difference).
std::optional<std::size_t> sine_break(std::span<const float> x, double sample_rate, double hz, double tolerance = 1e-5);

}  // namespace lel::test
