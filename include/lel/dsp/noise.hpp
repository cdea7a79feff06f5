// lel — noise: white, pink and brown, each with its own persistent state
// (dsp/state.hpp) and its own reproducible sequence (docs/stdlib/noise.md).
//
//     const double hat = lel::perc(s, lel::every(s, 0.25), 0.001, 0.05) * lel::noise(s);
//     const double wind = 0.5 * lel::lowpass(s, lel::pink(s), 600.0, 2.0);
//
// Seeding: each generator seeds itself on the first sample it runs, from
// the signal's name and its block's place in the signal's helper area, so
// that two noises in a signal, or the same code under two names, are
// different sequences, and a render (`lel render`) is the same every time.
// A reload keeps the generator running where it was; a new name or a new
// place starts a new sequence.
//
// Generator: SplitMix64 (Steele, Lea and Flood, "Fast splittable
// pseudorandom number generators", OOPSLA 2014): a 64-bit counter through a
// mixing function, equidistributed, passes BigCrush; its 64-bit state lives
// in the bits of one double (never computed with as a number).
#pragma once

#include <lel/context.hpp>
#include <lel/detail/rt.hpp>
#include <lel/dsp/state.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>

namespace lel {
namespace detail {

/// A seeded SplitMix64 generator, in two doubles of a helper's state.
struct NoiseSource {
    double bits;    ///< the 64-bit counter, as the bits of a double
    double seeded;  ///< 0 until the first sample seeds it

    /// Uniform in [-1, 1]. Seeds itself first if it has not yet.
    double next(const Context& s) noexcept LEL_RT {
        uint64_t x;
        if (seeded == 0.0) {
            // The name and the place (the cursor is at the block's end).
            x = (uint64_t{kind_id(s.name)} << 32) ^ (uint64_t{s.helpers.cursor} * 0x9e3779b97f4a7c15ull);
            seeded = 1.0;
        } else {
            std::memcpy(&x, &bits, sizeof x);
        }
        x += 0x9e3779b97f4a7c15ull;
        std::memcpy(&bits, &x, sizeof x);
        uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        return static_cast<double>(static_cast<int64_t>(z)) * 0x1p-63;
    }
};

struct WhiteState {
    static constexpr uint32_t kind = kind_id("lel.noise");
    NoiseSource source;
};

/// Pinking filter: 7 one-pole/one-zero sections, poles 2 octaves apart from
/// 8 Hz (8, 32, ..., 32768 Hz), each zero an octave above its pole, so the
/// slope averages -3 dB/octave (-10 dB/decade) from about 10 Hz up. Poles
/// and zeros are mapped by the matched z-transform, and the cascade is run
/// as its partial-fraction expansion, a direct term plus 7 one-poles in
/// parallel (the form of Paul Kellet's filters): the same response, but the
/// one-poles do not wait for each other (37 ns a sample as a cascade, see
/// docs/stdlib/noise.md). Its coefficients are recomputed only when the
/// sample rate changes; every weight is positive and below 0.35.
inline constexpr int pink_sections = 7;
/// Scales the filter's output to RMS 0.2 (its RMS for uniform white input
/// is 0.995 at 48 kHz, 0.991 at 44.1 kHz, 1.030 at 96 kHz: computed from
/// its response, checked in tests/dsp/noise_test.cpp).
inline constexpr double pink_gain = 0.201;

struct PinkState {
    static constexpr uint32_t kind = kind_id("lel.pink");
    NoiseSource source;
    double rate;                   ///< the sample rate the coefficients are for
    double direct;                 ///< the expansion's constant term
    double pole[pink_sections];    ///< exp(-2π·f_pole/sr)
    double weight[pink_sections];  ///< each one-pole's residue
    double level[pink_sections];   ///< each one-pole's output

