#include "engine.hpp"

#include "module.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace lel {

Engine::Engine(const EngineConfig& config)
    : arena_(config.state_doubles),
      renderer_(config.sample_rate, config.max_block, mailbox_, log_) {}

Engine::~Engine() {
    // The producer is gone; whatever it ran and whatever is still pending
    // is freed here, before the arena and the modules.
    renderer_.release_current();
    collect();
}

CommandResult Engine::publish(Registry next) {
    registry_ = std::move(next);
    const uint64_t id = next_program_id_++;
    mailbox_.publish(std::make_unique<Program>(registry_, id));
    return CommandResult{true, {}, id, registry_.size()};
}

CommandResult Engine::load(const std::filesystem::path& path) {
    std::shared_ptr<Module> module;
    try {
        module = Module::open(path);
    } catch (const std::exception& e) {
        return CommandResult::failure(e.what());
    }
    const lel_entry_fn entry = module->entry();
    return run_session(entry, std::move(module), path.string());
}

CommandResult Engine::run_session(lel_entry_fn entry, std::shared_ptr<Module> module, std::string_view origin) {
    Registry next;
    {
        ProgramBuilder builder(registry_, arena_, std::move(module));
        entry(builder.host());
        if (builder.failed()) return CommandResult::failure(fmt::format("{}: {}", origin, builder.error()));
        next = builder.commit();
    }
    ++loads_;
    return publish(std::move(next));
}

CommandResult Engine::clear() { return publish(Registry{}); }

CommandResult Engine::remove(const std::string& name) {
    Registry next = registry_;
    const bool found = next.remove(name);
    CommandResult r = publish(std::move(next));
    if (!found) r.message = fmt::format("no signal named '{}'", name);
    return r;
}

CommandResult Engine::reset(std::chrono::milliseconds wait) {
    CommandResult r = publish(Registry{});
    if (!mailbox_.wait_swapped(r.program_id, wait)) {
        return CommandResult::failure(
            "the producer did not take the empty program in time (is the engine running?); "
            "signals are removed but state was not wiped");
    }
    collect();
    arena_.wipe();
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
