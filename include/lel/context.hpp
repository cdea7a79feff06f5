// lel — what a signal sees: the per-sample context `s` and the stereo Frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace lel {

namespace detail {
class Recorder;  // dsp/state.hpp
}

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
    double beat = 0.0;         ///< beats since frame 0 at leld's tempo (the grid quantized loads use)
    double bpm = 120.0;        ///< leld's tempo (120 when none is set)

    /// The helpers' state (lel::take, dsp/state.hpp): not for user code.
    /// The n-th helper call of a sample owns the n-th block of this area.
    struct HelperState {
        double* area = nullptr;              ///< blocks: a header double, then the block's doubles
        uint32_t size = 0;                   ///< doubles in `area`
        uint32_t cursor = 0;                 ///< where the next block starts; 0 at every sample
        const char* key = nullptr;           ///< the key lel::key gave the next block, if any
        detail::Recorder* recorder = nullptr;  ///< non-null while the load-time probe runs
        uint32_t mismatch = 0;               ///< set when a call found another helper's block
        bool copy = false;                   ///< `area` is the block loop's own copy (detail/block.hpp)
    } helpers;

    /// Where lel::input and lel::listen read (dsp/routing.hpp): not for user code.
    struct Routing {
        const double* input = nullptr;     ///< this block's input, left then right (null: silence)
        const double* buses = nullptr;     ///< every bus: mono, left, right, LEL_MAX_BLOCK_FRAMES each
        const uint32_t* listens = nullptr;  ///< the bus of each listen call, in call order
        uint32_t listen_count = 0;
        uint32_t cursor = 0;               ///< listen calls made this sample
    } routing;
};

}  // namespace lel
