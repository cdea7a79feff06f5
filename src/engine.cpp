#include "engine.hpp"

#include "fault_guard.hpp"

#include "module.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace lel {

Engine::Engine(const EngineConfig& config)
    : store_(config.state_dir.empty() ? nullptr
                                      : std::make_unique<StateStore>(config.state_dir, config.state_doubles,
                                                                     config.max_names, config.fresh_state)),
      arena_(store_ ? StateArena(store_->storage(), config.max_names)
                    : StateArena(config.state_doubles, config.max_names)),
      samples_(config.sample_rate), renderer_(config.sample_rate, config.max_block, config.max_names, mailbox_, log_),
      module_dir_(config.module_dir) {
    set_fade_ms(config.fade_ms);
    renderer_.start_at(config.start_frame);
    renderer_.set_param_queue(&param_queue_);
    if (!store_) return;
    // The names' slices as the last leld left them; the rest of the file is
    // zeroed. An index that does not fit the arena is set aside, and the
    // arena starts zeroed.
    try {
        arena_.restore(store_->saved_names());
    } catch (const std::exception& e) {
        store_->set_aside_index(e.what());
        arena_.restore({});
    }
    for (const RememberedParam& p : store_->saved_params()) param_memory_.remember(p.signal, p.param, p.value);
    if (config.resume_clock && store_->saved_clock()) resume_clock(*store_->saved_clock(), config.fade_from_state);
}

void Engine::resume_clock(const SavedClock& clock, bool with_fade) {
    // The same instant at this rate; the same tempo, and the same base, so
    // the same beat at that instant (beat = base + frame * beats per frame).
    const double rate = renderer_.sample_rate();
    const double frame = static_cast<double>(clock.frame) * rate / clock.sample_rate;
    if (frame >= 0.0 && frame < 9.0e15) renderer_.start_at(static_cast<uint64_t>(std::llround(frame)));
    const double bpm = clock.beats_per_frame * 60.0 * clock.sample_rate;
    if (bpm > 0.0 && bpm <= 10000.0) renderer_.set_beat_grid({bpm / 60.0 / rate, clock.beat_base});
    if (clock.tempo_bpm >= 0.0 && clock.tempo_bpm <= 10000.0) tempo_bpm_ = clock.tempo_bpm;
    if (with_fade) set_fade_ms(clock.fade_ms);
    spdlog::info("state: time goes on from {:.3f} s (frame {}), {} bpm{}{}", frame / rate, renderer_.frame_approx(),
                 renderer_.bpm(), tempo_bpm_ > 0.0 ? ", load quanta in beats" : "",
                 with_fade ? fmt::format(", fades of {} ms", fade_ms()) : "");
}

