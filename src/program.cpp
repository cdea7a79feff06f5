#include "program.hpp"

#include "module.hpp"

#include <fmt/format.h>

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

Program::Program(const Registry& registry, uint64_t id, uint64_t start_frame)
    : entries_(registry.entries().begin(), registry.entries().end()),
      exits_(entries_.size(), Exit::stays), id_(id), start_frame_(start_frame) {
    voices_.reserve(entries_.size());
    for (const SignalEntry& e : entries_) {
        voices_.push_back(Voice{e.callable->render(), e.callable->user(), e.state->data(), e.state->size(),
                                e.callable->channels(), e.state->index(), e.crossfade_in_program == id,
                                e.name.c_str(), &e.callable->fault, &e.state->poisoned});
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

bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > 255) return false;
    for (const char c : name) {
        if (static_cast<unsigned char>(c) < 0x20) return false;
    }
    return true;
}

}  // namespace

ProgramBuilder::ProgramBuilder(const Registry& current, StateArena& arena, std::shared_ptr<Module> module,
                               uint64_t crossfade_program)
    : next_(current), crossfade_program_(crossfade_program), arena_(arena),
      mark_(arena.mark()), module_(std::move(module)),
      host_{abi_version, this, &host_clear, &host_remove, &host_add, &host_fail} {
    if (crossfade_program_ != 0) {
        for (const SignalEntry& e : current.entries()) playing_.insert(e.name);
    }
}

ProgramBuilder::~ProgramBuilder() {
    if (!committed_) arena_.rollback(mark_);
}

bool ProgramBuilder::add(const lel_signal_desc& desc) {
    // Own the callable first, so that every early return destroys it.
    auto callable = std::make_shared<Callable>(module_, desc);
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
    // A crossfade gives changed code fresh state: the old code keeps
    // running on the old slice while it fades out. (acquire() gives fresh
    // state too when the old code poisoned it.)
    const bool crossfade = crossfade_program_ != 0 && playing_.contains(std::string(name));
    StateArena::LeasePtr lease;
    try {
        lease = crossfade ? arena_.acquire_fresh(name, desc.state_size) : arena_.acquire(name, desc.state_size);
    } catch (const ArenaFull& e) {
        fail(e.what());
        return false;
    }
    next_.put(SignalEntry{std::string(name), std::move(callable), std::move(lease),
                          crossfade ? crossfade_program_ : 0});
    return true;
}

void ProgramBuilder::fail(std::string message) {
    if (failed_) return;  // the first error is the one to report
    failed_ = true;
    error_ = message.empty() ? "the session failed without a message" : std::move(message);
}

Registry ProgramBuilder::commit() {
    committed_ = true;
    arena_.commit();
    return std::move(next_);
}

}  // namespace lel
