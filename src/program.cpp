#include "program.hpp"

#include "module.hpp"
#include "sample_cache.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lel {

// ---------------------------------------------------------------- Registry

void Registry::put(SignalEntry entry) {
    const auto it = index_.find(entry.name);
    if (it != index_.end()) {
        entries_[it->second] = std::move(entry);
        return;
    }
    index_.emplace(entry.name, entries_.size());
    entries_.push_back(std::move(entry));
}

bool Registry::remove(std::string_view name) {
    const auto it = index_.find(std::string(name));
    if (it == index_.end()) return false;
    const std::size_t at = it->second;
    index_.erase(it);
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(at));
    for (auto& [key, i] : index_) {
        if (i > at) --i;
    }
    return true;
}

void Registry::clear() noexcept {
    entries_.clear();
    index_.clear();
}

const SignalEntry* Registry::find(std::string_view name) const {
    const auto it = index_.find(std::string(name));
    return it == index_.end() ? nullptr : &entries_[it->second];
}

// ----------------------------------------------------------------- Program

Program::Program(const Registry& registry, uint64_t id, uint64_t start_frame, const BusTable* buses,
                 const StateArena* arena)
    : exits_(registry.size(), Exit::stays), id_(id), start_frame_(start_frame) {
    const auto all = registry.entries();
    entries_.reserve(all.size());
    for (const std::size_t i : render_order(all)) entries_.push_back(all[i]);
    std::size_t listens = 0;
    for (const SignalEntry& e : entries_) listens += e.listens.size();
    listen_buses_.reserve(listens);  // never reallocated below: voices point into it
    voices_.reserve(entries_.size());
    for (const SignalEntry& e : entries_) {
        const uint32_t* first = listen_buses_.data() + listen_buses_.size();
        for (const std::string& source : e.listens) listen_buses_.push_back(buses ? buses->bus_of(source) : LEL_NO_BUS);
        // Entries made without a probe (tests) give their whole lease as raw state.
        const uint32_t raw = e.raw_size ? e.raw_size : e.state->size();
        voices_.push_back(Voice{e.callable->render(), e.callable->user(), e.state->data(), raw,
                                e.callable->channels(), e.state->index(), e.crossfade_in_program == id,
                                e.name.c_str(), &e.callable->fault, &e.state->poisoned,
                                e.helpers_size ? e.state->data() + raw : nullptr, e.helpers_size,
                                e.listens.empty() ? nullptr : first, static_cast<uint32_t>(e.listens.size())});
    }
    for (const SignalEntry& e : entries_) {
        if (e.params.empty()) continue;
        const HelperLayout& layout = e.state->layout;
        const std::vector<uint64_t> at = block_offsets(layout);
        for (std::size_t i = 0; i < layout.blocks.size(); ++i) {
            const detail::RecordedBlock& b = layout.blocks[i];
            if (b.kind != ParamState::kind || at[i] + b.size > e.state->size()) continue;
            params_.add(e.state->index(), param_key(b.key), reinterpret_cast<ParamState*>(e.state->data() + at[i]));
        }
    }
    params_.seal();
    if (!buses || !arena) return;
    routes_ = buses->routes(*arena);
    // A name listened to by a voice that renders before (or is) its own: a cycle.
    std::unordered_map<std::string_view, std::size_t> position;
    for (std::size_t i = 0; i < entries_.size(); ++i) position.emplace(entries_[i].name, i);
    std::unordered_set<std::string_view> late;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        for (const std::string& source : entries_[i].listens) {
            const auto it = position.find(source);
            if (it != position.end() && it->second >= i) late.insert(source);
        }
    }
    for (BusRoute& r : routes_) {
        for (const std::string_view name : late) {
            if (const StateArena::Lease* lease = arena->find(name); lease && lease->index() == r.name_index) r.late = true;
        }
    }
}

// ---------------------------------------------------------- ProgramBuilder

namespace {

ProgramBuilder& self_of(void* self) { return *static_cast<ProgramBuilder*>(self); }

// The C entry points a module calls. No exception may cross back into the
// module: each one catches and turns the error into a failed load.
void host_clear(void* self) { self_of(self).clear(); }

void host_remove(void* self, const char* name) {
    try {
        if (name) self_of(self).remove(name);
    } catch (const std::exception& e) {
        self_of(self).fail(e.what());
    }
}

int32_t host_add(void* self, const lel_signal_desc* desc) {
    try {
        return self_of(self).add(*desc) ? 0 : -1;
    } catch (const std::exception& e) {
        self_of(self).fail(e.what());
        return -1;
    }
}

void host_fail(void* self, const char* message) {
    self_of(self).fail(message ? message : "the session failed without a message");
}

int32_t host_sample(void* self, const char* path, lel_sample* out) {
    try {
        if (!out) {
            self_of(self).fail("session.sample was called without a place for its result");
            return -1;
        }
        *out = lel_sample{};
        return self_of(self).sample(path ? std::string_view(path) : std::string_view(), *out) ? 0 : -1;
    } catch (const std::exception& e) {
        self_of(self).fail(e.what());
        return -1;
    }
}

bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > 255) return false;
    for (const char c : name) {
        if (static_cast<unsigned char>(c) < 0x20) return false;
    }
    return true;
}

}  // namespace

