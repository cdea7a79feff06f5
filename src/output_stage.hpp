// lel — the output stage: what the summed signals go through on the way to
// the ports.
//
// soft_limit() is the identity on [-knee, knee], so a signal at a sane level
// is not coloured at all, and above the knee it bends smoothly (value and
// slope are continuous) into a tanh that approaches ±1.
// Non-finite input gives 0; samples of NaN/inf are mixed as 0 and their
// signal muted (see detail/block.hpp), so this is the last line of defence.
#pragma once

#include <lel/detail/rt.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>

namespace lel {

inline constexpr double limiter_knee = 0.8;

/// Any thread; wait-free. Maps any double into [-1, 1] (±1 itself only
/// where tanh rounds to 1, i.e. for input far above the knee).
inline double soft_limit(double x) noexcept LEL_RT {
    const double a = std::fabs(x);
    if (a <= limiter_knee) return x;
    if (!(a < INFINITY)) return std::isnan(x) ? 0.0 : std::copysign(1.0, x);
    constexpr double room = 1.0 - limiter_knee;
    return std::copysign(limiter_knee + room * std::tanh((a - limiter_knee) / room), x);
}

/// Any thread; wait-free. 1 when soft_limit(x) may differ from x: |x|
/// above the knee, inf or NaN; else 0. Branch-free, so that a loop OR-ing
/// it over a block vectorizes: a block at a sane level then costs no
/// per-sample branch at all.
inline uint64_t beyond_knee(double x) noexcept LEL_RT {
    constexpr uint64_t magnitude = 0x7fffffffffffffffull;  // all but the sign: |x|, ordered as integers
    uint64_t bits, knee_bits;
    std::memcpy(&bits, &x, sizeof bits);
    std::memcpy(&knee_bits, &limiter_knee, sizeof knee_bits);
    return static_cast<uint64_t>((bits & magnitude) > knee_bits);  // inf and NaN are above any finite
}

}  // namespace lel
