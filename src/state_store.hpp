// lel — the state directory: what lets leld carry on where it was after it
// is killed (SIGKILL included), crashes or is restarted.
//
//   <dir>/lock      flock()ed by the one leld that uses the directory
//   <dir>/arena     the state arena's doubles, mapped MAP_SHARED: a 4 KiB
//                   header (magic, version, capacity, max names, and the
//                   clock: frame, rate, tempo, beat, fade), then the
//                   doubles. The producer writes them through the mapping
//                   as it writes any arena: the kernel keeps them when the
//                   process dies. The control thread writes the clock there
//                   each turn of its loop (a few stores, no system call).
//   <dir>/index     the arena's name table (each name's offset, size, index
//                   and helper layout) and the parameter values /lel/set
//                   gave: written whole (temporary file, rename) by the
//                   control thread after each command that changed them.
//   <dir>/program   the commands that built the program playing (loads,
//                   removes, clears), replayed on start; written like index.
//   <dir>/modules/  the modules those loads loaded: the very copies dlopen
//                   read, linked there before they were unlinked.
//
// A file that does not match (another version or layout, another arena
// size, an index that does not fit the arena) is set aside, renamed with a
// suffix that says why, and logged; it is never misread. Text files use
// length-prefixed strings (`5:hello`), so a name may hold any byte.
//
// Threads: control thread only; every function may block on the file system.
#pragma once

#include "params.hpp"
#include "state_arena.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lel {

/// The default state directory of a leld whose JACK client is `client`:
/// $XDG_RUNTIME_DIR/lel/<client>, or, when XDG_RUNTIME_DIR is unset,
/// <temp>/lel-<uid>/<client> (created private to this user).
std::filesystem::path default_state_dir(const std::string& client);

/// One command of the program being played, as replayed on start.
struct ProgramStep {
    enum class Kind { load, remove, clear };
    Kind kind = Kind::load;
    std::string module;  ///< load: the file name in <dir>/modules/
    std::string origin;  ///< load: the path the module was loaded from (for logs)
    std::string name;    ///< remove: the signal
};

/// Where time was: what s.frame, s.beat and the fades were when the
/// last leld on the directory saved them (at most a turn of its control
/// loop, 0.1 s, before it died; exactly, when it stopped).
struct SavedClock {
    uint64_t frame = 0;          ///< the next frame to render
    double sample_rate = 0.0;    ///< at which `frame` counts
    double beats_per_frame = 0.0;
    double beat_base = 0.0;      ///< the beat at frame 0
    double tempo_bpm = 0.0;      ///< /lel/tempo: 0 when quanta count frames
    double fade_ms = 0.0;
};

/// A remembered /lel/set: the value a signal's parameter was given.
struct RememberedParam {
    std::string signal, param;
    ParamMemory::Value value;
};

class StateStore {
public:
    /// Opens (creating it if needed) the state directory `dir` for an arena
    /// of `capacity` doubles and `max_names` names. With `fresh`, whatever
    /// was there is wiped. Throws std::runtime_error when the directory is
    /// in use by another leld or cannot be made; a state file that cannot
    /// be used is set aside (not an error).
    StateStore(std::filesystem::path dir, std::size_t capacity, uint32_t max_names, bool fresh);
    ~StateStore();
    StateStore(const StateStore&) = delete;
    StateStore& operator=(const StateStore&) = delete;

    const std::filesystem::path& dir() const noexcept { return dir_; }
    std::filesystem::path modules_dir() const { return dir_ / "modules"; }

    /// The arena file's doubles, for StateArena; the mapping lives as long
    /// as the arena or a lease holds it.
    ArenaStorage storage() const { return storage_; }
    /// True when the arena file was made now (empty, or set aside): there
    /// is nothing to restore.
    bool created() const noexcept { return created_; }

    /// The clock the last leld left; nullopt for a new file (or one an
    /// older leld wrote).
    const std::optional<SavedClock>& saved_clock() const noexcept { return clock_; }
    /// Writes the clock into the arena file's header. Never blocks.
    void save_clock(const SavedClock& clock) noexcept;

    /// What index and program held at start (empty when created()).
    const std::vector<StateArena::Entry>& saved_names() const noexcept { return names_; }
    const std::vector<RememberedParam>& saved_params() const noexcept { return params_; }
    const std::vector<ProgramStep>& saved_program() const noexcept { return program_; }
    /// The arena's index could not be restored: the arena and the index
    /// are set aside and the arena restarts zeroed. Logs why.
    void set_aside_index(const std::string& why);

    /// Writes the name table and parameter values. False (logged) on failure.
    bool save_index(const std::vector<StateArena::Entry>& names, const std::vector<RememberedParam>& params);
    /// Writes the program's steps; removes module copies no step names.
    bool save_program(const std::vector<ProgramStep>& steps);
    /// A new file name in modules_dir() for a module loaded from `origin`.
    std::string next_module_name(const std::filesystem::path& origin);

private:
    void set_aside(const std::filesystem::path& file, const std::string& why);
    void map_arena(std::size_t capacity, uint32_t max_names);
    void read_index(std::size_t capacity, uint32_t max_names);
    void read_program();

    std::filesystem::path dir_;
    uint32_t max_names_;
    int lock_fd_ = -1;
    ArenaStorage storage_;
    void* clock_record_ = nullptr;  // in the mapping that storage_ keeps
    std::optional<SavedClock> clock_;
    bool created_ = false;
    std::vector<StateArena::Entry> names_;
    std::vector<RememberedParam> params_;
    std::vector<ProgramStep> program_;
    uint64_t next_module_ = 1;
};

}  // namespace lel
