// lel — the renderer: runs the current program, block by block, into
// stereo frames. This is the engine's real-time core; it knows nothing of
// JACK, so tests and the offline render drive it directly.
//
// Per block it (1) takes a newly published program and, once the frame it
// is scheduled for arrives, makes it current (a block is split so that the
// swap lands on exactly that frame), (2) calls each signal's block function,
// which adds the signal, times a per-sample gain when it is fading, into the
// mix buses (mono, left, right), (3) mutes a signal whose block held NaN,
// inf or a sample beyond detail::max_sample (those samples were mixed as 0;
// its state is marked poisoned, so the name's next code gets fresh state)
// or whose code threw (nothing was mixed), and (4) adds the mono bus to both
// channels and passes the sum through the output stage's soft limiter. A
// voice gets only the buses of its channel count (lel_signal_desc::channels),
// so step 4 reads and zeroes only the buses the block wrote.
// Blocks are at most LEL_MAX_BLOCK_FRAMES long (the modules' stack buffer).
//
// Fades (all decided here, at the swap, from what is really playing):
//   - a name that was not playing fades in linearly over fade_frames;
//   - a name that is gone fades out linearly: its old program stays alive,
//     "fading", until its tail is done, then goes back to the control thread;
//   - a name whose new code asked for a crossfade: old and new code both run
//     (on separate state) with equal-power gains, cos/sin;
//   - a name that returns while it is still fading out is taken over by the
//     new program from the gain it had reached, so its state is never run
//     twice and its level never jumps;
//   - a muted signal's name drops to gain 0, and so does a name whose last
//     program is retired: what next plays under it fades in from silence.
// Per-name gains live in an array indexed by the name's dense index.
//
// Routing (include/lel/dsp/routing.hpp, src/routing.hpp): a name with a bus
// (listened to, or a send) renders into its bus instead of the main mix;
// after the block, the bus goes into the main mix unless it is a send.
// Every voice of such a name, fading ones included, renders right before
// the current program's voice of that name, and programs order their voices
// sources first, so a listener reads its sources' samples of the same
// block. A bus starts each block silent, except where a listener renders
// before its source (a cycle, BusRoute::late): such a bus is zeroed when
// the block's first voice writes it, so the early listener reads the
// source's previous block, and a late bus nobody wrote is zeroed once after
// the block, so a source that stops reads as silence. A name that becomes a
// send (or stops being one) fades out of (into) the main mix over the fade
// time: the bus's level in the main mix ramps.
//
// Threads: construction, release_all(), set_fade_frames() and the *_approx
// readers are control-thread; render() is producer-thread only.
#pragma once

#include <lel/detail/rt.hpp>

#include "fault_guard.hpp"
#include "midi.hpp"
#include "params.hpp"
#include "program_mailbox.hpp"
#include "ring.hpp"
#include "rt_log.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace lel {

/// One frame as it travels through the ring to the ports.
struct StereoFrame {
    float left;
    float right;
};
static_assert(std::is_trivially_copyable_v<StereoFrame>);

class Renderer {
public:
    /// Allocates every buffer render() will ever use. Control thread.
    /// `max_block` above LEL_MAX_BLOCK_FRAMES is lowered to it.
    Renderer(double sample_rate, uint32_t max_block, uint32_t max_names, ProgramMailbox& mailbox, RtLog& log);

    /// A timed parameter event waiting for its frame, and when it came.
    struct Held {
        ParamEvent event;
        uint64_t order;
    };

    /// Buses for listened-to names and sends (routing.hpp's BusTable).
    static constexpr uint32_t max_buses = 256;
    ~Renderer();
    Renderer(const Renderer&) = delete;
    Renderer& operator=(const Renderer&) = delete;

    /// Producer thread; wait-free apart from the signals' own code. Renders
    /// out.size() frames (any number; split into blocks of max_block).
    /// `in` is the audio input for the same frames (lel::input), or empty
    /// for silence.
    void render(std::span<StereoFrame> out, std::span<const StereoFrame> in = {}) noexcept LEL_RT;

    double sample_rate() const noexcept { return sample_rate_; }
    uint32_t max_block() const noexcept { return max_block_; }

    /// Any thread; wait-free. Length of fades in frames (0: no fades).
    void set_fade_frames(uint32_t frames) noexcept { fade_frames_.store(frames, std::memory_order_relaxed); }
    uint32_t fade_frames() const noexcept { return fade_frames_.load(std::memory_order_relaxed); }

