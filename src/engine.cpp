#include "engine.hpp"

#include "module.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace lel {

Engine::Engine(const EngineConfig& config)
    : arena_(config.state_doubles, config.max_names), samples_(config.sample_rate),
      renderer_(config.sample_rate, config.max_block, config.max_names, mailbox_, log_),
      module_dir_(config.module_dir) {
    set_fade_ms(config.fade_ms);
}

void Engine::set_fade_ms(double ms) {
    const double frames = std::clamp(ms, 0.0, 10'000.0) * renderer_.sample_rate() / 1000.0;
    renderer_.set_fade_frames(static_cast<uint32_t>(std::lround(frames)));
}

Engine::~Engine() {
    // The producer is gone; whatever it ran and whatever is still pending
    // is freed here, before the arena and the modules.
    renderer_.release_all();
    collect();
}

CommandResult Engine::publish(Registry next, uint64_t start_frame) {
    registry_ = std::move(next);
    const uint64_t id = next_program_id_++;
    mailbox_.publish(std::make_unique<Program>(registry_, id, start_frame, &buses_, &arena_));
    return CommandResult{true, {}, id, registry_.size()};
}

// The first multiple of `quantum` the producer has not rendered yet. The
// producer runs ahead of the ports by at most the ring depth; a program
// published now is taken at its next block, so a boundary at least one
// block ahead is reachable.
uint64_t Engine::next_multiple(uint64_t quantum) const {
    const uint64_t earliest = renderer_.frame_approx() + renderer_.max_block();
    return (earliest + quantum - 1) / quantum * quantum;
}

CommandResult Engine::load(const std::filesystem::path& path, const LoadOptions& options) {
    std::shared_ptr<Module> module;
    try {
        module = Module::open(path, module_dir_);
    } catch (const std::exception& e) {
        return CommandResult::failure(e.what());
    }
    const lel_entry_fn entry = module->entry();
    LoadOptions with_dir = options;
    if (with_dir.sample_dir.empty()) with_dir.sample_dir = path.parent_path();
    return run_session(entry, std::move(module), path.string(), with_dir);
}

CommandResult Engine::run_session(lel_entry_fn entry, std::shared_ptr<Module> module, std::string_view origin,
                                  const LoadOptions& options) {
    Registry next;
    const uint64_t id = next_program_id_;  // the id publish() will give
    {
        const ProgramBuilder::Settings settings{id, renderer_.sample_rate(), renderer_.frame_approx(),
                                                renderer_.bpm(), &samples_, options.sample_dir};
        ProgramBuilder builder(registry_, arena_, std::move(module), options.crossfade ? id : 0, settings);
        entry(builder.host());
        if (!builder.failed()) {
            try {
                buses_.assign(builder.staged());
            } catch (const RoutingError& e) {
                builder.fail(e.what());
            }
        }
        if (builder.failed()) return CommandResult::failure(fmt::format("{}: {}", origin, builder.error()));
        next = builder.commit();
    }
    ++loads_;
    return publish(std::move(next), options.quantum_frames ? next_multiple(options.quantum_frames) : 0);
}

CommandResult Engine::clear() { return publish(Registry{}); }

CommandResult Engine::remove(const std::string& name) {
    Registry next = registry_;
    const bool found = next.remove(name);
    CommandResult r = publish(std::move(next));
    if (!found) r.message = fmt::format("no signal named '{}'", name);
    return r;
}

CommandResult Engine::reset() {
    // The empty program still routes the old names (their voices fade out
    // into their buses: a send stays out of the main mix while it fades);
    // the next load starts a new table.
    CommandResult r = publish(Registry{});
    buses_.clear();
    // The programs that still run the old names hold their leases; the
    // space comes back when collect() deletes them.
    arena_.forget_all();
    return r;
}

void Engine::collect() {
    mailbox_.collect();
    log_.drain();
}

std::size_t Engine::muted() const {
    std::size_t n = 0;
    for (const SignalEntry& e : registry_.entries()) {
        if (e.callable->fault.load(std::memory_order_relaxed) != 0) ++n;
    }
    return n;
}

}  // namespace lel
