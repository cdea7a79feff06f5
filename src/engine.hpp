// lel — the engine's control side: load, clear, remove, reset, status.
//
// The Engine owns everything the real-time side reads (state arena, mailbox,
// renderer), the registry it is built from and the sample cache (whose
// samples the programs hold: they are freed with the last one). Every command builds a new
// registry, turns it into a Program and publishes it; the old program is
// freed here once the producer hands it back. Nothing in this class runs on
// a real-time thread except through renderer().
//
// Threads: every member function is control-thread only (one thread).
#pragma once

#include "program.hpp"
#include "program_mailbox.hpp"
#include "renderer.hpp"
#include "rt_log.hpp"
#include "sample_cache.hpp"
#include "routing.hpp"
#include "state_arena.hpp"
#include "state_store.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace lel {

struct EngineConfig {
    double sample_rate = 48000.0;
    uint32_t max_block = 1024;             ///< largest block the renderer renders at once
    std::size_t state_doubles = 1u << 22;  ///< state arena size (32 MiB: 16,384 signals of default state)
    uint32_t max_names = 1u << 16;         ///< distinct signal names before a reset is needed
    double fade_ms = 5.0;                  ///< fade in/out and crossfade time
    /// When set (a resolved path: resolve_module_dir in module_file.hpp),
    /// load() accepts only modules under it (leld --module-dir).
    std::filesystem::path module_dir;
    /// When set, the arena, its name table, the parameter values and the
    /// program outlive the process there (state_store.hpp; leld
    /// --state-dir); empty: all in memory, as `lel render` runs.
    std::filesystem::path state_dir;
    /// With state_dir: start from nothing, wiping what it held (leld --fresh).
    bool fresh_state = false;
    /// The first frame rendered (s.frame; s.t is it over the sample rate).
    uint64_t start_frame = 0;
    /// With state_dir: time goes on from the clock the last engine on the
    /// directory saved (StateStore::saved_clock: the frame, at this rate,
    /// the tempo and the beat), instead of start_frame and 120 bpm.
    bool resume_clock = false;
    /// With resume_clock: the fade time too, instead of fade_ms (leld:
    /// unless --fade-ms was given).
    bool fade_from_state = false;
};

/// What Engine::resume() replayed.
struct ResumeResult {
    std::size_t names = 0;    ///< names whose state the state directory gave back
    std::size_t steps = 0;    ///< program steps replayed
    std::size_t failed = 0;   ///< of them, those that failed (logged)
    std::size_t signals = 0;  ///< signals playing afterwards
};

/// How a load takes effect.
struct LoadOptions {
    /// Swap at the next frame that is a multiple of this many frames (0: at
    /// the next block).
    uint64_t quantum_frames = 0;
    /// The same quantum in beats when a tempo is set (0: none): the swap
    /// frame is then found on the beat grid (commands.cpp), exactly.
    double quantum_beats = 0.0;
    /// Swap at exactly this frame (a timed bundle's; 0: none). Replaces
    /// the quantum. A frame already rendered swaps at the next block.
    uint64_t at_frame = 0;
    /// Names whose code changes get fresh state and an equal-power crossfade
    /// from the old code, instead of continuing the old state.
    bool crossfade = false;
    /// What session.sample's relative paths are relative to. load() sets it
    /// to the module's directory when empty; for run_session, empty is the
    /// working directory.
    std::filesystem::path sample_dir;
};

/// One parameter of one signal, as /lel/get and /lel/params report it.
struct ParamInfo {
    std::string signal;
    ParamDecl decl;   ///< name, the code's default, range, the code's lag
    double value;     ///< what /lel/set gave (clamped), or the default
    bool set;         ///< /lel/set gave it
};

/// A /lel/set or /lel/trig: parameter names and values.
struct ParamChange {
    std::string param;
    double value;
};

/// The outcome of a command: ok, or a message for the user.
struct CommandResult {
    bool ok = true;
    std::string message;      ///< why it failed (empty when ok)
    uint64_t program_id = 0;  ///< the program published, 0 if none
    std::size_t signals = 0;  ///< signals registered afterwards

    explicit operator bool() const noexcept { return ok; }
    static CommandResult failure(std::string why) { return {false, std::move(why), 0, 0}; }
};

class Engine {
public:
    explicit Engine(const EngineConfig& config);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    /// The real-time side, for the producer (or an offline driver) to run.
    Renderer& renderer() noexcept { return renderer_; }
    const Renderer& renderer() const noexcept { return renderer_; }

    /// Loads the module at `path` (absolute) and runs its session against
    /// the current registry. On failure nothing changes.
    CommandResult load(const std::filesystem::path& path, const LoadOptions& options = {});
    /// Runs a session entry point against the current registry (what load()
    /// does once the module is open). `module` is kept alive by the signals
    /// the session adds; it may be null for sessions compiled into the caller.
    CommandResult run_session(lel_entry_fn entry, std::shared_ptr<Module> module, std::string_view origin,
                              const LoadOptions& options = {});
    /// Replays the program the state directory kept (its loads from the
    /// kept module copies, its removes and clears), as it was when the last
    /// leld on it stopped; the names it plays find their state as it was.
    /// Each signal fades in. Nothing without a state directory or with
    /// EngineConfig::fresh_state. Call once, with the producer running.
    ResumeResult resume();
    /// The state directory, or empty.
    std::filesystem::path state_dir() const { return store_ ? store_->dir() : std::filesystem::path(); }

