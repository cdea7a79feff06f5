#include "engine.hpp"

#include "fault_guard.hpp"

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
    renderer_.set_param_queue(&param_queue_);
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
                                                renderer_.bpm(), &samples_, options.sample_dir, &param_memory_};
        ProgramBuilder builder(registry_, arena_, std::move(module), options.crossfade ? id : 0, settings);
        // The session body and the probe of each signal it adds are the
        // module's code: a crash, an exit() or a hang there fails this load
        // (fault_guard.hpp), and the program playing plays on.
        const fault::Report ran = fault::guarded([&] { entry(builder.host()); });
        if (ran.ending != fault::Ending::returned) {
            return CommandResult::failure(fmt::format("{}: the session {} while it ran (its body or a signal's "
                                                      "first sample); nothing was loaded",
                                                      origin, ran.describe()));
        }
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
    const uint64_t start = options.at_frame         ? options.at_frame
                           : options.quantum_frames ? next_multiple(options.quantum_frames)
                                                    : 0;
    return publish(std::move(next), start);
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
    param_memory_.clear();
    // The programs that still run the old names hold their leases; the
    // space comes back when collect() deletes them.
    arena_.forget_all();
    return r;
}

namespace {

const ParamDecl* find_decl(const SignalEntry& e, std::string_view param) {
    for (const ParamDecl& d : e.params) {
        if (d.name == param) return &d;
    }
    return nullptr;
}

std::string names_of(const SignalEntry& e) {
    std::string out;
    for (const ParamDecl& d : e.params) out += (out.empty() ? "" : ", ") + d.name;
    return out.empty() ? "it declares none (lel::param)" : "it has " + out;
}

}  // namespace

CommandResult Engine::set_params(std::string_view signal, const std::vector<ParamChange>& changes,
                                 std::optional<double> lag, bool trig, uint64_t frame) {
    const SignalEntry* e = registry_.find(signal);
    if (!e) return CommandResult::failure(fmt::format("no signal named '{}'", signal));
    if (changes.empty()) return CommandResult::failure("no parameter to set");
    if (lag && !(std::isfinite(*lag) && *lag >= 0.0 && *lag <= 3600.0)) {
        return CommandResult::failure(fmt::format("lag {} is not a time from 0 to 3600 seconds", *lag));
    }
    std::vector<ParamEvent> events;
    std::string clamped;
    for (const ParamChange& c : changes) {
        const ParamDecl* d = find_decl(*e, c.param);
        if (!d) {
            return CommandResult::failure(fmt::format("signal '{}' has no parameter '{}' ({})", signal, c.param,
                                                      names_of(*e)));
        }
        if (!std::isfinite(c.value)) {
            return CommandResult::failure(fmt::format("{}.{}: {} is not a number", signal, c.param, c.value));
        }
        const double v = std::clamp(c.value, d->min, d->max);
        if (v != c.value) clamped += fmt::format("{}{} {} clamped to {}", clamped.empty() ? "" : "; ", c.param, c.value, v);
        events.push_back(ParamEvent{frame, param_key(c.param), e->state->index(), static_cast<uint8_t>(trig),
                                    static_cast<uint8_t>(lag.has_value()), v, lag.value_or(0.0)});
    }
    if (param_queue_.write_available() < events.size()) {
        return CommandResult::failure("too many parameter sets at once: the producer has not taken the last ones yet");
    }
    param_queue_.try_write(events);
    if (!trig) {
        for (std::size_t i = 0; i < changes.size(); ++i) {
            param_memory_.remember(e->name, changes[i].param, {events[i].value, lag});
        }
    }
    CommandResult r{true, clamped, 0, registry_.size()};
    return r;
}

std::optional<ParamInfo> Engine::param(std::string_view signal, std::string_view param, std::string& why) const {
    const SignalEntry* e = registry_.find(signal);
    if (!e) {
        why = fmt::format("no signal named '{}'", signal);
        return std::nullopt;
    }
    const ParamDecl* d = find_decl(*e, param);
    if (!d) {
        why = fmt::format("signal '{}' has no parameter '{}' ({})", signal, param, names_of(*e));
        return std::nullopt;
    }
    const ParamMemory::Value* v = param_memory_.find(signal, param);
    return ParamInfo{e->name, *d, v ? std::clamp(v->value, d->min, d->max) : std::clamp(d->value, d->min, d->max),
                     v != nullptr};
}

std::vector<ParamInfo> Engine::params() const {
    std::vector<ParamInfo> out;
    for (const SignalEntry& e : registry_.entries()) {
        for (const ParamDecl& d : e.params) {
            const ParamMemory::Value* v = param_memory_.find(e.name, d.name);
            out.push_back(ParamInfo{e.name, d, std::clamp(v ? v->value : d.value, d.min, d.max), v != nullptr});
        }
    }
    return out;
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
