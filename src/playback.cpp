#include "playback.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace lel {
namespace {

EngineConfig with_block(EngineConfig config, uint32_t period) {
    config.max_block = std::max<uint32_t>(period, 64);
    return config;
}

}  // namespace

Playback::Playback(const Settings& settings)
    : settings_(settings),
      depth_(std::max(settings.ring_frames ? settings.ring_frames : 2 * settings.period, settings.period)),
      engine_(with_block(settings.engine, settings.period)),
      ring_(depth_),
      input_(std::size_t{depth_} + settings.period),
      midi_(settings.midi_queue),
      producer_(engine_.renderer(), ring_, settings.period, depth_, &input_) {
    // The input ring starts `depth` frames ahead: the producer fills the
    // ring (depth frames, reading as much input) before the callback has
    // delivered any. From then on in_1 -> out_1 is exactly `depth` frames.
    input_.try_write(std::vector<StereoFrame>(depth_, StereoFrame{0.0f, 0.0f}));
    engine_.renderer().set_midi_queue(&midi_);
    if (settings.beat_grid) engine_.renderer().set_beat_grid(*settings.beat_grid);
}

Playback::~Playback() { producer_.stop(); }

std::string Playback::start(int rt_priority, std::chrono::nanoseconds stall_limit) {
    return producer_.start(rt_priority, stall_limit);
}

Playback::Settings Playback::follow_on(uint32_t sample_rate, uint32_t period) const {
    Settings next = settings_;
    next.period = period;
    next.engine.sample_rate = sample_rate;
    next.engine.fade_ms = engine_.fade_ms();
    next.engine.fresh_state = false;  // the state this playback leaves, whatever the first one was told
    next.engine.resume_clock = false;  // the clock is given here, exactly
    const double scaled = static_cast<double>(engine_.renderer().frame_approx()) * sample_rate /
                          engine_.renderer().sample_rate();
    next.engine.start_frame = static_cast<uint64_t>(std::llround(scaled));
    // beat = base + frame * beats_per_frame: the same tempo at the new rate
    // and the same base give the same beat at the same instant.
    const Renderer& renderer = engine_.renderer();
    next.beat_grid = Renderer::BeatGrid{renderer.bpm() / 60.0 / sample_rate, renderer.beat_grid().base};
    return next;
}

}  // namespace lel
