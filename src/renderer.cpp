#include "renderer.hpp"

#include "output_stage.hpp"
#include "rt_calls.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace lel {

Renderer::Renderer(double sample_rate, uint32_t max_block, uint32_t max_names, ProgramMailbox& mailbox, RtLog& log)
    : sample_rate_(sample_rate), dt_(1.0 / sample_rate), max_block_(std::min(max_block, LEL_MAX_BLOCK_FRAMES)),
      mailbox_(mailbox), log_(log), gain_(max_names, 0.0), owner_(max_names, 0),
      gain_ramp_(max_block_), mix_mono_(max_block_), mix_left_(max_block_), mix_right_(max_block_),
      bus_of_(max_names, no_bus), buses_(std::size_t{max_buses} * 3 * LEL_MAX_BLOCK_FRAMES, 0.0),
      bus_block_(max_buses, 0), bus_clean_(max_buses, 1), bus_main_(max_buses, 1.0), input_(2 * LEL_MAX_BLOCK_FRAMES, 0.0),
      pending_(max_pending) {
    if (!(sample_rate > 0.0)) throw std::invalid_argument("sample rate must be positive");
    if (max_block == 0) throw std::invalid_argument("block size must be at least 1");
    set_beat_grid({120.0 / 60.0 / sample_rate, 0.0});
}

void Renderer::set_beat_grid(BeatGrid grid) noexcept {
    const uint32_t seq = grid_seq_.load(std::memory_order_relaxed);
    grid_seq_.store(seq + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);  // the odd count is seen before the fields change
    beats_per_frame_.store(grid.beats_per_frame, std::memory_order_relaxed);
    beat_base_.store(grid.base, std::memory_order_relaxed);
    grid_seq_.store(seq + 2, std::memory_order_release);  // pairs with the acquire in beat_grid()
}

bool Renderer::try_beat_grid(BeatGrid& out) const noexcept {
    // One writer, rarely: a retry is all but never needed; a bound keeps it wait-free.
    for (int tries = 0; tries < 64; ++tries) {
        const uint32_t before = grid_seq_.load(std::memory_order_acquire);
        const BeatGrid g{beats_per_frame_.load(std::memory_order_relaxed), beat_base_.load(std::memory_order_relaxed)};
        std::atomic_thread_fence(std::memory_order_acquire);
        if ((before & 1u) == 0 && grid_seq_.load(std::memory_order_relaxed) == before) {
            out = g;
            return true;
        }
    }
    return false;
}

Renderer::BeatGrid Renderer::beat_grid() const noexcept {
    BeatGrid g{beats_per_frame_.load(std::memory_order_relaxed), beat_base_.load(std::memory_order_relaxed)};
    try_beat_grid(g);
    return g;
}

Renderer::~Renderer() { release_all(); }

void Renderer::release_all() noexcept {
    delete std::exchange(current_, nullptr);
    delete std::exchange(scheduled_, nullptr);
    for (std::size_t i = 0; i < fading_size_; ++i) delete fading_[i];
    fading_size_ = 0;
    fading_count_.store(0, std::memory_order_release);
}

void Renderer::render(std::span<StereoFrame> out, std::span<const StereoFrame> in) noexcept {
    const bool with_input = in.size() >= out.size();
    std::size_t done = 0;
    while (done < out.size()) {
        take_and_swap();
        apply_params();
        auto n = static_cast<uint32_t>(std::min<std::size_t>(max_block_, out.size() - done));
        // Split the block where a scheduled program starts. One that is due
        // already (its swap waits for room to hand back the old program)
        // splits nothing: this block plays on, and the swap comes after it.
        if (scheduled_ && scheduled_->start_frame() > frame_now_ && scheduled_->start_frame() < frame_now_ + n) {
            n = static_cast<uint32_t>(scheduled_->start_frame() - frame_now_);
        }
        if (pending_size_ > 0 && pending_[0].event.frame < frame_now_ + n) {
            n = static_cast<uint32_t>(pending_[0].event.frame - frame_now_);  // > 0: the due ones were applied
        }
        render_block(out.data() + done, with_input ? in.data() + done : nullptr, n);
        done += n;
    }
}

