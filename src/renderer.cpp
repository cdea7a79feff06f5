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
      gain_ramp_(max_block_), mix_mono_(max_block_), mix_left_(max_block_), mix_right_(max_block_) {
    if (!(sample_rate > 0.0)) throw std::invalid_argument("sample rate must be positive");
    if (max_block == 0) throw std::invalid_argument("block size must be at least 1");
    set_bpm(120.0);
}

Renderer::~Renderer() { release_all(); }

void Renderer::release_all() noexcept {
    delete std::exchange(current_, nullptr);
    delete std::exchange(scheduled_, nullptr);
    for (std::size_t i = 0; i < fading_size_; ++i) delete fading_[i];
    fading_size_ = 0;
    fading_count_.store(0, std::memory_order_release);
}

void Renderer::render(std::span<StereoFrame> out) noexcept {
    std::size_t done = 0;
    while (done < out.size()) {
        take_and_swap();
        auto n = static_cast<uint32_t>(std::min<std::size_t>(max_block_, out.size() - done));
        if (scheduled_ && scheduled_->start_frame() < frame_now_ + n) {
            n = static_cast<uint32_t>(scheduled_->start_frame() - frame_now_);  // > 0: split the block there
        }
        render_block(out.data() + done, n);
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

void Renderer::swap_in(Program* next) noexcept {
    Program* old = std::exchange(current_, next);
    since_swap_ = 0;
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
void Renderer::mute(const Voice& v, RtLogRecord::Kind why) noexcept {
    v.fault->store(1, std::memory_order_relaxed);
    if (why == RtLogRecord::Kind::signal_out_of_range) v.poisoned->store(1, std::memory_order_relaxed);
    faults_.fetch_add(1, std::memory_order_relaxed);
    log_.try_log(why, frame_now_, v.name);
}

// Renders `v` into the mix buses, times `gain` (null: 1). False if it
// failed: then it is muted.
bool Renderer::render_voice(const Voice& v, uint32_t n, const double* gain) noexcept {
    const double beats_per_frame = beats_per_frame_.load(std::memory_order_relaxed);
    const lel_block block{frame_now_, n, v.state_size, sample_rate_, dt_, v.name,
                          mix_mono_.data(), mix_left_.data(), mix_right_.data(), gain,
                          v.helpers, v.helpers_size, 0,
                          static_cast<double>(frame_now_) * beats_per_frame, beats_per_frame};
    switch (rt::render_signal(v.render, v.user, &block, v.state)) {
        case LEL_RENDER_OK: return true;
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
    const double step = fade ? 1.0 / fade : 1.0;
    for (const Voice& v : current_->voices()) {
        if (muted(v)) continue;
        double& g = gain_[v.name_index];
        if (v.crossfade_in && since_swap_ < fade) {
            if (!render_voice(v, n, curve(n, since_swap_, fade, true))) g = 0.0;
            continue;
        }
        const double from = g;
        g = std::min(1.0, g + step * n);
        // Muted: the name's next code fades in from silence.
        if (!render_voice(v, n, ramp(n, from, from < 1.0 ? step : 0.0))) g = 0.0;
    }
}

void Renderer::render_fading(uint32_t n, uint32_t fade) noexcept {
    const double step = fade ? 1.0 / fade : 1.0;
    const uint64_t current_id = current_ ? current_->id() : 0;
    std::size_t kept = 0;
    for (std::size_t p = 0; p < fading_size_; ++p) {
        Program* prog = fading_[p];
        const auto voices = prog->voices();
        const auto exits = prog->exits();
        for (std::size_t i = 0; i < voices.size(); ++i) {
            const Voice& v = voices[i];
            if (muted(v)) continue;
            if (exits[i] == Exit::crossfade) {
                if (prog->out_clock < fade) render_voice(v, n, curve(n, prog->out_clock, fade, false));
                continue;
            }
            if (exits[i] != Exit::fade_out) continue;
            if (owner_[v.name_index] / 2 == current_id) continue;  // back in the current program: it owns the gain
            double& g = gain_[v.name_index];
            if (g <= 0.0) continue;
            const double from = g;
            g = std::max(0.0, g - step * n);
            if (!render_voice(v, n, ramp(n, from, -step))) g = 0.0;
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

void Renderer::render_block(StereoFrame* out, uint32_t n) noexcept {
    std::fill_n(mix_mono_.data(), n, 0.0);
    std::fill_n(mix_left_.data(), n, 0.0);
    std::fill_n(mix_right_.data(), n, 0.0);
    const uint32_t fade = fade_frames();
    if (current_) render_current(n, fade);
    if (fading_size_ > 0) render_fading(n, fade);
    since_swap_ = since_swap_ > UINT32_MAX - n ? UINT32_MAX : since_swap_ + n;

    // One vectorized pass for a block at a sane level; the limiter's
    // per-sample branches only for a block that needs them.
    const double* left = mix_left_.data();
    const double* right = mix_right_.data();
    const double* mono = mix_mono_.data();
    uint64_t over = 0;
    for (uint32_t i = 0; i < n; ++i) {
        const double l = left[i] + mono[i];
        const double r = right[i] + mono[i];
        over |= beyond_knee(l) | beyond_knee(r);
        out[i] = StereoFrame{static_cast<float>(l), static_cast<float>(r)};
    }
    if (over) {
        for (uint32_t i = 0; i < n; ++i) {
            out[i] = StereoFrame{static_cast<float>(soft_limit(left[i] + mono[i])),
                                 static_cast<float>(soft_limit(right[i] + mono[i]))};
        }
    }
    frame_now_ += n;
    frame_.store(frame_now_, std::memory_order_relaxed);
}

}  // namespace lel
