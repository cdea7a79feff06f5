// lel — the block loop compiled into every module.
//
// The engine calls one function per signal per block. That function is this
// template, instantiated for the user's callable inside the module, so the
// per-sample call is inlined: there is no indirect call per sample.
//
// What makes it as fast as a hand-written loop:
//   - the context `s` is a local of the loop, so the compiler keeps its
//     fields in registers and drops the ones the signal never reads;
//   - samples go to a buffer on this function's stack, which the compiler
//     can prove aliases neither the state nor the callable, so a phase in
//     s.state stays in a register across the loop instead of being stored
//     and reloaded every sample;
//   - a small callable that is trivially copyable (a lambda capturing
//     numbers) is copied to the stack for the block, for the same reason,
//     and copied back after it (a `mutable` lambda keeps what it changed).
//     A plain copy: std::launder here would hide the copy from the
//     optimiser and cost the phase its register;
//   - a small helper area runs from a copy on the stack (run_samples), so
//     the helpers' state stays in registers across the block too;
//   - the check for NaN, inf and samples beyond max_sample and the mix into
//     the engine's bus are one vectorizable pass over that buffer.
#pragma once

#include <lel/abi.hpp>
#include <lel/context.hpp>
#include <lel/detail/rt.hpp>
#include <lel/dsp/state.hpp>

#include <bit>
#include <cstring>
#include <memory>
#include <type_traits>

