// lel — the module ABI: what a compiled session exports and what the daemon
// hands it. Plain C types only, so that nothing but these structs crosses the
// dlopen boundary.
//
// A module exports two symbols:
//   - `lel_module_abi_version` (const uint32_t): checked before anything else;
//     a module built against another version is refused.
//   - `lel_module_entry(const lel_host*)`: runs the session on the daemon's
//     control thread (never on a real-time thread).
//
// Bump LEL_ABI_VERSION whenever a struct below or a function-pointer type
// changes.
#pragma once

#include <cstddef>
#include <cstdint>

#define LEL_ABI_VERSION 5u

/// The most frames one call of a render function covers: the block loop
/// renders into a buffer of this size on its stack.
#define LEL_MAX_BLOCK_FRAMES 256u

extern "C" {

/// What one call of a signal's render function covers: `frames` consecutive
/// samples starting at absolute sample `frame`, and where they go. The render
/// function *adds* its samples, times `gain`, into the mix: a mono signal
/// into `mix_mono` (the engine adds that bus to both channels), a stereo one
/// into `mix_left` and `mix_right`, as lel_signal_desc::channels declared:
/// the buses of the other kind may be null. Mixing in the module saves a
/// pass over every signal's block in the engine.
struct lel_block {
    uint64_t frame;       ///< absolute index of the first sample
    uint32_t frames;      ///< number of samples to render, 1..LEL_MAX_BLOCK_FRAMES
    uint32_t state_size;  ///< number of doubles at `state`
    double sample_rate;   ///< samples per second
    double dt;            ///< 1 / sample_rate
    const char* name;     ///< the signal's name, NUL-terminated
    double* mix_mono;     ///< `frames` samples: the bus mono signals add into
    double* mix_left;     ///< `frames` samples: the buses stereo signals add into
    double* mix_right;
    const double* gain;   ///< `frames` per-sample gains (fades), or null for 1
    double* helpers;      ///< the signal's helper area (lel::take), after its raw state; null if none
    uint32_t helpers_size;  ///< doubles in `helpers`
    uint32_t reserved;
    double beat;          ///< beats since frame 0 at leld's tempo, at `frame`
    double beats_per_frame;  ///< the tempo: bpm / 60 / sample_rate
    /// The audio input (lel::input): `frames` samples of the left channel,
    /// then at input + LEL_MAX_BLOCK_FRAMES the right; null: silence.
    const double* input;
    /// The buses signals listen to (lel::listen): bus b's mono, left and
    /// right channels start at buses + (3 * b + channel) * LEL_MAX_BLOCK_FRAMES.
    const double* buses;
    /// The bus of each lel::listen call of this signal, in call order
    /// (LEL_NO_BUS: silence); `listen_count` of them.
    const uint32_t* listens;
    uint32_t listen_count;
    uint32_t reserved2;
};

/// A listen whose name has no bus reads silence.
#define LEL_NO_BUS 0xffffffffu

/// Render results, returned by lel_render_fn.
enum lel_render_status : int32_t {
    LEL_RENDER_OK = 0,
    LEL_RENDER_THREW = 1,       ///< the user's callable threw; nothing was mixed
    LEL_RENDER_NOT_FINITE = 2,  ///< some samples were NaN, infinite or beyond ±1e4; they were mixed as 0
    LEL_RENDER_HELPER_ORDER = 3,  ///< a helper call found another helper's state block (calls changed order
                                  ///< since the load-time probe); it got scratch state; nothing was mixed
};

/// Renders one block of one signal and adds it into the block's mix buses.
/// Runs on the producer thread.
using lel_render_fn = int32_t (*)(void* user, const lel_block* block, double* state) noexcept;

/// Destroys a signal's callable. Runs on a control thread, after the
/// producer has provably stopped calling `render` for it.
using lel_destroy_fn = void (*)(void* user) noexcept;

/// What the host hands a signal's probe: the context of one sample, run on
/// the control thread at load time against scratch state, and where the
/// probe reports each helper call it saw (lel::take: kind, size, key).
struct lel_probe {
    double sample_rate;
    uint64_t frame;
    double beat;
    double bpm;
    const char* name;
    double* state;        ///< scratch raw state of `state_size` doubles
    uint32_t state_size;
    uint32_t reserved;
    void* self;
    void (*record)(void* self, uint32_t kind, uint32_t size, const char* key);
    /// Reports a lel::listen call of the probed sample, in call order.
    void (*listen)(void* self, const char* name);
    /// Reports a lel::param declaration: its name, default and range, and
    /// its lag in seconds.
    void (*param)(void* self, const char* name, double value, double min, double max, double lag);
};

/// Runs a signal once for the probe. Control thread. Returns LEL_RENDER_OK,
/// LEL_RENDER_THREW, or LEL_RENDER_HELPER_ORDER when more helper calls were
/// made than a probe can record.
using lel_probe_fn = int32_t (*)(void* user, const lel_probe* probe) noexcept;

/// One signal as a module registers it.
struct lel_signal_desc {
    const char* name;
    lel_render_fn render;
    lel_destroy_fn destroy;
    void* user;
    uint32_t state_size;  ///< doubles of persistent state requested
    uint32_t channels;    ///< 1 (mono: it writes lel_block::mix_mono) or 2 (stereo: mix_left, mix_right)
    lel_probe_fn probe;   ///< records the signal's helper calls (null: it has none)
    uint32_t flags;       ///< LEL_SIGNAL_* bits
    uint32_t reserved;
};

/// lel_signal_desc::flags: the signal stays out of the main mix (a send:
/// only its listeners hear it).
#define LEL_SIGNAL_NOT_MAIN 1u

/// A sound file as leld holds it (lel_host::sample): decoded and converted to
/// the engine's rate. Immutable; valid as long as any signal added by the
/// load that asked for it can still play (the host keeps it alive).
struct lel_sample {
    const float* data;   ///< frames * channels floats, interleaved (null when frames is 0)
    uint64_t frames;     ///< frames at sample_rate
    uint32_t channels;   ///< 1 or 2
    uint32_t reserved;
    double sample_rate;  ///< the engine's rate, the data's rate after conversion
};

/// The builder the daemon hands to lel_module_entry. Every function runs on
/// the control thread, during the entry call only.
struct lel_host {
    uint32_t abi_version;
    void* self;
    void (*clear)(void* self);
    void (*remove)(void* self, const char* name);
    /// Takes ownership of desc->user in every case: on failure the host calls
    /// desc->destroy itself. Returns 0 on success.
    int32_t (*add)(void* self, const lel_signal_desc* desc);
    /// Reports an error that makes the whole load fail; nothing is changed.
    void (*fail)(void* self, const char* message);
    /// Reads the sound file at `path` (relative: to the module's directory)
    /// and fills *out. On failure the whole load fails with the path and the
    /// reason, and it returns -1; 0 on success. Blocking (file I/O, decoding
    /// and rate conversion, or a cache hit).
    int32_t (*sample)(void* self, const char* path, lel_sample* out);
};

using lel_entry_fn = void (*)(const lel_host* host);

}  // extern "C"

namespace lel {
inline constexpr uint32_t abi_version = LEL_ABI_VERSION;
inline constexpr const char* abi_version_symbol = "lel_module_abi_version";
inline constexpr const char* entry_symbol = "lel_module_entry";
}  // namespace lel
