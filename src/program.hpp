// lel — registry and program: what is registered (control side) and the
// immutable snapshot of it that the producer renders (real-time side).
//
// Design: the control thread keeps a Registry (name -> signal). Every change
// builds a new Registry, then a Program from it: a flat array of Voices, all
// the producer needs to render one block with no lookups. A Program never
// changes once published; it owns (shared) references to its callables, so
// a callable and its module live as long as any program that can still run
// them. Programs are created and destroyed on the control thread only.
#pragma once

#include <lel/abi.hpp>

#include "state_arena.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lel {

class Module;

/// A signal's compiled code and its captured data. Created by a module's
/// session (or by a test); destroyed on the control thread, which calls the
/// module's destroy function before releasing the module itself.
class Callable {
public:
    Callable(std::shared_ptr<Module> module, const lel_signal_desc& desc) noexcept
        : module_(std::move(module)), render_(desc.render), destroy_(desc.destroy),
          user_(desc.user), channels_(desc.channels == 2 ? 2u : 1u) {}
    ~Callable() {
        if (destroy_) destroy_(user_);
    }
    Callable(const Callable&) = delete;
    Callable& operator=(const Callable&) = delete;

    lel_render_fn render() const noexcept { return render_; }
    void* user() const noexcept { return user_; }
    uint32_t channels() const noexcept { return channels_; }

    /// Set by the producer when this callable produced NaN/inf or threw; it
    /// is then muted for the rest of its life. Read by the control thread.
    std::atomic<uint32_t> fault{0};

private:
    std::shared_ptr<Module> module_;  // declared first: released after destroy_ ran
    lel_render_fn render_;
    lel_destroy_fn destroy_;
    void* user_;
    uint32_t channels_;
};

/// One registered signal (control side).
struct SignalEntry {
    std::string name;
    std::shared_ptr<Callable> callable;
    StateArena::Slice state;
};

/// The set of registered signals, in registration order (a replaced signal
/// keeps its place). Control thread only.
class Registry {
public:
    void put(SignalEntry entry);
    bool remove(std::string_view name);
    void clear() noexcept;
    const SignalEntry* find(std::string_view name) const;
    std::span<const SignalEntry> entries() const noexcept { return entries_; }
    std::size_t size() const noexcept { return entries_.size(); }

private:
    std::vector<SignalEntry> entries_;
    std::unordered_map<std::string, std::size_t> index_;
};

/// What the producer needs to render one signal: no lookups, no ownership.
struct Voice {
    lel_render_fn render;
    void* user;
    double* state;
    uint32_t state_size;
    uint32_t channels;
    const char* name;
    std::atomic<uint32_t>* fault;
};

/// An immutable snapshot of a Registry. Built and destroyed on the control
/// thread; between publication and retirement only the producer reads it.
class Program {
public:
    Program(const Registry& registry, uint64_t id);
    Program(const Program&) = delete;
    Program& operator=(const Program&) = delete;

    /// Producer thread; wait-free.
    std::span<const Voice> voices() const noexcept { return voices_; }
    uint64_t id() const noexcept { return id_; }

private:
    std::vector<SignalEntry> entries_;  // keeps names and callables alive
    std::vector<Voice> voices_;
    uint64_t id_;
};

/// The builder a module's session talks to through lel_host. It starts as a
/// copy of the current registry; nothing it does is visible until the
/// caller takes the result, and a failure rolls back its state slices.
class ProgramBuilder {
public:
    ProgramBuilder(const Registry& current, StateArena& arena, std::shared_ptr<Module> module);
    ~ProgramBuilder();

    /// The C vtable to hand to lel_module_entry.
    const lel_host* host() const noexcept { return &host_; }

    void clear() noexcept { next_.clear(); }
    void remove(std::string_view name) { next_.remove(name); }
    /// Takes ownership of desc.user in every case.
    bool add(const lel_signal_desc& desc);
    void fail(std::string message);

    bool failed() const noexcept { return !error_.empty(); }
    const std::string& error() const noexcept { return error_; }

    /// Ends the transaction and returns the new registry. Precondition: !failed().
    Registry commit();

private:
    Registry next_;
    StateArena& arena_;
    StateArena::Mark mark_;
    std::shared_ptr<Module> module_;
    std::string error_;
    bool committed_ = false;
    lel_host host_;
};

}  // namespace lel