    /// The beat grid: s.beat at frame f is base + f * beats_per_frame (the
    /// grid quantized loads use too).
    struct BeatGrid {
        double beats_per_frame;
        double base;  ///< the beat at frame 0
    };
    /// Control thread only (the seqlock has one writer); wait-free. Sets
    /// the grid: the producer never sees a tempo of one grid with the base
    /// of another.
    void set_beat_grid(BeatGrid grid) noexcept;
    /// Control thread only; wait-free. The tempo signals see as s.bpm, and
    /// count s.beat in; the base is kept. 120 bpm and base 0 until set.
    void set_bpm(double bpm) noexcept { set_beat_grid({bpm / 60.0 / sample_rate_, beat_grid().base}); }
    /// Any thread; wait-free: the grid, or false (and `out` untouched) when
    /// set_beat_grid() kept writing through every retry.
    bool try_beat_grid(BeatGrid& out) const noexcept LEL_RT;
    /// Any thread; wait-free. The grid (on the control thread, which is
    /// the writer, always whole).
    BeatGrid beat_grid() const noexcept LEL_RT;
    double bpm() const noexcept { return beat_grid().beats_per_frame * 60.0 * sample_rate_; }

    /// Control thread, before the producer starts: where parameter sets
    /// come from (the renderer is the queue's only reader).
    void set_param_queue(SpscRing<ParamEvent>* queue) noexcept { param_queue_ = queue; }
    /// Control thread, before the producer starts: where MIDI events come
    /// from (lel:midi_in; the renderer is the queue's only reader).
    void set_midi_queue(SpscRing<MidiEvent>* queue) noexcept { midi_queue_ = queue; }
    /// Any thread; racy. MIDI events played.
    uint64_t midi_events_approx() const noexcept { return midi_events_.load(std::memory_order_relaxed); }
    /// Any thread; racy. Parameter sets whose signal had left the program
    /// by the time they arrived.
    uint64_t params_missed_approx() const noexcept { return params_missed_.load(std::memory_order_relaxed); }
    /// Any thread; racy. Timed parameter sets that arrived after their
    /// frame was rendered (or found no room to wait): applied at once.
    uint64_t params_late_approx() const noexcept { return params_late_.load(std::memory_order_relaxed); }

    /// Any thread; racy. Frames rendered so far (the next frame's index).
    uint64_t frame_approx() const noexcept { return frame_.load(std::memory_order_relaxed); }
    /// Control thread, before the producer first runs: the first frame to
    /// render is `frame` (time goes on across a change of sample rate:
    /// leld's playback.hpp).
    void start_at(uint64_t frame) noexcept {
        frame_now_ = frame;
        frame_.store(frame, std::memory_order_relaxed);  // the thread start publishes both to the producer
    }
    /// Any thread; racy. Signals muted for NaN/inf/out-of-bound samples or exceptions.
    uint64_t faults_approx() const noexcept { return faults_.load(std::memory_order_relaxed); }
    /// Any thread. Programs still fading out. 0 (acquire) means the producer
    /// no longer runs any voice but the current program's. (Nothing waits
    /// for it: state slices return when retired programs are deleted.)
    uint32_t fading() const noexcept { return fading_count_.load(std::memory_order_acquire); }
    /// Any thread; racy. Fade tails cut short because too many overlapped.
    uint64_t cut_fades_approx() const noexcept { return cut_fades_.load(std::memory_order_relaxed); }

    /// Control thread, only once the producer has stopped for good: frees
    /// every program the renderer holds.
    void release_all() noexcept;

private:
    static constexpr std::size_t max_fading = 8;

    void take_and_swap() noexcept LEL_RT;
    void apply_params() noexcept LEL_RT;
    void apply_midi() noexcept LEL_RT;
    void deliver(const ParamEvent& e) noexcept LEL_RT;
    void hold(const ParamEvent& e) noexcept LEL_RT;
    void swap_in(Program* next) noexcept LEL_RT;
    /// Which fading voices render_fading_sources() renders.
    enum class Sources : uint8_t { gone, of_name };

