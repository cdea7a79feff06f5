// lel — utilities without state: pan, mix, gain, decibels, MIDI notes, a
// soft clip (docs/stdlib/utility.md).
//
//     const lel::Frame bass = lel::pan(lel::gain(x, -6.0), -0.3);
//     return lel::mix(bass, lel::pan(hat, 0.4), 0.1 * kick);   // a Frame
//
// None of these takes `s`: they keep no state, so they take no helper block
// and may be called anywhere, any number of times, even conditionally.
// Every one is total: any input, including NaN and infinities, gives a
// defined output (documented per function).
#pragma once

#include <lel/context.hpp>
#include <lel/detail/rt.hpp>

#include <cmath>
#include <type_traits>

namespace lel {

// ---------------------------------------------------------------- Frame
// The arithmetic context.hpp does not define: difference, negation and the
// compound assignments, channel by channel.

constexpr Frame operator-(Frame a, Frame b) noexcept { return {a.left - b.left, a.right - b.right}; }
constexpr Frame operator-(Frame a) noexcept { return {-a.left, -a.right}; }
constexpr Frame& operator+=(Frame& a, Frame b) noexcept { return a = a + b; }
constexpr Frame& operator-=(Frame& a, Frame b) noexcept { return a = a - b; }
constexpr Frame& operator*=(Frame& a, double g) noexcept { return a = a * g; }

namespace detail {

/// sin and cos of pi/4 + u for |u| <= pi/4, from Taylor series of sin u
/// (to u^13) and cos u (to u^12): error below 1e-12, no table, no libm.
struct SinCos {
    double sin;
    double cos;
};
constexpr SinCos sincos_quarter(double u) noexcept {
    const double u2 = u * u;
    const double su = u * (1.0 + u2 * (-1.0 / 6 + u2 * (1.0 / 120 + u2 * (-1.0 / 5040 + u2 * (1.0 / 362880 +
                      u2 * (-1.0 / 39916800 + u2 * (1.0 / 6227020800)))))));
    const double cu = 1.0 + u2 * (-0.5 + u2 * (1.0 / 24 + u2 * (-1.0 / 720 + u2 * (1.0 / 40320 +
                      u2 * (-1.0 / 3628800 + u2 * (1.0 / 479001600))))));
    constexpr double r = 0.70710678118654752440;  // sin(pi/4) = cos(pi/4)
    return {r * (cu + su), r * (cu - su)};
}

template <class T>
inline constexpr bool is_frame_v = std::is_same_v<std::remove_cvref_t<T>, Frame>;

constexpr Frame as_frame(Frame x) noexcept { return x; }
constexpr Frame as_frame(double x) noexcept { return {x, x}; }

}  // namespace detail

// ---------------------------------------------------------------- pan

/// Equal-power pan (the sine/cosine law of every mixing desk; Faust's
/// sp.panner is its linear cousin): left = x cos(theta), right = x sin(theta),
/// theta = (pos + 1) pi/4. pos in [-1, 1] (-1 hard left, 0 centre: both
/// sides at -3.01 dB; 1 hard right), clamped; NaN is centre. The power
/// left^2 + right^2 = x^2 at every position. Pure; no libm call.
///
///     lel::pan(x, -0.5) -> lel::Frame
inline Frame pan(double x, double pos) noexcept LEL_RT {
    const double p = pos > -1.0 ? (pos < 1.0 ? pos : 1.0) : (pos <= -1.0 ? -1.0 : 0.0);
    const detail::SinCos g = detail::sincos_quarter(p * 0.78539816339744830962);  // pi/4
    return {x * g.cos, x * g.sin};
}

// ---------------------------------------------------------------- mix

/// The sum of its arguments, numbers or Frames, without any scaling (a
/// mixing desk's bus at unity gain: scale with gain() or a factor). If any
/// argument is a Frame the result is a Frame, each number going to both
/// channels (as a mono signal does); otherwise a double. mix() is 0.
///
///     lel::mix(kick, lel::pan(hat, 0.3), pad)   -> lel::Frame
///     lel::mix(a, b, c)                         -> double
template <class... Xs>
constexpr auto mix(const Xs&... xs) noexcept {
    if constexpr ((detail::is_frame_v<Xs> || ...)) {
        return (Frame{} + ... + detail::as_frame(xs));
    } else {
        return (0.0 + ... + static_cast<double>(xs));
    }
}

// ---------------------------------------------------------------- decibels

/// Decibels to amplitude: 10^(decibels / 20). db(0) = 1, db(-6.02) = 0.5,
/// db(-inf) = 0; NaN gives NaN.
inline double db(double decibels) noexcept LEL_RT {
    return std::exp(decibels * 0.11512925464970228420);  // ln(10) / 20
}

/// Amplitude to decibels: 20 log10(|amplitude|). to_db(1) = 0,
/// to_db(0) = -inf.
inline double to_db(double amplitude) noexcept LEL_RT {
    return 20.0 * std::log10(std::fabs(amplitude));
}

/// x scaled by `decibels` (a fader): x * db(decibels). A Frame is scaled on
/// both channels.
inline double gain(double x, double decibels) noexcept LEL_RT { return x * db(decibels); }
inline Frame gain(Frame x, double decibels) noexcept LEL_RT { return x * db(decibels); }

// ---------------------------------------------------------------- pitch

/// MIDI note number to Hz, equal temperament, A4 = note 69 = 440 Hz:
/// 440 * 2^((note - 69) / 12). Fractional notes are fine (a glide, a
/// detune): mtof(60) = 261.63 Hz (middle C).
inline double mtof(double note) noexcept LEL_RT {
    return 440.0 * std::exp2((note - 69.0) * (1.0 / 12.0));
}

// ---------------------------------------------------------------- soft clip

/// A fast tanh, for soft clipping (saturation, a ladder's stages): the
/// 7/6 Padé approximant from Lambert's continued fraction of tanh,
///     x (135135 + 17325 x^2 + 378 x^4 + x^6)
///     / (135135 + 62370 x^2 + 3150 x^4 + 28 x^6),
/// clamped where it reaches 1 (|x| = 4.97). Max error against std::tanh
/// 9.7e-5 (at |x| = 4.97; below 1e-6 for |x| < 2.5); odd, monotonic, always
/// in [-1, 1]: +-inf gives +-1, NaN gives 0. One division, no libm call.
inline double tanh(double x) noexcept LEL_RT {
    constexpr double limit = 4.97178;  // where the approximant reaches 1
    if (x >= limit) return 1.0;
    if (x <= -limit) return -1.0;
    if (!(x == x)) return 0.0;  // NaN
    const double x2 = x * x;
    const double y = x * (135135.0 + x2 * (17325.0 + x2 * (378.0 + x2))) /
                     (135135.0 + x2 * (62370.0 + x2 * (3150.0 + 28.0 * x2)));
    return y < 1.0 ? (y > -1.0 ? y : -1.0) : 1.0;
}

/// tanh() on both channels of a Frame.
inline Frame tanh(Frame x) noexcept LEL_RT { return {tanh(x.left), tanh(x.right)}; }

}  // namespace lel