void Renderer::take_and_swap() noexcept {
    // Worst case per take: hand back a superseded schedule, the replaced
    // program, and a fading program cut short.
    if (Program* next = mailbox_.try_take(3)) {
        if (scheduled_) mailbox_.retire(scheduled_, scheduled_->id(), ProgramMailbox::superseded);
        scheduled_ = next;
    }
    // A swap hands back up to two records; wait a block if the control
    // thread has not drained the ring yet.
    if (scheduled_ && scheduled_->start_frame() <= frame_now_ && mailbox_.has_room(2)) {
        swap_in(std::exchange(scheduled_, nullptr));
    }
}

// Parameter sets and triggers that arrived: each goes into its block in the
// current program and, when a load is waiting for its frame, in that
// program's too (its state may be a fresh lease). A trigger plays on the
// next frame rendered.
namespace {

// The order timed events wait in: by frame, then by arrival (a min-heap
// through std::push_heap's max-heap: "greater" first).
struct LaterFirst {
    bool operator()(const Renderer::Held& a, const Renderer::Held& b) const noexcept {
        return a.event.frame != b.event.frame ? a.event.frame > b.event.frame : a.order > b.order;
    }
};

}  // namespace

void Renderer::apply_params() noexcept {
    if (param_queue_) {
        // Bounded work per block; a timed event with no room to wait stays
        // parked (and the queue unread behind it) until one is due.
        if (parked_ && pending_size_ < max_pending) {
            hold(*parked_);
            parked_.reset();
        }
        ParamEvent e;
        for (int taken = 0; !parked_ && taken < max_params_per_block &&
                            param_queue_->try_read(std::span<ParamEvent>(&e, 1)) == 1;
             ++taken) {
            if (e.frame > frame_now_) {
                if (pending_size_ < max_pending) {
                    hold(e);
                } else {
                    parked_ = e;
                }
                continue;
            }
            if (e.frame != 0 && e.frame < frame_now_) params_late_.fetch_add(1, std::memory_order_relaxed);
            deliver(e);
        }
    }
    apply_midi();
    // The held events that are due (render() ends each block at the next one).
    while (pending_size_ > 0 && pending_[0].event.frame <= frame_now_) {
        std::pop_heap(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(pending_size_), LaterFirst{});
        --pending_size_;
        deliver(pending_[pending_size_].event);
    }
}

// MIDI events that arrived, as the parameter events they make: each waits
// for its frame with the timed sets (a full heap: it plays at once, late).
void Renderer::apply_midi() noexcept {
    if (!midi_queue_) return;
    MidiEvent m;
    std::array<ParamEvent, MidiVoice::max_events> events;
    for (int taken = 0; taken < max_midi_per_block && midi_queue_->try_read(std::span<MidiEvent>(&m, 1)) == 1;
         ++taken) {
        midi_events_.fetch_add(1, std::memory_order_relaxed);
        const std::size_t n = midi_voice_.play(m, events);
        for (std::size_t i = 0; i < n; ++i) {
            const ParamEvent& e = events[i];
            if (e.frame > frame_now_ && pending_size_ < max_pending) {
                hold(e);
                continue;
            }
            if (e.frame != frame_now_) params_late_.fetch_add(1, std::memory_order_relaxed);
            deliver(e);
        }
    }
}

// Keeps a timed event until its frame. Precondition: pending_size_ < max_pending.
void Renderer::hold(const ParamEvent& e) noexcept {
    pending_[pending_size_] = Held{e, held_order_++};
    ++pending_size_;
    std::push_heap(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(pending_size_), LaterFirst{});
}

void Renderer::deliver(const ParamEvent& e) noexcept {
    bool found = false;
    for (Program* p : {current_, scheduled_}) {
        if (!p) continue;
        if (e.name_index == ParamEvent::every_signal) {
            for (const ParamTable::Slot& slot : p->params().with_key(e.key)) apply(*slot.block, e, frame_now_);
            found = true;  // no signal reading it is no miss: MIDI plays whether anyone listens or not
            continue;
        }
        if (ParamState* block = p->params().find(e.name_index, e.key)) {
            apply(*block, e, frame_now_);
            found = true;
        }
    }
    if (!found) params_missed_.fetch_add(1, std::memory_order_relaxed);
}

