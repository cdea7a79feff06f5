// lel — the state arena: one pre-allocated block of doubles, sliced by name.
//
// Design: a bump allocator over one zeroed array. A name gets a slice the
// first time it is seen and keeps it for the life of the daemon (through
// clear, remove and every reload), so a signal's phase survives code
// changes. Asking for a bigger slice than before moves the name to a new,
// bigger slice with the old values copied in; the old space is not reused
// until wipe(). Allocations are transactional: a load that fails rolls back
// every slice it created.
//
// Threads: the name table and the bump pointer are control-thread only. The
// doubles themselves are read and written by the producer through the
// slices that published programs hold; the control thread touches them only
// to copy on growth and, in wipe(), when no program refers to them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lel {

/// Thrown when the arena has no room for a slice.
class ArenaFull : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class StateArena {
public:
    struct Slice {
        double* data = nullptr;
        uint32_t size = 0;
        uint32_t index = 0;  ///< the name's dense index, < max_names(), stable until wipe()
    };

    /// A point to roll back to: see mark() and rollback().
    struct Mark {
        std::size_t used = 0;
        std::size_t journal = 0;
    };

    /// Allocates and zeroes `capacity` doubles, for at most `max_names`
    /// names. Control thread; allocates.
    explicit StateArena(std::size_t capacity, uint32_t max_names = 1u << 16);

    StateArena(const StateArena&) = delete;
    StateArena& operator=(const StateArena&) = delete;

    /// The slice of `name`, of at least `size` doubles: the existing one, a
    /// new zeroed one, or a bigger copy of the existing one. Control thread;
    /// throws ArenaFull (nothing changed) when there is no room.
    Slice acquire(std::string_view name, uint32_t size);
    /// Like acquire(), but always moves `name` to a new zeroed slice (the old
    /// one may still be read by a voice fading out; its space is reclaimed by
    /// wipe()). Used by crossfades, where the new code starts from scratch.
    Slice acquire_fresh(std::string_view name, uint32_t size);

    /// The slice of `name`, if it has one. Control thread.
    std::optional<Slice> find(std::string_view name) const;

    /// Starts a transaction. Control thread.
    Mark mark() const noexcept { return {used_, journal_.size()}; }
    /// Undoes every acquire() since `m`. Control thread.
    void rollback(Mark m) noexcept;
    /// Forgets the undo journal (ends every open transaction). Control thread.
    void commit() noexcept { journal_.clear(); }

    /// Zeroes every double and forgets every name. Control thread; the
    /// caller guarantees that no published program refers to the arena.
    void wipe() noexcept;

    std::size_t capacity() const noexcept { return capacity_; }
    std::size_t used() const noexcept { return used_; }
    std::size_t names() const noexcept { return slices_.size(); }
    uint32_t max_names() const noexcept { return max_names_; }

private:
    struct Undo {
        std::string name;
        std::optional<Slice> previous;  // nullopt: the name was new
        uint32_t next_index;            // next_index_ before the change
    };

    Slice allocate(std::string_view name, uint32_t size, bool copy_old);

    std::size_t capacity_;
    uint32_t max_names_;
    uint32_t next_index_ = 0;
    std::unique_ptr<double[]> storage_;
    std::size_t used_ = 0;
    std::unordered_map<std::string, Slice> slices_;
    std::vector<Undo> journal_;
};

}  // namespace lel
