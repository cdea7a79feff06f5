// lel — what a signal sees: the per-sample context `s` and the stereo Frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace lel {

/// Doubles of persistent state a signal gets unless it asks for more
/// (SignalOptions::state). The issue guarantees at least 128.
inline constexpr uint32_t default_state_size = 256;

/// A stereo sample. A signal returns either a double (mono: the same value
/// goes to both channels) or a Frame.
struct Frame {
    double left = 0.0;
    double right = 0.0;
};

constexpr Frame operator+(Frame a, Frame b) noexcept { return {a.left + b.left, a.right + b.right}; }
constexpr Frame operator*(Frame a, double g) noexcept { return {a.left * g, a.right * g}; }
constexpr Frame operator*(double g, Frame a) noexcept { return a * g; }

/// The context a signal's callable receives once per sample, `f(s)`.
///
/// It lives on the stack of the block loop that the session header compiles
/// into the module (see detail/block.hpp), so the compiler keeps it in
/// registers and inlines the user's code: a per-sample API at per-block cost.
struct Context {
    double t = 0.0;            ///< seconds since the engine started (frame * dt)
    double dt = 0.0;           ///< seconds per sample, 1 / sr
    double sr = 0.0;           ///< sample rate in Hz
    uint32_t idx = 0;          ///< index of this sample in the current block
    uint64_t frame = 0;        ///< absolute sample count since the engine started
    std::string_view name;     ///< the signal's name
    std::span<double> state;   ///< persistent per-name state, zero the first time the name is seen
};

}  // namespace lel