// The new program's routes replace the old one's. A bus the new program no
// longer routes is zeroed, so that nothing still reading it (a listener
// fading out) hears a stale block.
void Renderer::route(const Program* old, const Program& next) noexcept {
    // A name that had no bus played on the main mix (or not at all): its
    // bus starts at full level there, so that becoming a send fades it out.
    for (const BusRoute& r : next.routes()) {
        if (bus_of_[r.name_index] == no_bus) bus_main_[r.bus] = r.main || gain_[r.name_index] > 0.0 ? 1.0 : 0.0;
    }
    if (old) {
        for (const BusRoute& r : old->routes()) bus_of_[r.name_index] = no_bus;
    }
    for (const BusRoute& r : next.routes()) bus_of_[r.name_index] = static_cast<uint16_t>(r.bus);
    if (!old) return;
    for (const BusRoute& r : old->routes()) {
        if (bus_of_[r.name_index] != no_bus || bus_clean_[r.bus]) continue;
        std::fill_n(buses_.data() + std::size_t{3} * r.bus * LEL_MAX_BLOCK_FRAMES, 3 * LEL_MAX_BLOCK_FRAMES, 0.0);
        bus_clean_[r.bus] = 1;
    }
}

void Renderer::swap_in(Program* next) noexcept {
    Program* old = std::exchange(current_, next);
    since_swap_ = 0;
    route(old, *next);
    // Tag every name the new program holds, then see how the old one leaves.
    // owner_ holds id*2, +1 when the name crossfades in.
    for (const Voice& v : next->voices()) {
        owner_[v.name_index] = next->id() * 2 + (v.crossfade_in ? 1 : 0);
        if (v.crossfade_in) gain_[v.name_index] = 1.0;  // after the crossfade, it plays at full level
    }
    bool leaving = false;
    if (old) {
        const auto voices = old->voices();
        const auto exits = old->exits();
        for (std::size_t i = 0; i < voices.size(); ++i) {
            const uint64_t owner = owner_[voices[i].name_index];
            if (owner / 2 != next->id()) {
                exits[i] = Exit::fade_out;
            } else {
                exits[i] = (owner & 1) ? Exit::crossfade : Exit::stays;
            }
            leaving |= exits[i] != Exit::stays;
        }
    }
    if (!leaving || fade_frames() == 0) {
        if (old) silence_names_of(*old);
        mailbox_.retire(old, next->id(), frame_now_);
        return;
    }
    if (fading_size_ == max_fading) {
        // Too many fades at once (loads faster than the fade time): cut the
        // oldest tail rather than grow.
        silence_names_of(*fading_[0]);
        mailbox_.retire(fading_[0], 0, frame_now_);
        std::move(fading_.begin() + 1, fading_.end(), fading_.begin());
        --fading_size_;
        cut_fades_.fetch_add(1, std::memory_order_relaxed);
    }
    old->out_clock = 0;
    fading_[fading_size_++] = old;
    // Before the swap is reported: whoever sees the swap sees the fade too.
    fading_count_.store(static_cast<uint32_t>(fading_size_), std::memory_order_release);
    mailbox_.retire(nullptr, next->id(), frame_now_);
}

// Relaxed stores: the control thread only reports the fault and, for
// poisoned state, gives the name's next code a fresh slice; neither orders
// anything else.
void Renderer::mute(const Voice& v, RtLogRecord::Kind why, int32_t code) noexcept {
    v.fault->store(1, std::memory_order_relaxed);
    if (why == RtLogRecord::Kind::signal_out_of_range) v.poisoned->store(1, std::memory_order_relaxed);
    faults_.fetch_add(1, std::memory_order_relaxed);
    log_.try_log(why, frame_now_, v.name, code);
}