ProgramBuilder::ProgramBuilder(const Registry& current, StateArena& arena, std::shared_ptr<Module> module,
                               uint64_t crossfade_program, Settings settings)
    : next_(current), crossfade_program_(crossfade_program), settings_(settings), arena_(arena),
      mark_(arena.mark()), module_(std::move(module)), samples_(std::make_shared<SampleSet>()),
      host_{abi_version, this, &host_clear, &host_remove, &host_add, &host_fail, &host_sample} {
    for (const SignalEntry& e : current.entries()) playing_.insert(e.name);
}

ProgramBuilder::~ProgramBuilder() {
    if (!committed_) arena_.rollback(mark_);
}

bool ProgramBuilder::add(const lel_signal_desc& desc) {
    // Own the callable first, so that every early return destroys it.
    auto callable = std::make_shared<Callable>(module_, desc, samples_);
    const std::string_view name = desc.name ? std::string_view(desc.name) : std::string_view();
    if (!valid_name(name)) {
        fail(fmt::format("invalid signal name '{}': 1 to 255 printable characters", name));
        return false;
    }
    if (!desc.render) {
        fail(fmt::format("signal '{}' has no render function", name));
        return false;
    }
    if (desc.state_size == 0 || desc.state_size > (1u << 28)) {
        fail(fmt::format("signal '{}' asks for {} doubles of state; allowed 1 to 2^28", name, desc.state_size));
        return false;
    }
    std::vector<std::string> listens;
    std::vector<ParamDecl> params;
    std::optional<HelperLayout> layout = probe(desc, name, listens, params);
    if (!layout) return false;
    if (uint64_t{layout->raw} + layout->area() > (1u << 28)) {
        fail(fmt::format("signal '{}' needs {} doubles of state with its helpers; allowed 2^28", name,
                         uint64_t{layout->raw} + layout->area()));
        return false;
    }
    // A crossfade asked for gives changed code fresh state: the old code
    // keeps running on the old slice while it fades out. (So do changed
    // helper calls, see lease_for, and poisoned state.)
    const bool playing = playing_.contains(std::string(name));
    bool crossfade = crossfade_program_ != 0 && playing;
    StateArena::LeasePtr lease;
    const StateArena::Lease* before = arena_.find(name);
    try {
        lease = lease_for(name, *layout, crossfade, crossfade);
    } catch (const ArenaFull& e) {
        fail(e.what());
        return false;
    }
    // A new lease runs in no program yet: the parameters start at their set values.
    if (lease.get() != before && !params.empty()) preset_params(name, params, *lease);
    const uint64_t crossfade_in = !crossfade || !playing ? 0
                                  : crossfade_program_ != 0 ? crossfade_program_ : settings_.program_id;
    next_.put(SignalEntry{std::string(name), std::move(callable), std::move(lease), layout->raw,
                          static_cast<uint32_t>(layout->area()), crossfade_in, std::move(listens),
                          (desc.flags & LEL_SIGNAL_NOT_MAIN) == 0, std::move(params)});
    return true;
}

