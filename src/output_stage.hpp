// lel — the output stage: what the summed signals go through on the way to
// the ports.
//
// soft_limit() is the identity on [-knee, knee], so a signal at a sane level
// is not coloured at all, and above the knee it bends smoothly (value and
// slope are continuous) into a tanh that approaches ±1.
// Non-finite input gives 0; signals that produce NaN/inf are muted before
// they are summed, so this is the last line of defence only.
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

/// Any thread; wait-free. True when every value in `v` is finite.
inline bool all_finite(std::span<const double> v) noexcept LEL_RT {
    constexpr uint64_t exponent = 0x7ff0000000000000ull;
    uint64_t bad = 0;
    for (const double x : v) {
        uint64_t bits;
        std::memcpy(&bits, &x, sizeof bits);
        bad |= static_cast<uint64_t>((bits & exponent) == exponent);  // inf or NaN
    }
    return bad == 0;
}

}  // namespace lel
