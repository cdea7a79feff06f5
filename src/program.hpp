// lel — registry and program: what is registered (control side) and the
// immutable snapshot of it that the producer renders (real-time side).
//
// Design: the control thread keeps a Registry (name -> signal). Every change
// builds a new Registry, then a Program from it: a flat array of Voices, all
// the producer needs to render one block with no lookups. A Program never
// changes once published; it owns (shared) references to its callables, so
// a callable and its module live as long as any program that can still run
// them, and (shared) leases on its state slices, so a slice goes back to the
// arena only once no program can run on it. A callable also holds the
// samples its load read (session.sample), so their frames are freed only
// with the last program that can play them. Programs are created and
// destroyed on the control thread only.
#pragma once

#include <lel/abi.hpp>

#include "params.hpp"
#include "routing.hpp"
#include "state_arena.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace lel {

class Module;
class SampleCache;
struct SampleData;

/// The samples one load read (session.sample, sample_cache.hpp). Every
/// callable of that load holds the set, so the frames its signals captured
/// by pointer live as long as they can run. Filled on the control thread
/// while the session body runs; never changed once the load is over.
using SampleSet = std::vector<std::shared_ptr<const SampleData>>;

/// A signal's compiled code and its captured data. Created by a module's
/// session (or by a test); destroyed on the control thread, which calls the
/// module's destroy function before releasing the module itself.
class Callable {
public:
    Callable(std::shared_ptr<Module> module, const lel_signal_desc& desc,
             std::shared_ptr<const SampleSet> samples = {}) noexcept
        : module_(std::move(module)), samples_(std::move(samples)), render_(desc.render),
          destroy_(desc.destroy), user_(desc.user), channels_(desc.channels == 2 ? 2u : 1u) {}
    ~Callable() {
        if (destroy_) destroy_(user_);
    }
    Callable(const Callable&) = delete;
    Callable& operator=(const Callable&) = delete;

    lel_render_fn render() const noexcept { return render_; }
    const Module* module() const noexcept { return module_.get(); }
    void* user() const noexcept { return user_; }
    uint32_t channels() const noexcept { return channels_; }

    /// Set by the producer when this callable produced NaN/inf or threw; it
    /// is then muted for the rest of its life. Read by the control thread.
    std::atomic<uint32_t> fault{0};

private:
    std::shared_ptr<Module> module_;  // declared first: released after destroy_ ran
    std::shared_ptr<const SampleSet> samples_;  // the frames user_ may point into
    lel_render_fn render_;
    lel_destroy_fn destroy_;
    void* user_;
    uint32_t channels_;
};

/// One registered signal (control side).
struct SignalEntry {
    std::string name;
    std::shared_ptr<Callable> callable;
    StateArena::LeasePtr state;  ///< held by every program built from this entry
    uint32_t raw_size = 0;       ///< doubles of raw s.state at the lease's start
    uint32_t helpers_size = 0;   ///< doubles of helper area right after them
    /// The program in which this code replaced the name's old code with a
    /// crossfade (0: none). Only that program crossfades it in.
    uint64_t crossfade_in_program = 0;
    /// The names its lel::listen calls listen to, in call order (probe).
    std::vector<std::string> listens;
    /// False: a send, kept out of the main mix (SignalOptions::main).
    bool main = true;
    /// Its lel::param declarations (probe), in call order.
    std::vector<ParamDecl> params;
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
    uint32_t name_index;  ///< the name's dense index (StateArena::Lease::index)
    bool crossfade_in;    ///< enters with an equal-power crossfade against the name's old code
    const char* name;
    std::atomic<uint32_t>* fault;     ///< the callable's: muted for good
    std::atomic<uint32_t>* poisoned;  ///< the state's: its name's next code gets fresh state
    double* helpers;        ///< the helper area (lel::take), after the raw state; null if none
    uint32_t helpers_size;  ///< doubles in it
    const uint32_t* listens;  ///< the bus of each lel::listen call, in call order
    uint32_t listen_count;
};

/// How a voice leaves when its program is replaced. Decided by the producer
/// at the swap (see Renderer).
enum class Exit : uint8_t {
    stays = 0,      ///< its name is in the new program: nothing to fade
    fade_out = 1,   ///< its name is gone: linear fade to silence
    crossfade = 2,  ///< its name has new code that crossfades in: equal-power fade out
};

/// An immutable snapshot of a Registry. Built and destroyed on the control
/// thread; between publication and retirement only the producer reads it.
/// It holds its state leases: deleting it may give slices back to the arena.
class Program {
public:
    /// `start_frame`: the first frame it may take effect at (0: at once).
    /// Voices render sources first (render_order); with `buses` (which
    /// assign() has seen the registry in) and the `arena` the names are
    /// indexed in, listens get their buses and the program its routes.
    Program(const Registry& registry, uint64_t id, uint64_t start_frame = 0, const BusTable* buses = nullptr,
            const StateArena* arena = nullptr);
    Program(const Program&) = delete;
    Program& operator=(const Program&) = delete;

