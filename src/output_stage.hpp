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

/// Any thread; wait-free. True when every value in `v` is within the knee,
/// so that soft_limit() is the identity on all of them (NaN and inf are
/// not). Branch-free, so the compiler vectorizes it: the common case of a
/// block at a sane level then costs no per-sample branch at all.
inline bool within_knee(const double* v, uint32_t n) noexcept LEL_RT {
    uint64_t knee_bits;
    std::memcpy(&knee_bits, &limiter_knee, sizeof knee_bits);
    constexpr uint64_t magnitude = 0x7fffffffffffffffull;  // all but the sign: |x|, ordered as integers
    uint64_t over = 0;
    for (uint32_t i = 0; i < n; ++i) {
        uint64_t bits;
        std::memcpy(&bits, &v[i], sizeof bits);
        over |= static_cast<uint64_t>((bits & magnitude) > knee_bits);  // NaN and inf are above any finite
    }
    return over == 0;
}

}  // namespace lel