std::optional<HelperLayout> ProgramBuilder::probe(const lel_signal_desc& desc, std::string_view name,
                                                  std::vector<std::string>& listens, std::vector<ParamDecl>& params) {
    HelperLayout layout;
    layout.laid_out = true;
    layout.raw = desc.state_size;
    if (!desc.probe) return layout;
    std::vector<double> scratch(desc.state_size, 0.0);
    const std::string name_z(name);
    struct Seen {
        HelperLayout& layout;
        std::vector<std::string>& listens;
        std::vector<ParamDecl>& params;
    } seen{layout, listens, params};
    lel_probe p{settings_.sample_rate, settings_.frame, static_cast<double>(settings_.frame) * settings_.bpm / 60.0 /
                settings_.sample_rate, settings_.bpm, name_z.c_str(), scratch.data(), desc.state_size, 0, &seen,
                [](void* self, uint32_t kind, uint32_t size, const char* key) {
                    detail::RecordedBlock b;
                    b.kind = kind;
                    b.size = size;
                    std::strncpy(b.key, key ? key : "", sizeof b.key - 1);
                    static_cast<Seen*>(self)->layout.blocks.push_back(b);
                },
                [](void* self, const char* source) { static_cast<Seen*>(self)->listens.emplace_back(source); },
                [](void* self, const char* param, double value, double min, double max, double lag) {
                    static_cast<Seen*>(self)->params.push_back(ParamDecl{param, value, min, max, lag});
                }};
    switch (desc.probe(desc.user, &p)) {
        case LEL_RENDER_OK: break;
        case LEL_RENDER_THREW:
            fail(fmt::format("signal '{}' threw when leld ran it once to find its helpers", name));
            return std::nullopt;
        default:
            fail(fmt::format("signal '{}' calls more than {} helpers, {} lel::listen or {} lel::param per sample",
                             name, detail::Recorder::max_blocks, detail::Recorder::max_listens,
                             detail::Recorder::max_params));
            return std::nullopt;
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
        const ParamDecl& p = params[i];
        std::string why;
        if (p.name.empty() || p.name.size() > 47) why = "a parameter name is 1 to 47 characters (empty here: too long?)";
        else if (!(p.min <= p.max)) why = fmt::format("its range [{}, {}] is empty", p.min, p.max);
        else if (!std::isfinite(p.value)) why = fmt::format("its default {} is not a number", p.value);
        for (std::size_t j = 0; j < i && why.empty(); ++j) {
            if (params[j].name == p.name) why = "it is declared twice";
        }
        if (!why.empty()) {
            fail(fmt::format("signal '{}': parameter '{}': {}", name, p.name, why));
            return std::nullopt;
        }
    }
    return layout;
}

void ProgramBuilder::preset_params(std::string_view name, const std::vector<ParamDecl>& params,
                                   StateArena::Lease& lease) {
    if (!settings_.params) return;
    const std::vector<uint64_t> at = block_offsets(lease.layout);
    for (std::size_t i = 0; i < lease.layout.blocks.size(); ++i) {
        const detail::RecordedBlock& b = lease.layout.blocks[i];
        if (b.kind != ParamState::kind) continue;
        const ParamMemory::Value* v = settings_.params->find(name, b.key);
        if (!v) continue;
        for (const ParamDecl& d : params) {
            if (d.name == b.key) preset(*reinterpret_cast<ParamState*>(lease.data() + at[i]),
                                        std::clamp(v->value, d.min, d.max), v->lag);
        }
    }
}

StateArena::LeasePtr ProgramBuilder::lease_for(std::string_view name, const HelperLayout& layout, bool fresh,
                                               bool& crossfade) {
    const uint64_t size = uint64_t{layout.raw} + layout.area();
    const StateArena::Lease* old = arena_.find(name);
    const bool carry = !fresh && old && old->layout.laid_out && old->poisoned.load(std::memory_order_relaxed) == 0;
    if (carry && old->layout == layout && old->size() >= size) {
        return arena_.acquire(name, static_cast<uint32_t>(size));  // the same lease: state goes on as it was
    }
    if (carry) {
        // Helper calls (or the raw size) changed: a fresh lease with what
        // still matches, so no helper ever reads another's state.
        const StateArena::LeasePtr before = arena_.acquire(name, 1);  // held while its state is copied
        StateArena::LeasePtr lease = arena_.acquire_fresh(name, static_cast<uint32_t>(size));
        const Carry c = carry_over(before->layout, before->data(), layout, lease->data());
        lease->layout = layout;
        if (c.changed()) {
            crossfade = true;
            spdlog::info("signal '{}': its helper calls changed ({}): crossfading from its old code", name,
                         c.describe());
        }
        return lease;
    }
    StateArena::LeasePtr lease = fresh ? arena_.acquire_fresh(name, static_cast<uint32_t>(size))
                                       : arena_.acquire(name, static_cast<uint32_t>(size));
    if (!(lease->layout == layout)) {
        lay_out(layout, lease->data());
        lease->layout = layout;
    }
    return lease;
}

void ProgramBuilder::fail(std::string message) {
    if (failed_) return;  // the first error is the one to report
    failed_ = true;
    error_ = message.empty() ? "the session failed without a message" : std::move(message);
}

bool ProgramBuilder::sample(std::string_view path, lel_sample& out) {
    if (failed_) return false;
    if (!settings_.samples) {
        fail(fmt::format("sample {}: this load cannot read samples", path));
        return false;
    }
    std::shared_ptr<const SampleData> data;
    try {
        data = settings_.samples->load(std::filesystem::path(path), settings_.sample_dir);
    } catch (const SampleError& e) {
        fail(e.what());
        return false;
    }
    if (std::find(samples_->begin(), samples_->end(), data) == samples_->end()) samples_->push_back(data);
    out = lel_sample{data->frames ? data->samples.data() : nullptr, data->frames, data->channels, 0,
                     data->sample_rate};
    return true;
}

Registry ProgramBuilder::commit() {
    committed_ = true;
    arena_.commit();
    return std::move(next_);
}

}  // namespace lel
