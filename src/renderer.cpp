#include "renderer.hpp"

#include "output_stage.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace lel {

Renderer::Renderer(double sample_rate, uint32_t max_block, ProgramMailbox& mailbox, RtLog& log)
    : sample_rate_(sample_rate), max_block_(max_block), mailbox_(mailbox), log_(log),
      left_(max_block), right_(max_block), mix_left_(max_block), mix_right_(max_block) {
    if (!(sample_rate > 0.0)) throw std::invalid_argument("sample rate must be positive");
    if (max_block == 0) throw std::invalid_argument("block size must be at least 1");
}

Renderer::~Renderer() { delete current_; }

std::unique_ptr<Program> Renderer::release_current() noexcept {
    return std::unique_ptr<Program>(std::exchange(current_, nullptr));
}

void Renderer::render(std::span<StereoFrame> out) noexcept {
    std::size_t done = 0;
    while (done < out.size()) {
        if (Program* next = mailbox_.try_take()) {
            Program* old = std::exchange(current_, next);
            mailbox_.retire(old, next->id(), frame_now_);
        }
        const auto n = static_cast<uint32_t>(std::min<std::size_t>(max_block_, out.size() - done));
        render_block(out.data() + done, n);
        done += n;
    }
}

void Renderer::mute(const Voice& v, RtLogRecord::Kind why) noexcept {
    v.fault->store(1, std::memory_order_relaxed);
    faults_.fetch_add(1, std::memory_order_relaxed);
    log_.try_log(why, frame_now_, v.name);
}

void Renderer::render_block(StereoFrame* out, uint32_t n) noexcept {
    double* const ml = mix_left_.data();
    double* const mr = mix_right_.data();
    double* const l = left_.data();
    double* const r = right_.data();
    std::fill_n(ml, n, 0.0);
    std::fill_n(mr, n, 0.0);

    if (current_) {
        lel_block block{frame_now_, n, 0, sample_rate_, 1.0 / sample_rate_, nullptr};
        for (const Voice& v : current_->voices()) {
            if (v.fault->load(std::memory_order_relaxed) != 0) continue;
            block.state_size = v.state_size;
            block.name = v.name;
            if (v.render(v.user, &block, v.state, l, r) != LEL_RENDER_OK) {
                mute(v, RtLogRecord::Kind::signal_threw);
                continue;
            }
            const bool stereo = v.channels == 2;
            if (!all_finite({l, n}) || (stereo && !all_finite({r, n}))) {
                mute(v, RtLogRecord::Kind::signal_not_finite);
                continue;
            }
            const double* rr = stereo ? r : l;
            for (uint32_t i = 0; i < n; ++i) {
                ml[i] += l[i];
                mr[i] += rr[i];
            }
        }
    }
    for (uint32_t i = 0; i < n; ++i) {
        out[i] = StereoFrame{static_cast<float>(soft_limit(ml[i])), static_cast<float>(soft_limit(mr[i]))};
    }
    frame_now_ += n;
    frame_.store(frame_now_, std::memory_order_relaxed);
}

}  // namespace lel
