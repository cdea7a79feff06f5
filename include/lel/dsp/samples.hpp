// lel — samples: sound files played from a trigger (docs/stdlib/samples.md).
//
//     LEL_SESSION(session) {
//         const lel::Sample kick = session.sample("kick.wav");  // beside the session file
//         session.add("kick", [kick](auto& s) {
//             return 0.8 * lel::play(s, kick, lel::every(s, 1.0));
//         });
//     }
//
// Design: leld reads the file with libsndfile and converts it to its own
// rate (libsamplerate) on the control thread, while the session body runs;
// the body gets a lel::Sample, a small trivially copyable handle (a pointer
// to the frames, their count, channels and rate) that a signal captures by
// value. The frames belong to leld (src/sample_cache.hpp): every signal the
// load adds holds them, so they live as long as any program that can play
// them, and are freed on the control thread once the last such program is
// retired: never on a real-time thread, never under a playing signal.
//
// lel::play keeps its playhead in its own state block (dsp/state.hpp), so a
// sample mid-way through plays on across a reload that edits the code.
#pragma once

#include <lel/abi.hpp>
#include <lel/context.hpp>
#include <lel/detail/rt.hpp>
#include <lel/dsp/state.hpp>

#include <cstdint>
#include <type_traits>

namespace lel {

/// A sound file as leld holds it: what `session.sample(path)` returns.
/// Trivially copyable: capture it by value. Valid (its data too) as long as
/// any signal added by the load that asked for it lives; a default one is
/// empty and plays silence.
struct Sample {
    const float* data = nullptr;  ///< frames * channels floats, interleaved
    uint64_t frames = 0;          ///< frames at `rate`
    uint32_t channels = 0;        ///< 1 (mono) or 2 (stereo); 0 when empty
    double rate = 0.0;            ///< Hz: leld's rate, which the file was converted to

    bool empty() const noexcept LEL_RT { return frames == 0 || data == nullptr || channels == 0; }
    /// Length in seconds (0 when empty).
    double seconds() const noexcept LEL_RT { return rate > 0.0 ? static_cast<double>(frames) / rate : 0.0; }
    /// Channel `channel` (0 left, 1 right; a mono sample gives its one channel
    /// for both) of frame `frame`; 0 outside the sample. Wait-free.
    double at(uint64_t frame, uint32_t channel) const noexcept LEL_RT {
        if (frame >= frames || data == nullptr) return 0.0;
        const uint32_t c = channel < channels ? channel : 0;
        return static_cast<double>(data[frame * channels + c]);
    }
};
static_assert(std::is_trivially_copyable_v<Sample>, "a Sample is captured by value by signals");

/// State of lel::play: 3 doubles.
struct PlayState {
    static constexpr uint32_t kind = kind_id("lel.play");
    double position;  ///< the playhead, in frames of the sample (fractional)
    double playing;   ///< 1 while the playhead is inside the sample
    double trig_was;  ///< trig at the previous sample
};

/// Plays `sample` from its start on each rising edge of `trig` (trig > 0
/// after trig <= 0, including the helper's very first sample), at `rate`
/// times its speed (2: an octave up and half as long; 0.5: an octave down;
/// negative: backwards, from its end), with linear interpolation between
/// frames; silence before the first trigger and after the end. A new edge
/// restarts it at once (from wherever it was: put an envelope on it if the
/// cut would click). A mono sample plays on both channels. The rate is read
/// every sample, so it may be modulated. A rate of 0 or NaN holds the
/// playhead where it is.
///
///     lel::play(s, sample, trig, rate = 1.0) -> lel::Frame in [-1, 1]
///
/// State: 3 doubles. Wait-free; no allocation.
inline Frame play(Context& s, const Sample& sample, double trig, double rate = 1.0) noexcept LEL_RT {
    PlayState& st = take<PlayState>(s);
    const double frames = static_cast<double>(sample.frames);
    // Frames of the sample per output sample: the sample is at leld's rate,
    // so this is `rate` unless it was converted for another one.
    const double step = (sample.rate > 0.0 && s.sr > 0.0 ? sample.rate / s.sr : 1.0) * (rate == rate ? rate : 0.0);
    if (trig > 0.0 && !(st.trig_was > 0.0)) {
        st.position = step < 0.0 ? frames - 1.0 : 0.0;
        st.playing = 1.0;
    }
    st.trig_was = trig > 0.0 ? 1.0 : 0.0;
    // Also catches what another build's bytes or a shorter sample left.
    if (!(st.playing > 0.0) || sample.empty() || !(st.position >= 0.0 && st.position < frames)) {
        st.playing = 0.0;
        return {};
    }
    const auto i = static_cast<uint64_t>(st.position);
    const double frac = st.position - static_cast<double>(i);
    const uint32_t ch = sample.channels;
    const float* a = sample.data + i * ch;
    // Past the last frame the sample continues as silence.
    const bool last = i + 1 >= sample.frames;
    const double l0 = a[0];
    const double l1 = last ? 0.0 : a[ch];
    const double left = l0 + frac * (l1 - l0);
    double right = left;
    if (ch == 2) {
        const double r0 = a[1];
        const double r1 = last ? 0.0 : a[ch + 1];
        right = r0 + frac * (r1 - r0);
    }
    st.position += step;
    return {left, right};
}

}  // namespace lel
