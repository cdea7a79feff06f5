// lel DSP tests — a signal run offline, the way leld runs it: a probe sample
// records its helper layout, the helper area is laid out, then it renders
// sample by sample with a fresh cursor every sample. Header-only; no engine,
// no module, no JACK.
//
//     lel::test::Offline sig([](lel::Context& s) { return lel::saw(s, 440.0); });
//     const std::vector<double> x = sig.mono(48000);   // one second
#pragma once

#include <lel/context.hpp>
#include <lel/dsp/state.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace lel::test {

template <class F>
class Offline {
public:
    explicit Offline(F fn, double sample_rate = 48000.0, uint32_t raw_state = 256, std::string name = "test")
        : fn_(std::move(fn)), name_(std::move(name)), raw_(raw_state, 0.0) {
        s_.sr = sample_rate;
        s_.dt = 1.0 / sample_rate;
        s_.name = name_;
        s_.state = std::span<double>(raw_);
        // The probe: one sample on a copy, against scratch state.
        auto recorder = std::make_unique<detail::Recorder>();
        std::vector<double> scratch_raw(raw_state, 0.0);
        Context probe = s_;
        probe.state = std::span<double>(scratch_raw);
        probe.helpers.recorder = recorder.get();
        F copy = fn_;
        (void)copy(probe);
        EXPECT_FALSE(recorder->overflowed());
        blocks_.assign(recorder->blocks().begin(), recorder->blocks().end());
        area_.assign(detail::area_doubles(blocks_), 0.0);
        detail::write_headers(area_.data(), blocks_);
        s_.helpers.area = area_.data();
        s_.helpers.size = static_cast<uint32_t>(area_.size());
    }

    /// The next sample (a double or a lel::Frame, as the signal returns).
    auto next() {
        s_.frame = frame_++;
        s_.t = static_cast<double>(s_.frame) * s_.dt;
        s_.beat = s_.t * s_.bpm / 60.0;
        s_.helpers.cursor = 0;
        return fn_(s_);
    }

    /// The next `n` samples of a mono signal.
    std::vector<double> mono(std::size_t n) {
        std::vector<double> out(n);
        for (double& x : out) x = static_cast<double>(next());
        return out;
    }

    /// The next `n` frames of a stereo signal, as left and right.
    std::pair<std::vector<double>, std::vector<double>> stereo(std::size_t n) {
        std::vector<double> l(n), r(n);
        for (std::size_t i = 0; i < n; ++i) {
            const Frame f = next();
            l[i] = f.left;
            r[i] = f.right;
        }
        return {l, r};
    }

    /// What the probe recorded: one block per helper call.
    const std::vector<detail::RecordedBlock>& layout() const noexcept { return blocks_; }
    /// True once a call found another helper's block (leld would mute).
    bool mismatched() const noexcept { return s_.helpers.mismatch != 0; }
    Context& context() noexcept { return s_; }
    F& fn() noexcept { return fn_; }

private:
    F fn_;
    std::string name_;
    std::vector<double> raw_;
    std::vector<detail::RecordedBlock> blocks_;
    std::vector<double> area_;
    Context s_;
    uint64_t frame_ = 0;
};

}  // namespace lel::test
