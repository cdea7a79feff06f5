// lel — the fast table sine with an explicit state slot (lel::sine(s, hz, slot)).
// lel::sine(s, hz) with implicit state is in dsp/oscillators.hpp.
//
//     session.add("a", [](auto& s) { return 0.2 * lel::sine(s, 440.0, 0); });
//
// lel::sine(s, freq, slot) costs about a tenth of `std::sin` on a phase: its
// phase is a 32-bit fixed-point turn (so it wraps by itself, with no fmod and
// no branch), and the sine comes from a 2048-point table of values and
// slopes with linear interpolation. Accuracy (tests/osc_test.cpp checks it):
// at most 1.2e-6 from sin(2*pi*phase) (-118 dB), frequency resolution
// sr / 2^32 (1.1e-5 Hz at 48 kHz).
//
// The phase lives in s.state[slot], so it survives reloads like any state;
// its bits are the fixed-point phase, not a number to compute with: read and
// set it with sine_phase() and set_sine_phase(). Use one slot per oscillator.
#pragma once

#include <lel/context.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#  include <emmintrin.h>
#endif

namespace lel {
namespace detail {

/// Taylor series, exact to about an ulp for |x| <= pi/4: enough terms for
/// the table below, evaluated by the compiler.
constexpr double taylor_sin(double x) noexcept {
    double term = x, sum = x;
    for (int k = 1; k <= 11; ++k) {
        term *= -x * x / ((2.0 * k) * (2.0 * k + 1.0));
        sum += term;
    }
    return sum;
}

constexpr double taylor_cos(double x) noexcept {
    double term = 1.0, sum = 1.0;
    for (int k = 1; k <= 11; ++k) {
        term *= -x * x / ((2.0 * k - 1.0) * (2.0 * k));
        sum += term;
    }
    return sum;
}

/// sin(2*pi*i/n) for n a multiple of 8, reduced to an angle of at most pi/4.
constexpr double sin_of_fraction(uint32_t i, uint32_t n) noexcept {
    constexpr double two_pi = 6.283185307179586476925;
    i %= n;
    const uint32_t quarter = 4 * i / n;
    const uint32_t r = i - quarter * (n / 4);  // [0, n/4): the angle within the quadrant
    const bool low = r <= n / 8;
    const double near = two_pi * (low ? r : n / 4 - r) / n;
    // sin within the quadrant (quarter 0, 2) or cos (quarter 1, 3)
    const double v = (quarter % 2 == 0) == low ? taylor_sin(near) : taylor_cos(near);
    return quarter < 2 ? v : -v;
}

/// sin(2*pi*i/size) and the slope to the next point, per unit of the
/// phase's low bits. Computed by the compiler, so the table is read-only
/// data: the compiler then knows a store to a signal's state cannot change
/// it, and keeps an oscillator's phase in a register across the block.
struct SineTable {
    static constexpr uint32_t bits = 11;
    static constexpr uint32_t size = 1u << bits;
    static constexpr uint32_t frac_bits = 32 - bits;
    struct Point {
        double value;
        double slope;
    };
    Point points[size];
};

constexpr SineTable make_sine_table() noexcept {
    SineTable t{};
    for (uint32_t i = 0; i < SineTable::size; ++i) {
        const double a = sin_of_fraction(i, SineTable::size);
        const double b = sin_of_fraction(i + 1, SineTable::size);
        t.points[i] = {a, (b - a) / static_cast<double>(1u << SineTable::frac_bits)};
    }
    return t;
}

inline constexpr SineTable sine_table = make_sine_table();

inline uint32_t phase_bits(const double& slot) noexcept {
    uint64_t bits;
    std::memcpy(&bits, &slot, sizeof bits);
    return static_cast<uint32_t>(bits);
}

inline void store_phase_bits(double& slot, uint32_t phase) noexcept {
    const uint64_t bits = phase;
    std::memcpy(&slot, &bits, sizeof bits);
}

/// The phase step of `freq` Hz per sample of `dt` seconds, in 2^-32 turns.
/// Never undefined behaviour, whatever the frequency: NaN or a step beyond
/// int64_t gives some step. On x86-64 it is one conversion whose result for
/// those is defined by the instruction, so for a steady frequency the
/// compiler hoists it out of the sample loop (a clamp with branches it
/// would leave inside).
inline uint32_t phase_increment(double freq, double dt) noexcept {
    const double turns = freq * dt * 4294967296.0;
#if defined(__x86_64__)
    return static_cast<uint32_t>(_mm_cvttsd_si64(_mm_set_sd(turns)));
#else
    constexpr double limit = 9.0e18;  // inside int64_t
    const double t = turns > -limit ? (turns < limit ? turns : limit) : -limit;  // NaN: -limit
    return static_cast<uint32_t>(static_cast<int64_t>(t));
#endif
}

}  // namespace detail

/// sin(2*pi*phase/2^32), from the table: the oscillator's waveform, for
/// code that keeps its own fixed-point phase.
inline double sine_of_phase(uint32_t phase) noexcept {
    const auto& p = detail::sine_table.points[phase >> detail::SineTable::frac_bits];
    const uint32_t frac = phase & ((1u << detail::SineTable::frac_bits) - 1);
    return p.value + static_cast<double>(static_cast<int32_t>(frac)) * p.slope;
}

/// A sine at `freq` Hz (negative runs backwards), amplitude 1, phase in
/// s.state[slot]. Returns the value at the current phase, then advances it:
/// a new oscillator starts at sin(0) = 0. The slot has no default:
/// lel::sine(s, hz), its phase in its own helper block, is in
/// dsp/oscillators.hpp.
inline double sine(Context& s, double freq, uint32_t slot) noexcept {
    double& cell = s.state[slot];
    uint32_t phase = detail::phase_bits(cell);
    const double y = sine_of_phase(phase);
    phase += detail::phase_increment(freq, s.dt);
    detail::store_phase_bits(cell, phase);
    return y;
}

/// The phase of the sine in s.state[slot], in turns: [0, 1).
inline double sine_phase(const Context& s, uint32_t slot = 0) noexcept {
    return detail::phase_bits(s.state[slot]) * (1.0 / 4294967296.0);
}

/// Sets the phase of the sine in s.state[slot] to `turns` (any value;
/// only its fractional part counts).
inline void set_sine_phase(Context& s, double turns, uint32_t slot = 0) noexcept {
    const double frac = turns - std::floor(turns);
    detail::store_phase_bits(s.state[slot], static_cast<uint32_t>(static_cast<uint64_t>(frac * 4294967296.0)));
}

}  // namespace lel