    /// The expansion of prod_k (1 - zero_k/z) / (1 - pole_k/z) for `sr`.
    /// Control rate (once per sample rate): 7 exp and 49 divisions.
    void design(double sr) noexcept LEL_RT {
        double zero[pink_sections];
        double f = 8.0;
        for (int k = 0; k < pink_sections; ++k, f *= 4.0) {
            pole[k] = std::exp(-6.283185307179586 * f / sr);
            zero[k] = std::exp(-6.283185307179586 * 2.0 * f / sr);
        }
        direct = pink_gain;
        for (int k = 0; k < pink_sections; ++k) direct *= zero[k] / pole[k];
        for (int k = 0; k < pink_sections; ++k) {
            double w = pink_gain;
            for (int j = 0; j < pink_sections; ++j) {
                w *= 1.0 - zero[j] / pole[k];
                if (j != k) w /= 1.0 - pole[j] / pole[k];
            }
            weight[k] = w;
        }
        rate = sr;
    }
};

struct BrownState {
    static constexpr uint32_t kind = kind_id("lel.brown");
    NoiseSource source;
    double level;
    double rate;  ///< the sample rate leak and gain are for
    double leak;  ///< the integrator's pole: 5 Hz
    double gain;  ///< the input's gain, for RMS 0.25
};

}  // namespace detail

/// White noise, uniform in [-1, 1] (flat spectrum, RMS 0.577, -4.8 dBFS).
/// Seeded per signal name and place; reproducible. State: 2 doubles.
///
///     const double snare = 0.3 * lel::perc(s, lel::every(s, 2.0), 0.001, 0.15) * lel::noise(s);
inline double noise(Context& s) noexcept LEL_RT {
    auto& st = take<detail::WhiteState>(s);
    return st.source.next(s);
}

/// Pink noise: power falling 3 dB per octave (equal energy per octave),
/// within ±0.4 dB of that slope from 50 Hz to 10 kHz at 44.1, 48 and
/// 96 kHz (measured in third-octave bands); RMS 0.2, clipped to [-1, 1]
/// (the peak of 2^21 samples is 0.89). White noise through real poles and
/// zeros alternating evenly in log frequency (J. O. Smith, "Spectral Audio
/// Signal Processing", "Example: Synthesis of 1/F Noise"), run in the
/// parallel form of Paul Kellet's pink filters. State: 25 doubles.
///
///     const double surf = 0.5 * lel::pink(s);
inline double pink(Context& s) noexcept LEL_RT {
    auto& st = take<detail::PinkState>(s);
    if (st.rate != s.sr) [[unlikely]] st.design(s.sr);
    const double x = st.source.next(s);
    double y = st.direct * x;
    for (int k = 0; k < detail::pink_sections; ++k) {
        st.level[k] = st.pole[k] * st.level[k] + x;
        y += st.weight[k] * st.level[k];
    }
    // A filter gone non-finite (a sample rate of 0 or below) starts again.
    if (!(std::fabs(y) < 1e6)) [[unlikely]] {
        LEL_RARE();
        for (double& l : st.level) l = 0.0;
        return 0.0;
    }
    return y < -1.0 ? -1.0 : (y > 1.0 ? 1.0 : y);
}

/// Brown (red) noise: power falling 6 dB per octave above 5 Hz, white
/// noise through a leaky integrator (pole at 5 Hz, so it never drifts off);
/// RMS about 0.25 at any sample rate, clipped to [-1, 1]. State: 6 doubles.
///
///     const double rumble = 0.4 * lel::brown(s);
inline double brown(Context& s) noexcept LEL_RT {
    auto& st = take<detail::BrownState>(s);
    if (st.rate != s.sr) [[unlikely]] {
        const double w = 6.283185307179586 * 5.0 * s.dt;  // the leak, per sample
        st.leak = w > 0.0 && w < 1.0 ? 1.0 - w : 0.0;
        // RMS of a one-pole lowpass of uniform noise: gain / sqrt(3 (1 - leak^2)).
        st.gain = 0.25 * std::sqrt(3.0 * (1.0 - st.leak * st.leak));
        st.rate = s.sr;
    }
    double y = st.leak * st.level + st.gain * st.source.next(s);
    y = y == y ? (y < -1.0 ? -1.0 : (y > 1.0 ? 1.0 : y)) : 0.0;
    st.level = y;
    return y;
}

}  // namespace lel