    void render_block(StereoFrame* out, const StereoFrame* in, uint32_t n) noexcept LEL_RT;
    void render_current(uint32_t n, uint32_t fade) noexcept LEL_RT;
    void render_fading(uint32_t n, uint32_t fade) noexcept LEL_RT;
    void render_fading_sources(uint32_t n, uint32_t fade, Sources which, uint32_t name_index) noexcept LEL_RT;
    void render_fading_voice(Program& prog, std::size_t i, uint32_t n, uint32_t fade) noexcept LEL_RT;
    void route(const Program* old, const Program& next) noexcept LEL_RT;
    void start_buses(uint32_t n) noexcept LEL_RT;
    void finish_buses(uint32_t n, uint32_t fade) noexcept LEL_RT;
    bool has_bus(const Voice& v) const noexcept { return bus_of_[v.name_index] != no_bus; }
    bool render_voice(const Voice& v, uint32_t n, const double* gain) noexcept LEL_RT;
    template <bool Mono, bool Stereo>
    bool output_pass(StereoFrame* out, uint32_t n) noexcept LEL_RT;
    void silence_names_of(const Program& p) noexcept LEL_RT;
    const double* ramp(uint32_t n, double gain_from, double gain_step) noexcept LEL_RT;
    const double* curve(uint32_t n, uint32_t clock, uint32_t fade, bool rising) noexcept LEL_RT;
    void mute(const Voice& v, RtLogRecord::Kind why, int32_t code = 0) noexcept LEL_RT;

    const double sample_rate_;
    const double dt_;  // 1 / sample_rate_
    const uint32_t max_block_;
    ProgramMailbox& mailbox_;
    RtLog& log_;

    // Producer-owned from here on.
    Program* current_ = nullptr;
    Program* scheduled_ = nullptr;  // taken from the mailbox, waiting for its start frame
    uint32_t since_swap_ = 0;       // frames the current program has run, saturating
    std::array<Program*, max_fading> fading_{};
    std::size_t fading_size_ = 0;
    uint64_t frame_now_ = 0;
    std::vector<double> gain_;      // per name index: its level, 0..1
    std::vector<uint64_t> owner_;   // per name index: id of the last program holding it
    std::vector<double> gain_ramp_, mix_mono_, mix_left_, mix_right_;  // max_block each, never resized
    static constexpr uint8_t mixed_mono = 1, mixed_stereo = 2;
    uint8_t mixed_ = 0;  // which of the mix buses this block wrote: only those are read and zeroed
    static constexpr uint16_t no_bus = 0xffff;
    static_assert(max_buses < no_bus);
    std::vector<uint16_t> bus_of_;      // per name index: its bus, or no_bus (set at swaps from the routes)
    std::vector<double> buses_;         // max_buses * 3 channels * LEL_MAX_BLOCK_FRAMES
    std::vector<uint64_t> bus_block_;   // per bus: the block that last wrote it
    std::vector<uint8_t> bus_clean_;    // per bus: all zero
    std::vector<double> bus_main_;      // per bus: its level in the main mix (fades when a name becomes a send)
    uint64_t block_count_ = 1;          // blocks rendered, from 1 (0 means never)
    std::vector<double> input_;         // this block's input: left, then right at LEL_MAX_BLOCK_FRAMES
    const double* block_input_ = nullptr;

    SpscRing<ParamEvent>* param_queue_ = nullptr;
    static constexpr std::size_t max_pending = 4096;
    static constexpr int max_params_per_block = 1024;
    std::vector<Held> pending_;        // timed events not due yet: a heap, earliest first; max_pending, never resized
    std::size_t pending_size_ = 0;
    uint64_t held_order_ = 0;          // arrival order, for events of one frame
    std::optional<ParamEvent> parked_;  // a timed event that found pending_ full
    SpscRing<MidiEvent>* midi_queue_ = nullptr;
    static constexpr int max_midi_per_block = 256;
    MidiVoice midi_voice_;
    fault::Report fault_report_;  // why the last guarded block did not return

    // Written by the control thread, read by the producer.
    std::atomic<uint32_t> fade_frames_{0};
    std::atomic<uint32_t> grid_seq_{0};         // odd while set_beat_grid() writes
    std::atomic<double> beats_per_frame_{0.0};  // set in the constructor: 120 bpm
    std::atomic<double> beat_base_{0.0};
    BeatGrid block_grid_{0.0, 0.0};             // producer: the grid of the block being rendered
    // Written by the producer, read by anyone.
    std::atomic<uint64_t> frame_{0};
    std::atomic<uint64_t> faults_{0};
    std::atomic<uint32_t> fading_count_{0};
    std::atomic<uint64_t> cut_fades_{0};
    std::atomic<uint64_t> params_missed_{0};
    std::atomic<uint64_t> midi_events_{0};
    std::atomic<uint64_t> params_late_{0};
};

}  // namespace lel