    /// Any thread; wait-free (immutable after construction).
    std::span<const Voice> voices() const noexcept { return voices_; }
    /// Every name with a bus that this program knows an index for.
    std::span<const BusRoute> routes() const noexcept { return routes_; }
    /// Where its signals' parameter blocks are.
    const ParamTable& params() const noexcept { return params_; }
    uint64_t id() const noexcept { return id_; }
    uint64_t start_frame() const noexcept { return start_frame_; }

    /// Producer thread only, once published: how each voice leaves, and
    /// frames since the program was replaced. Allocated here, never resized.
    std::span<Exit> exits() noexcept { return exits_; }
    uint32_t out_clock = 0;

private:
    std::vector<SignalEntry> entries_;  // keeps names and callables alive
    std::vector<Voice> voices_;
    std::vector<uint32_t> listen_buses_;  // every voice's listens, one after another
    std::vector<BusRoute> routes_;
    ParamTable params_;
    std::vector<Exit> exits_;
    uint64_t id_;
    uint64_t start_frame_;
};

/// What a probe sees of the engine, and the id the program will get.
struct BuildSettings {
    uint64_t program_id = 0;  ///< 0: changed helper calls carry state but cannot crossfade
    double sample_rate = 48000.0;
    uint64_t frame = 0;
    double bpm = 120.0;
    /// Where session.sample reads (null: a session asking for a sample fails).
    SampleCache* samples = nullptr;
    /// What a relative sample path is relative to: the module's directory
    /// (empty: the working directory).
    std::filesystem::path sample_dir;
    /// The values /lel/set gave: a name's fresh state starts with them (null: none).
    const ParamMemory* params = nullptr;
};

/// The builder a module's session talks to through lel_host. It starts as a
/// copy of the current registry; nothing it does is visible until the
/// caller takes the result, and a failure rolls back its state slices.
///
/// Each signal added is probed first (one sample on scratch state, control
/// thread) to record its helper calls; its lease is sized and laid out for
/// them, and when they differ from what the name's state was laid out for,
/// the state that still matches is carried into a fresh lease and the
/// signal crossfades from its old code (helper_layout.hpp).
class ProgramBuilder {
public:
    using Settings = BuildSettings;

    /// With `crossfade_program` != 0, a name whose code changes gets fresh
    /// state and crossfades in, in the program of that id.
    ProgramBuilder(const Registry& current, StateArena& arena, std::shared_ptr<Module> module,
                   uint64_t crossfade_program = 0, Settings settings = {});
    ~ProgramBuilder();

    /// The C vtable to hand to lel_module_entry.
    const lel_host* host() const noexcept { return &host_; }

    void clear() noexcept { next_.clear(); }
    void remove(std::string_view name) { next_.remove(name); }
    /// Takes ownership of desc.user in every case.
    bool add(const lel_signal_desc& desc);
    /// Fails the load. The first failure's message is kept; an empty one is
    /// replaced by a generic message: a failure is a failure whatever it says.
    void fail(std::string message);
    /// Reads the sample at `path` (session.sample) and keeps it for every
    /// callable of this load; false (and the load failed, with the path and
    /// the reason) if it cannot be read. Blocking.
    bool sample(std::string_view path, lel_sample& out);

    /// The registry as the session has staged it so far.
    const Registry& staged() const noexcept { return next_; }

    bool failed() const noexcept { return failed_; }
    const std::string& error() const noexcept { return error_; }

    /// Ends the transaction and returns the new registry. Precondition: !failed().
    Registry commit();

private:
    /// The signal's helper calls, from its probe; nullopt after fail().
    std::optional<HelperLayout> probe(const lel_signal_desc& desc, std::string_view name,
                                      std::vector<std::string>& listens, std::vector<ParamDecl>& params);
    /// Writes the remembered values of `name`'s parameters into `lease`,
    /// which no program runs yet.
    void preset_params(std::string_view name, const std::vector<ParamDecl>& params, StateArena::Lease& lease);
    /// The lease for `name` laid out as `layout`, carrying what matches;
    /// sets `crossfade` when the helper calls changed. Throws ArenaFull.
    StateArena::LeasePtr lease_for(std::string_view name, const HelperLayout& layout, bool fresh, bool& crossfade);

    Registry next_;
    uint64_t crossfade_program_;
    Settings settings_;
    std::unordered_set<std::string> playing_;  // names registered before
    StateArena& arena_;
    StateArena::Mark mark_;
    std::shared_ptr<Module> module_;
    std::shared_ptr<SampleSet> samples_;  // held by every callable added
    std::string error_;
    bool failed_ = false;
    bool committed_ = false;
    lel_host host_;
};

}  // namespace lel