    /// Removes every signal; state is kept.
    CommandResult clear();
    /// Removes `name`; result.signals tells how many remain. Removing a
    /// name that is not registered is not an error (message says so).
    CommandResult remove(const std::string& name);
    /// Removes every signal (they fade out) and forgets every name at once:
    /// a load right after it gets fresh zeroed state and new name indices.
    /// Never blocks and never fails; the old slices return to the arena
    /// when the last program that can run on them is retired and collected.
    /// result.program_id is the empty program: it has taken effect once
    /// swap_frame() knows it.
    CommandResult reset();

    /// Blocks up to `timeout` until program `id` has taken effect; the frame
    /// at which it did (ProgramMailbox::superseded if it never will).
    std::optional<uint64_t> wait_swapped(uint64_t id, std::chrono::milliseconds timeout) {
        return mailbox_.wait_swapped(id, timeout);
    }
    /// Never blocks: the frame program `id` took effect at, if known yet.
    std::optional<uint64_t> swap_frame(uint64_t id) { return mailbox_.swap_frame(id); }

    /// Sets parameters of the signal `signal` (all or nothing): each must
    /// be declared by its code (lel::param) and be a finite number; a value
    /// out of the declared range is clamped, and the message says so. With
    /// `lag`, they move there over that many seconds (and keep that lag)
    /// instead of the code's lag. With `trig`, each takes its value for one
    /// sample only (the next frame rendered), then is what it was.
    /// The values are remembered across reloads until reset().
    /// With `frame` > 0, they take effect at that frame (a timed bundle's),
    /// or at once if it has been rendered already.
    CommandResult set_params(std::string_view signal, const std::vector<ParamChange>& changes,
                             std::optional<double> lag = std::nullopt, bool trig = false, uint64_t frame = 0);
    /// The parameter `param` of `signal`; nullopt (and `why`) if there is none.
    std::optional<ParamInfo> param(std::string_view signal, std::string_view param, std::string& why) const;
    /// Every parameter of every registered signal, in registration order.
    std::vector<ParamInfo> params() const;

    /// /lel/tempo: beats per minute that load quanta count in; 0 when they
    /// count frames. (s.bpm and s.beat are the renderer's beat grid.)
    double tempo_bpm() const noexcept { return tempo_bpm_; }
    void set_tempo_bpm(double bpm) noexcept { tempo_bpm_ = bpm; }

    /// Sets the fade time; applies to fades that start from now on.
    void set_fade_ms(double ms);
    double fade_ms() const noexcept { return 1000.0 * renderer_.fade_frames() / renderer_.sample_rate(); }

    /// Frees retired programs (and with them the state slices only they
    /// held), logs what the real-time side queued, and saves the clock in
    /// the state directory. Never blocks on the real-time side.
    void collect();

    std::size_t signals() const noexcept { return registry_.size(); }
    const Registry& registry() const noexcept { return registry_; }
    uint64_t loads() const noexcept { return loads_; }
    const StateArena& arena() const noexcept { return arena_; }
    /// Buses taken by listened-to names and sends (of Renderer::max_buses).
    std::size_t buses() const noexcept { return buses_.size(); }
    /// The samples sessions read (session.sample), at the renderer's rate.
    const SampleCache& samples() const noexcept { return samples_; }
    std::size_t muted() const;
    /// Real-time log records dropped because the queue was full.
    uint64_t log_dropped() const noexcept { return log_.dropped(); }

    /// Parameter sets that can wait for the producer at once.
    static constexpr std::size_t param_queue_size = 8192;

private:
    CommandResult publish(Registry next, uint64_t start_frame = 0);
    uint64_t next_multiple(uint64_t quantum) const;
    CommandResult load_module(const std::filesystem::path& path, const std::filesystem::path& module_dir,
                              const std::string& kept_name, const std::string& origin, const LoadOptions& options);
    /// Appends a step to the program the state directory keeps, drops the
    /// steps no signal playing depends on any more, and saves both files.
    void record(ProgramStep step, const std::shared_ptr<Module>& module = {});
    void record_saved();
    /// Writes the name table and parameter values (and the program, when
    /// a step is still unsaved); unless `now`, at most every 200 ms.
    void save_state(bool now);
    /// Starts from the clock the state directory kept (resume_clock).
    void resume_clock(const SavedClock& clock, bool with_fade);

    /// A step of the program kept in the state directory, with the module
    /// its load loaded (to know whether a signal playing still uses it).
    struct KeptStep {
        ProgramStep step;
        std::weak_ptr<Module> module;
    };

    std::unique_ptr<StateStore> store_;  // before arena_: the arena's doubles may be its mapping
    std::vector<KeptStep> kept_steps_;
    bool resuming_ = false;  // resume() saves once, at its end
    bool params_dirty_ = false;
    bool program_dirty_ = false;
    std::chrono::steady_clock::time_point params_saved_{};
    StateArena arena_;
    SampleCache samples_;  // before registry_: outlives nothing it hands out (weak entries)
    Registry registry_;
    BusTable buses_{Renderer::max_buses};
    ParamMemory param_memory_;
    SpscRing<ParamEvent> param_queue_{param_queue_size};
    ProgramMailbox mailbox_;
    RtLog log_;
    Renderer renderer_;
    uint64_t next_program_id_ = 1;
    uint64_t loads_ = 0;
    double tempo_bpm_ = 0.0;
    std::filesystem::path module_dir_;  ///< EngineConfig::module_dir
};

}  // namespace lel