// Renders `v` into the mix buses, times `gain` (null: 1). False if it
// failed: then it is muted.
bool Renderer::render_voice(const Voice& v, uint32_t n, const double* gain) noexcept {
    const double beats_per_frame = block_grid_.beats_per_frame;
    // A voice on the main mix gets the buses of its channel count only (the
    // others null: a module that writes where it said it would not faults,
    // and is muted), so the output pass reads what was written.
    double* mono = nullptr;
    double* left = nullptr;
    double* right = nullptr;
    if (const uint16_t b = bus_of_[v.name_index]; b != no_bus) {
        mono = buses_.data() + std::size_t{3} * b * LEL_MAX_BLOCK_FRAMES;
        left = mono + LEL_MAX_BLOCK_FRAMES;
        right = left + LEL_MAX_BLOCK_FRAMES;
        if (bus_block_[b] != block_count_) {  // the block's first writer: a cycle's reader saw the last block
            std::fill_n(mono, n, 0.0);
            std::fill_n(left, n, 0.0);
            std::fill_n(right, n, 0.0);
            bus_block_[b] = block_count_;
        }
        bus_clean_[b] = 0;
    } else if (v.channels == 2) {
        left = mix_left_.data();
        right = mix_right_.data();
        mixed_ |= mixed_stereo;
    } else {
        mono = mix_mono_.data();
        mixed_ |= mixed_mono;
    }
    const lel_block block{frame_now_, n, v.state_size, sample_rate_, dt_, v.name, mono, left, right, gain,
                          v.helpers, v.helpers_size, 0,
                          block_grid_.base + static_cast<double>(frame_now_) * beats_per_frame,
                          beats_per_frame, block_input_, buses_.data(), v.listens, v.listen_count, 0};
    switch (rt::render_signal(v.render, v.user, &block, v.state, fault_report_)) {
        case LEL_RENDER_OK: return true;
        case -1: {  // it did not return: fault_report_ says why
            using fault::Ending;
            const Ending e = fault_report_.ending;
            mute(v, e == Ending::stalled ? RtLogRecord::Kind::signal_stalled
                    : e == Ending::exited ? RtLogRecord::Kind::signal_exited
                                          : RtLogRecord::Kind::signal_crashed,
                 e == Ending::exited ? fault_report_.exit_status : fault_report_.signal);
            return false;
        }
        case LEL_RENDER_THREW: mute(v, RtLogRecord::Kind::signal_threw); return false;
        case LEL_RENDER_HELPER_ORDER: mute(v, RtLogRecord::Kind::helper_order); return false;
        default: mute(v, RtLogRecord::Kind::signal_out_of_range); return false;
    }
}

// A name whose last program leaves goes silent: whatever next plays under
// it (or under its index, once the arena gives that to a new name) fades in
// from 0, also after a fade cut short or with fades off.
void Renderer::silence_names_of(const Program& p) noexcept {
    for (const Voice& v : p.voices()) {
        if (owner_[v.name_index] / 2 == p.id()) gain_[v.name_index] = 0.0;
    }
}

static bool muted(const Voice& v) noexcept LEL_RT { return v.fault->load(std::memory_order_relaxed) != 0; }

// A linear gain ramp for the next `n` samples, or null for a steady 1.
const double* Renderer::ramp(uint32_t n, double gain_from, double gain_step) noexcept {
    if (gain_step == 0.0 && gain_from == 1.0) return nullptr;
    for (uint32_t i = 0; i < n; ++i) gain_ramp_[i] = std::clamp(gain_from + gain_step * (i + 1), 0.0, 1.0);
    return gain_ramp_.data();
}

// An equal-power gain, sin (rising) or cos, at `clock` frames into a
// crossfade of `fade` frames, for the next `n` samples.
const double* Renderer::curve(uint32_t n, uint32_t clock, uint32_t fade, bool rising) noexcept {
    const double quarter = 0.5 * M_PI / fade;
    for (uint32_t i = 0; i < n; ++i) {
        const double x = std::min<double>(clock + i + 1, fade) * quarter;
        gain_ramp_[i] = rising ? std::sin(x) : std::cos(x);
    }
    return gain_ramp_.data();
}

void Renderer::render_current(uint32_t n, uint32_t fade) noexcept {
    for (const Voice& v : current_->voices()) {
        // Its listeners render after it: its old code fading out goes into
        // its bus first.
        if (fading_size_ > 0 && has_bus(v)) render_fading_sources(n, fade, Sources::of_name, v.name_index);
        if (muted(v)) continue;
        double& g = gain_[v.name_index];
        if (v.crossfade_in && since_swap_ < fade) {
            if (!render_voice(v, n, curve(n, since_swap_, fade, true))) g = 0.0;
            continue;
        }
        if (g == 1.0) {  // at full level: every block but those of a fade
            if (!render_voice(v, n, nullptr)) g = 0.0;
            continue;
        }
        const double step = fade ? 1.0 / fade : 1.0;
        const double from = g;
        g = std::min(1.0, g + step * n);
        // Muted: the name's next code fades in from silence.
        if (!render_voice(v, n, ramp(n, from, from < 1.0 ? step : 0.0))) g = 0.0;
    }
}

