// lel — the block loop compiled into every module.
//
// The engine calls one function per signal per block. That function is this
// template, instantiated for the user's callable inside the module, so the
// per-sample call is inlined: there is no indirect call per sample.
#pragma once

#include <lel/abi.hpp>
#include <lel/context.hpp>
#include <lel/detail/rt.hpp>

#include <type_traits>

namespace lel::detail {

template <class R>
inline constexpr bool is_stereo = std::is_same_v<std::remove_cvref_t<R>, Frame>;

template <class R>
inline constexpr bool is_mono = std::is_arithmetic_v<std::remove_cvref_t<R>>;

template <class F>
using signal_result_t = std::invoke_result_t<F&, Context&>;

/// Renders `block->frames` samples of the callable at `user` (an F).
/// Producer thread; wait-free as far as the user's code is. A mono signal
/// writes `left` only; the engine knows from lel_signal_desc::channels.
/// An exception from the user's code is caught and reported, never rethrown.
template <class F>
int32_t render_block(void* user, const lel_block* block, double* state, double* left,
                     double* right) noexcept {
    F& f = *static_cast<F*>(user);
    Context s;
    s.dt = block->dt;
    s.sr = block->sample_rate;
    s.name = block->name;
    s.state = std::span<double>(state, block->state_size);
    const uint64_t first = block->frame;
    const uint32_t n = block->frames;
    try {
        for (uint32_t i = 0; i < n; ++i) {
            s.idx = i;
            s.frame = first + i;
            s.t = static_cast<double>(s.frame) * s.dt;
            if constexpr (is_stereo<signal_result_t<F>>) {
                const Frame v = f(s);
                left[i] = v.left;
                right[i] = v.right;
            } else {
                left[i] = static_cast<double>(f(s));
            }
        }
    } catch (...) {
        return LEL_RENDER_THREW;
    }
    (void)right;
    return LEL_RENDER_OK;
}

template <class F>
void destroy(void* user) noexcept {
    delete static_cast<F*>(user);
}

}  // namespace lel::detail