void Engine::set_fade_ms(double ms) {
    const double frames = std::clamp(ms, 0.0, 10'000.0) * renderer_.sample_rate() / 1000.0;
    renderer_.set_fade_frames(static_cast<uint32_t>(std::lround(frames)));
}

Engine::~Engine() {
    // What a throttled clear, remove or set left unsaved (a stop must not
    // lose it; a kill loses at most 200 ms of it).
    if (store_ && (program_dirty_ || params_dirty_)) record_saved();
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
    return load_module(path, module_dir_, store_ ? store_->next_module_name(path) : std::string(), path.string(),
                       options);
}

// `kept_name`: where in the state directory's modules the loaded copy goes
// (empty: nowhere). A load from a kept copy (resume) names the copy itself
// and keeps no other.
CommandResult Engine::load_module(const std::filesystem::path& path, const std::filesystem::path& module_dir,
                                  const std::string& kept_name, const std::string& origin,
                                  const LoadOptions& options) {
    const bool from_kept = store_ && path.parent_path() == store_->modules_dir();
    std::shared_ptr<Module> module;
    try {
        module = Module::open(path, module_dir,
                              kept_name.empty() || from_kept ? std::filesystem::path() : store_->modules_dir() / kept_name);
    } catch (const std::exception& e) {
        return CommandResult::failure(e.what());
    }
    const lel_entry_fn entry = module->entry();
    LoadOptions with_dir = options;
    if (with_dir.sample_dir.empty()) with_dir.sample_dir = std::filesystem::path(origin).parent_path();
    const bool kept = from_kept || module->kept();
    CommandResult r = run_session(entry, module, origin, with_dir);
    if (r && store_) {
        if (kept) {
            record(ProgramStep{ProgramStep::Kind::load, kept_name, origin, {}}, module);
        } else {
            spdlog::warn("state: {} could not be kept in {}: it will not resume after a restart", origin,
                         store_->modules_dir().string());
        }
    }
    return r;
}

ResumeResult Engine::resume() {
    ResumeResult out;
    if (!store_) return out;
    out.names = arena_.names();
    const std::vector<ProgramStep> steps = store_->saved_program();
    resuming_ = true;
    for (const ProgramStep& s : steps) {
        ++out.steps;
        CommandResult r;
        switch (s.kind) {
            case ProgramStep::Kind::load:
                // A copy this leld's user made and loaded before: trusted as
                // the state directory is, whatever --module-dir says now.
                r = load_module(store_->modules_dir() / s.module, {}, s.module, s.origin, {});
                break;
            case ProgramStep::Kind::remove: r = remove(s.name); r.ok = true; break;
            case ProgramStep::Kind::clear: r = clear(); break;
        }
        if (!r) {
            ++out.failed;
            spdlog::error("resume: {}", r.message);
        }
    }
    resuming_ = false;
    out.signals = registry_.size();
    if (!steps.empty()) record_saved();
    return out;
}

void Engine::record(ProgramStep step, const std::shared_ptr<Module>& module) {
    if (!store_) return;
    const ProgramStep::Kind step_kind = step.kind;
    kept_steps_.push_back(KeptStep{std::move(step), module});
    // The program starts at the first load whose module a signal playing
    // still runs: what came before it made only signals that are gone (or
    // replaced). Nothing playing: nothing to replay.
    std::vector<const Module*> live;
    for (const SignalEntry& e : registry_.entries()) live.push_back(e.callable->module());
    std::size_t first = kept_steps_.size();
    for (std::size_t i = 0; i < kept_steps_.size(); ++i) {
        const auto m = kept_steps_[i].module.lock();
        if (m && std::find(live.begin(), live.end(), m.get()) != live.end()) {
            first = i;
            break;
        }
    }
    if (registry_.size() > 0 && first == kept_steps_.size()) first = 0;  // signals from no module: keep all
    kept_steps_.erase(kept_steps_.begin(), kept_steps_.begin() + static_cast<std::ptrdiff_t>(first));
    program_dirty_ = true;
    // A load is worth saving at once (it is slow anyway); a flood of clears
    // or removes is saved at most every 200 ms (collect() saves the rest).
    if (!resuming_ && step_kind == ProgramStep::Kind::load) record_saved();
}

// A step at a time would remove the module copies of the steps not
// replayed yet: resume() saves once, at its end.
void Engine::record_saved() {
    std::vector<ProgramStep> steps;
    for (const KeptStep& k : kept_steps_) steps.push_back(k.step);
    store_->save_program(steps);
    program_dirty_ = false;
    save_state(true);
}

void Engine::save_state(bool now) {
    if (!store_) return;
    if (!now) {
        if (!(params_dirty_ || program_dirty_) ||
            std::chrono::steady_clock::now() - params_saved_ < std::chrono::milliseconds(200)) {
            return;
        }
        if (program_dirty_ && !resuming_) {
            record_saved();  // saves the index too
            return;
        }
    }
    std::vector<RememberedParam> params;
    for (const auto& [signal, values] : param_memory_.values()) {
        for (const auto& [param, v] : values) params.push_back(RememberedParam{signal, param, v});
    }
    store_->save_index(arena_.entries(), params);
    params_dirty_ = false;
    params_saved_ = std::chrono::steady_clock::now();
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

CommandResult Engine::clear() {
    CommandResult r = publish(Registry{});
    record(ProgramStep{ProgramStep::Kind::clear, {}, {}, {}});
    return r;
}

CommandResult Engine::remove(const std::string& name) {
    Registry next = registry_;
    const bool found = next.remove(name);
    CommandResult r = publish(std::move(next));
    if (!found) r.message = fmt::format("no signal named '{}'", name);
    if (found) record(ProgramStep{ProgramStep::Kind::remove, {}, {}, name});
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
    if (store_) {  // nothing to resume, no name to find
        kept_steps_.clear();
        record_saved();
    }
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
        params_dirty_ = true;
        save_state(false);
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
    save_state(false);  // parameter values a throttled /lel/set left unsaved
    if (store_) {
        const Renderer::BeatGrid grid = renderer_.beat_grid();
        store_->save_clock(SavedClock{renderer_.frame_approx(), renderer_.sample_rate(), grid.beats_per_frame,
                                      grid.base, tempo_bpm_, fade_ms()});
    }
}

std::size_t Engine::muted() const {
    std::size_t n = 0;
    for (const SignalEntry& e : registry_.entries()) {
        if (e.callable->fault.load(std::memory_order_relaxed) != 0) ++n;
    }
    return n;
}

}  // namespace lel