// One voice of a program that was replaced: its equal-power fade out, or
// its linear fade to silence when its name is gone.
void Renderer::render_fading_voice(Program& prog, std::size_t i, uint32_t n, uint32_t fade) noexcept {
    const Voice& v = prog.voices()[i];
    if (muted(v)) return;
    const Exit exit = prog.exits()[i];
    if (exit == Exit::crossfade) {
        if (prog.out_clock < fade) render_voice(v, n, curve(n, prog.out_clock, fade, false));
        return;
    }
    if (exit != Exit::fade_out) return;
    if (current_ && owner_[v.name_index] / 2 == current_->id()) return;  // back in the current program: it owns the gain
    const double step = fade ? 1.0 / fade : 1.0;
    double& g = gain_[v.name_index];
    if (g <= 0.0) return;
    const double from = g;
    g = std::max(0.0, g - step * n);
    if (!render_voice(v, n, ramp(n, from, -step))) g = 0.0;
}

// The fading voices that render into buses, before their listeners: those
// whose name left the current program (`gone`), or those of one name
// (`of_name`, just before the current program's voice of it).
void Renderer::render_fading_sources(uint32_t n, uint32_t fade, Sources which, uint32_t name_index) noexcept {
    const uint64_t current_id = current_ ? current_->id() : 0;
    for (std::size_t p = 0; p < fading_size_; ++p) {
        Program& prog = *fading_[p];
        const auto voices = prog.voices();
        for (std::size_t i = 0; i < voices.size(); ++i) {
            const Voice& v = voices[i];
            if (!has_bus(v)) continue;
            const bool pick = which == Sources::gone ? owner_[v.name_index] / 2 != current_id
                                                     : v.name_index == name_index;
            if (pick) render_fading_voice(prog, i, n, fade);
        }
    }
}

// The other fading voices (their names have no bus), then the fades' clocks.
void Renderer::render_fading(uint32_t n, uint32_t fade) noexcept {
    std::size_t kept = 0;
    for (std::size_t p = 0; p < fading_size_; ++p) {
        Program* prog = fading_[p];
        const auto voices = prog->voices();
        for (std::size_t i = 0; i < voices.size(); ++i) {
            if (!has_bus(voices[i])) render_fading_voice(*prog, i, n, fade);
        }
        prog->out_clock += n;
        if (prog->out_clock >= fade && mailbox_.has_room(1)) {
            silence_names_of(*prog);
            mailbox_.retire(prog, 0, frame_now_);
        } else {
            fading_[kept++] = prog;
        }
    }
    fading_size_ = kept;
    fading_count_.store(static_cast<uint32_t>(kept), std::memory_order_release);  // pairs with fading()
}

// Before every voice: a bus that no voice reads before its writers starts
// the block silent (a source that stopped must not replay its last block).
void Renderer::start_buses(uint32_t n) noexcept {
    for (const BusRoute& r : current_->routes()) {
        if (r.late) continue;
        double* mono = buses_.data() + std::size_t{3} * r.bus * LEL_MAX_BLOCK_FRAMES;
        if (!bus_clean_[r.bus]) {
            std::fill_n(mono, n, 0.0);
            std::fill_n(mono + LEL_MAX_BLOCK_FRAMES, n, 0.0);
            std::fill_n(mono + 2 * LEL_MAX_BLOCK_FRAMES, n, 0.0);
        }
        bus_block_[r.bus] = block_count_;  // as if written: its writers add into the zeros
    }
}