namespace lel::detail {

template <class R>
inline constexpr bool is_stereo = std::is_same_v<std::remove_cvref_t<R>, Frame>;

template <class R>
inline constexpr bool is_mono = std::is_arithmetic_v<std::remove_cvref_t<R>>;

template <class F>
using signal_result_t = std::invoke_result_t<F&, Context&>;

/// Callables at most this big and trivially copyable run from a stack copy.
inline constexpr std::size_t max_stack_callable = 512;

template <class F>
inline constexpr bool copy_to_stack =
    std::is_trivially_copyable_v<F> && sizeof(F) <= max_stack_callable && !std::is_empty_v<F>;  // (nothing to copy)

/// The largest |sample| a signal may return: far above any musical level
/// (+80 dB over full scale), so only a bug reaches it. A sample beyond it is
/// treated like NaN: mixed as 0, and its signal is muted. With every signal
/// bounded, no sum of them (at most 2^16 names, gains at most 1) can
/// overflow the mix buses. docs/SESSION_API.md documents it.
inline constexpr double max_sample = 1e4;

/// Adds gain[i] * x[i] (gain null: x[i]) into bus[i], with an x[i] that is
/// NaN, infinite or beyond ±max_sample counted as 0. Returns false if any
/// x[i] was. Producer thread; wait-free; branch-free, so it vectorizes.
inline bool mix_finite(double* __restrict bus, const double* __restrict x, const double* __restrict gain,
                       uint32_t n) noexcept LEL_RT {
    // |x| as an integer: the bits without the sign are ordered like the
    // magnitudes, and NaN and inf lie above every finite bound, so one
    // unsigned compare catches all three.
    constexpr uint64_t magnitude = 0x7fffffffffffffffull;
    constexpr uint64_t bound = std::bit_cast<uint64_t>(max_sample);
    uint64_t bad = 0;
    for (uint32_t i = 0; i < n; ++i) {
        uint64_t bits;
        std::memcpy(&bits, &x[i], sizeof bits);
        const uint64_t out_of_range = static_cast<uint64_t>((bits & magnitude) > bound);
        bad |= out_of_range;
        bits &= out_of_range - 1;  // all ones when in range, 0 (the bits of +0.0) when not
        double v;
        std::memcpy(&v, &bits, sizeof v);
        bus[i] += gain ? gain[i] * v : v;
    }
    return bad == 0;
}

/// Helper areas of at most this many doubles run from a copy on the block
/// loop's stack (run_samples).
inline constexpr uint32_t copied_area_doubles = 64;

/// Copies a helper area of `size` doubles (at most copied_area_doubles) to
/// `copy`, zeros after it, and back. With AVX2 or AVX-512 these are loops of
/// a fixed count over masked vector loads and stores (~20 instructions):
/// memcpy and memset of a size known only at run time became `rep movsq`
/// and `rep stosq` here, whose start-up cost was 6% of a one-voice block
/// (perf, bench/dsp_cost). Without them, memcpy and memset.
inline void copy_area_in(double* __restrict copy, const double* __restrict area, uint32_t size) noexcept LEL_RT {
#if defined(__AVX2__)
    for (uint32_t i = 0; i < copied_area_doubles; ++i) copy[i] = i < size ? area[i] : 0.0;
    // The loop reads the copy as if it came from memory: g++ otherwise takes
    // the values out of the vector registers lane by lane (a slower loop).
    asm("" : "+m"(*reinterpret_cast<double(*)[copied_area_doubles]>(copy)));
#else
    std::memcpy(copy, area, size * sizeof(double));
    std::memset(copy + size, 0, (copied_area_doubles - size) * sizeof(double));
#endif
}

inline void copy_area_out(double* __restrict area, const double* __restrict copy, uint32_t size) noexcept LEL_RT {
#if defined(__AVX2__)
    for (uint32_t i = 0; i < copied_area_doubles; ++i) {
        if (i < size) area[i] = copy[i];
    }
#else
    std::memcpy(area, copy, size * sizeof(double));
#endif
}

/// Runs the user's callable for `n` samples into `left` (and `right` for a
/// stereo signal), its helper calls on `area` (`size` doubles), or on a copy
/// of copied_area_doubles when `Copy`. Flattened: with two of these per
/// signal, the compiler would no longer inline the user's code into either.
template <bool Copy, class F>
[[gnu::flatten]] bool sample_loop(F& f, const lel_block* block, uint32_t n, double* state, double* area,
                                  uint32_t size, double* __restrict left, double* __restrict right) {
    Context s;
    s.dt = block->dt;
    s.sr = block->sample_rate;
    s.name = block->name;
    s.state = std::span<double>(state, block->state_size);
    s.bpm = block->beats_per_frame * 60.0 * block->sample_rate;
    s.helpers.area = area;
    s.helpers.size = Copy ? copied_area_doubles : size;
    s.helpers.copy = Copy;
    s.routing.input = block->input;
    s.routing.buses = block->buses;
    s.routing.listens = block->listens;
    s.routing.listen_count = block->listens ? block->listen_count : 0;
    const uint64_t first = block->frame;
#pragma GCC unroll 4  // -14% for lel::sine (bench/osc_cost): fewer loop branches, better scheduling
    for (uint32_t i = 0; i < n; ++i) {
        s.idx = i;
        s.frame = first + i;
        s.t = static_cast<double>(s.frame) * s.dt;
        s.beat = block->beat + static_cast<double>(i) * block->beats_per_frame;
        s.helpers.cursor = 0;
        s.routing.cursor = 0;
        if constexpr (is_stereo<signal_result_t<F>>) {
            const Frame v = f(s);
            left[i] = v.left;
            right[i] = v.right;
        } else {
            left[i] = static_cast<double>(f(s));
            (void)right;
        }
    }
    return s.helpers.mismatch == 0;
}

/// Runs the user's callable for `n` samples into `left` (and `right`).
/// A small helper area (a voice's oscillators, filters and envelopes) runs
/// from a copy on this stack, copied back at the end of the block unless a
/// helper call found another helper's block (then the copy is dropped). On
/// the copy each call's bound is a constant, a mismatch only sets a flag,
/// and the compiler sees every use of the array: it tests the headers once
/// before the loop and keeps the helpers' state in registers across the
/// block (a voice of saw, low-pass and ADSR: 96 -> 77 instructions a
/// sample, docs/PERFORMANCE.md). A larger one (a delay line, a reverb)
/// runs in place.
template <class F>
bool run_samples(F& f, const lel_block* block, uint32_t n, double* state, double* __restrict left,
                 double* __restrict right) {
    const uint32_t size = block->helpers ? block->helpers_size : 0;
    if (size > 0 && size <= copied_area_doubles) {
        alignas(64) double copy[copied_area_doubles];
        // What lies past the area reads as zeros: no header (a call beyond the area finds no block).
        copy_area_in(copy, block->helpers, size);
        if (!sample_loop<true>(f, block, n, state, copy, size, left, right)) return false;
        copy_area_out(block->helpers, copy, size);
        return true;
    }
    return sample_loop<false>(f, block, n, state, block->helpers, size, left, right);
}

// g++ cannot always follow that the sample loop writes left[0, n) (and
// right) before the mix reads them, and would warn in users' sessions.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
/// Renders one block of the callable at `user` (an F) and mixes it into the
/// block's buses. Producer thread; wait-free as far as the user's code is.
/// An exception from the user's code is caught and reported, never rethrown;
/// then nothing is mixed.
template <class F>
int32_t render_block(void* user, const lel_block* block, double* state) noexcept {
    constexpr bool stereo = is_stereo<signal_result_t<F>>;
    const uint32_t n = block->frames <= LEL_MAX_BLOCK_FRAMES ? block->frames : LEL_MAX_BLOCK_FRAMES;
    alignas(32) double left[LEL_MAX_BLOCK_FRAMES];
    alignas(32) double right[stereo ? LEL_MAX_BLOCK_FRAMES : 1];
    F& original = *static_cast<F*>(user);
    bool in_order = true;
    try {
        if constexpr (copy_to_stack<F>) {
            F local(original);
            in_order = run_samples(local, block, n, state, left, right);
            // Bytes copied back into an object of a trivially copyable type
            // give it the copy's value ([basic.types.general]).
            std::memcpy(static_cast<void*>(&original), static_cast<const void*>(&local), sizeof(F));
        } else {
            in_order = run_samples(original, block, n, state, left, right);
        }
    } catch (...) {
        return LEL_RENDER_THREW;
    }
    if (!in_order) return LEL_RENDER_HELPER_ORDER;
    bool finite;
    if constexpr (stereo) {
        finite = mix_finite(block->mix_left, left, block->gain, n);
        finite &= mix_finite(block->mix_right, right, block->gain, n);
    } else {
        finite = mix_finite(block->mix_mono, left, block->gain, n);
    }
    return finite ? LEL_RENDER_OK : LEL_RENDER_NOT_FINITE;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/// Runs the callable at `user` (an F) for one sample against the probe's
/// scratch state, with a Recorder attached, and reports the helper calls
/// it made. Control thread (load time). A callable that can be copied runs
/// as a copy, so the probe leaves no trace in it.
template <class F>
int32_t probe(void* user, const lel_probe* p) noexcept {
    const auto recorder = std::make_unique<Recorder>();  // ~0.5 MiB: not on the stack
    Context s;
    s.sr = p->sample_rate;
    s.dt = 1.0 / p->sample_rate;
    s.frame = p->frame;
    s.t = static_cast<double>(p->frame) * s.dt;
    s.beat = p->beat;
    s.bpm = p->bpm;
    s.name = p->name;
    s.state = std::span<double>(p->state, p->state_size);
    s.helpers.recorder = recorder.get();
    try {
        F& original = *static_cast<F*>(user);
        if constexpr (std::is_copy_constructible_v<F>) {
            F copy(original);
            (void)copy(s);
        } else {
            (void)original(s);
        }
    } catch (...) {
        return LEL_RENDER_THREW;
    }
    for (const RecordedBlock& b : recorder->blocks()) p->record(p->self, b.kind, b.size, b.key);
    for (const auto& name : recorder->listens()) p->listen(p->self, name.data());
    for (const auto& q : recorder->params()) p->param(p->self, q.name, q.value, q.min, q.max, q.lag);
    return recorder->overflowed() ? LEL_RENDER_HELPER_ORDER : LEL_RENDER_OK;
}

template <class F>
void destroy(void* user) noexcept {
    delete static_cast<F*>(user);
}

}  // namespace lel::detail
