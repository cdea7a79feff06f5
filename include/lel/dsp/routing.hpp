// lel — routing: signals that listen to other signals, and the audio input.
//
//     session.add("bass", bass_code, {.main = false});  // a send: heard only through its listeners
//     session.add("echo", [](auto& s) {
//         const lel::Frame dry = lel::listen(s, "bass");
//         return dry + lel::Frame{lel::delay(s, dry.left, 0.375), lel::delay(s, dry.right, 0.25)} * 0.5;
//     });
//     session.add("monitor", [](auto& s) { return lel::input(s) * 0.5; });
//
// How it works (docs/ARCHITECTURE.md, "Routing"):
//   - lel::listen(s, name) is a helper like the others: the load-time probe
//     records which names a signal listens to, in call order, so call it on
//     every sample. leld gives each listened-to name a bus, renders that
//     name into its bus (after its fades, so a source that is removed or
//     reloaded fades in its listeners too, never clicks) and then into the
//     main mix unless it is a send ({.main = false}), and renders every
//     signal after the signals it listens to. A listener therefore hears its
//     source's sample of the same frame: no delay.
//   - A cycle (a listens to b, b listens to a) is allowed: the signal
//     registered first hears the other on the same frame, and the other
//     hears it one block late (a block is the JACK period, at most
//     LEL_MAX_BLOCK_FRAMES frames).
//   - A name that does not play reads silence; when it starts playing its
//     listeners hear it from then on, fading in.
//   - lel::input(s) is this frame's sample of the JACK input ports lel:in_1
//     and lel:in_2 (silence offline and in `lel render`). Between a sample
//     arriving at in_1 and the same sample leaving out_1 lie exactly the
//     ring's depth in frames (leld logs it at start; 2 periods by default).
//
// Threads: both run wherever the signal runs (the producer); wait-free.
#pragma once

#include <lel/abi.hpp>
#include <lel/context.hpp>
#include <lel/detail/rt.hpp>
#include <lel/dsp/state.hpp>

#include <string_view>

namespace lel {

/// The output of the signal `name` at this sample, after its fades, as a
/// stereo Frame (a mono signal gives the same value on both sides).
/// Silence for a name that does not play. Call it on every sample, like
/// any helper.
inline Frame listen(Context& s, std::string_view name) noexcept LEL_RT {
    (void)take(s, kind_id("lel.listen/1"), 0);  // keeps listens in the helper order check
    Context::Routing& r = s.routing;
    const uint32_t call = r.cursor++;
    if (s.helpers.recorder) [[unlikely]] {
        // The load-time probe (control thread): record the name, hear silence.
        s.helpers.recorder->record_listen(name);
        return {};
    }
    if (call >= r.listen_count || r.listens[call] == LEL_NO_BUS || !r.buses) return {};
    const double* bus = r.buses + std::size_t{3} * r.listens[call] * LEL_MAX_BLOCK_FRAMES + s.idx;
    const double mono = bus[0];
    return {mono + bus[LEL_MAX_BLOCK_FRAMES], mono + bus[2 * LEL_MAX_BLOCK_FRAMES]};
}

/// This frame's sample of the audio input (JACK ports lel:in_1, lel:in_2).
/// Stateless: call it as often as you like.
inline Frame input(const Context& s) noexcept LEL_RT {
    if (!s.routing.input) return {};
    return {s.routing.input[s.idx], s.routing.input[LEL_MAX_BLOCK_FRAMES + s.idx]};
}

}  // namespace lel