// After every voice: buses written this block go on into the main mix
// (sends do not); a bus nobody wrote is zeroed once, so that its listeners
// read silence from the next block on.
void Renderer::finish_buses(uint32_t n, uint32_t fade) noexcept {
    if (current_->routes().empty()) return;
    const double step = fade ? 1.0 / fade : 1.0;
    for (const BusRoute& r : current_->routes()) {
        double* mono = buses_.data() + std::size_t{3} * r.bus * LEL_MAX_BLOCK_FRAMES;
        double& level = bus_main_[r.bus];  // its level in the main mix: fades to 1 (main) or 0 (a send)
        const double target = r.main ? 1.0 : 0.0;
        if (bus_block_[r.bus] == block_count_) {
            if (level == 0.0 && target == 0.0) continue;
            const double* left = mono + LEL_MAX_BLOCK_FRAMES;
            const double* right = left + LEL_MAX_BLOCK_FRAMES;
            const double* g = level == target ? nullptr : ramp(n, level, target > level ? step : -step);
            for (uint32_t i = 0; i < n; ++i) {
                const double k = g ? g[i] : 1.0;
                mix_mono_[i] += k * mono[i];
                mix_left_[i] += k * left[i];
                mix_right_[i] += k * right[i];
            }
            if (g && n > 0) level = g[n - 1];
            mixed_ |= mixed_mono | mixed_stereo;
        } else if (!bus_clean_[r.bus]) {
            std::fill_n(mono, 3 * LEL_MAX_BLOCK_FRAMES, 0.0);
            bus_clean_[r.bus] = 1;
        }
        if (bus_block_[r.bus] != block_count_) level = target;  // nothing plays: nothing to fade
    }
}

// The block's frames from the mix buses written (mono to both channels),
// leaving those buses zero for the next block: in the same pass, while they
// are in cache (a separate clearing pass at the block's start cost more than
// the whole output pass at one voice). True if a frame may need the limiter.
template <bool Mono, bool Stereo>
bool Renderer::output_pass(StereoFrame* out, uint32_t n) noexcept {
    double* left = mix_left_.data();
    double* right = mix_right_.data();
    double* mono = mix_mono_.data();
    uint64_t over = 0;
    for (uint32_t i = 0; i < n; ++i) {
        double l, r;
        if constexpr (Mono && Stereo) {
            l = left[i] + mono[i];
            r = right[i] + mono[i];
        } else if constexpr (Stereo) {
            l = left[i];
            r = right[i];
        } else {
            l = r = mono[i];
        }
        over |= beyond_knee(l) | (Stereo ? beyond_knee(r) : 0);
        out[i] = StereoFrame{static_cast<float>(l), static_cast<float>(r)};
        if constexpr (Mono) mono[i] = 0.0;
        if constexpr (Stereo) left[i] = right[i] = 0.0;
    }
    return over != 0;
}

void Renderer::render_block(StereoFrame* out, const StereoFrame* in, uint32_t n) noexcept {
    // The mix buses are zero here: the output pass below leaves them so.
    block_input_ = nullptr;
    if (in) {
        for (uint32_t i = 0; i < n; ++i) {
            input_[i] = in[i].left;
            input_[LEL_MAX_BLOCK_FRAMES + i] = in[i].right;
        }
        block_input_ = input_.data();
    }
    (void)try_beat_grid(block_grid_);  // a grid being written: the last block's for one more block
    if (current_) start_buses(n);
    const uint32_t fade = fade_frames();
    if (fading_size_ > 0) render_fading_sources(n, fade, Sources::gone, 0);
    if (current_) render_current(n, fade);
    if (fading_size_ > 0) render_fading(n, fade);
    if (current_) finish_buses(n, fade);
    ++block_count_;
    since_swap_ = since_swap_ > UINT32_MAX - n ? UINT32_MAX : since_swap_ + n;

    // One vectorized pass over the buses written, for a block at a sane
    // level; the limiter's per-sample branches only for a block that needs
    // them, from the float frames (the output's own precision: 6e-8 of full
    // scale).
    bool over = false;
    switch (std::exchange(mixed_, 0)) {
        case mixed_mono: over = output_pass<true, false>(out, n); break;
        case mixed_stereo: over = output_pass<false, true>(out, n); break;
        case mixed_mono | mixed_stereo: over = output_pass<true, true>(out, n); break;
        default: std::fill_n(out, n, StereoFrame{0.0f, 0.0f});
    }
    if (over) {
        for (uint32_t i = 0; i < n; ++i) {
            out[i] = StereoFrame{static_cast<float>(soft_limit(out[i].left)),
                                 static_cast<float>(soft_limit(out[i].right))};
        }
    }
    frame_now_ += n;
    frame_.store(frame_now_, std::memory_order_relaxed);
}

}  // namespace lel
