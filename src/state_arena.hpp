// lel — the state arena: one pre-allocated block of doubles, leased by name.
//
// Design: one zeroed array of doubles, allocated once, carved by a first-fit
// free list that coalesces neighbours. A name gets a slice the first time it
// is seen and keeps it (through clear, remove and every reload, so a
// signal's phase survives code changes) until a crossfade gives it a fresh
// one, a growth a bigger one, or forget_all() forgets every name.
//
// A slice is a *lease*: a shared handle held by the arena's name table, the
// registry entries that use it and every Program built from them. Replacing
// or forgetting a name only drops the table's hold; the space goes back to
// the free list, zeroed, when the last holder lets go. Programs are deleted
// on the control thread only after the producer has handed them back, so a
// slice returns only once no program can touch it, and never on a real-time
// thread. Allocations are transactional: a load that fails rolls the name
// table back (mark/rollback) and the slices it created return with the
// builder that held them.
//
// Each name also has a dense index (< max_names()), shared by all its leases,
// that the renderer keys per-name gains by. An index goes to a new name only
// once every lease of its old name is gone, so no two names that a program
// can still play share one.
//
// The array is either the arena's own memory or a mapping it is given
// (ArenaStorage: the state file of state_store.hpp, so that the doubles
// outlive the process). entries() and restore() carry the name table
// across a restart: restore() gives each name back its slice at the same
// offset, with its index and layout, and zeroes the rest.
//
// Threads: everything here is control-thread only, leases included (their
// destructor runs where programs are deleted). The doubles themselves are
// read and written by the producer through the published programs; the
// control thread touches them only to copy a growing slice into its new one
// (which no published program uses yet) and to zero freed space. `poisoned`
// is the one field the producer writes.
#pragma once

#include "helper_layout.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lel {

/// Thrown when the arena has no room for a slice, or no index for a name.
class ArenaFull : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Memory for the arena's doubles that someone else owns (a file mapping).
/// `keep` keeps it alive for as long as the arena or a lease needs it.
struct ArenaStorage {
    double* doubles = nullptr;
    std::size_t capacity = 0;
    std::shared_ptr<void> keep;
};

class StateArena {
    struct Pool;

public:
    /// What the name table holds for one name: enough to give it back its
    /// slice after a restart (restore()).
    struct Entry {
        std::string name;
        std::size_t offset = 0;
        uint32_t size = 0;
        uint32_t index = 0;
        HelperLayout layout;
    };

    /// A slice of the arena, held by whatever may still run on it. Its
    /// space and its name's index return to the arena when the last
    /// shared_ptr to it goes (control thread).
    class Lease {
    public:
        ~Lease();
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;

        double* data() const noexcept { return data_; }
        uint32_t size() const noexcept { return size_; }
        /// The name's dense index, < max_names(); the same for every lease of the name.
        uint32_t index() const noexcept { return index_; }

        /// Set (relaxed) by the producer when a signal running on this state
        /// produced NaN, infinity or a sample beyond the bound: the state may
        /// hold NaN, so acquire() gives the name's next code a fresh slice.
        /// Read by the control thread.
        std::atomic<uint32_t> poisoned{0};
        /// What the lease's doubles hold: raw state, then helper blocks
        /// (helper_layout.hpp). Set by ProgramBuilder. Control thread.
        HelperLayout layout;

    private:
        friend class StateArena;
        Lease(std::shared_ptr<Pool> pool, std::size_t offset, uint32_t size, uint32_t index) noexcept;

        std::shared_ptr<Pool> pool_;  // outlives the arena if a lease does
        double* data_;
        std::size_t offset_;
        uint32_t size_;
        uint32_t index_;
    };
    using LeasePtr = std::shared_ptr<Lease>;

    /// A point to roll back to: see mark() and rollback().
    struct Mark {
        std::size_t journal = 0;
    };

    /// Allocates and zeroes `capacity` doubles, for at most `max_names`
    /// names held at once. Control thread; allocates.
    explicit StateArena(std::size_t capacity, uint32_t max_names = 1u << 16);
    /// Over `storage`, whose doubles are taken as they are (restore() then
    /// keeps the named slices and zeroes everything else). Control thread.
    StateArena(ArenaStorage storage, uint32_t max_names);
    ~StateArena();

    StateArena(const StateArena&) = delete;
    StateArena& operator=(const StateArena&) = delete;

    /// The lease of `name`, of at least `size` doubles: the existing one; a
    /// new zeroed one if the name is new or its state is poisoned; or a
    /// bigger one with the old values copied in. Control thread; throws
    /// ArenaFull (nothing changed) when there is no room.
    LeasePtr acquire(std::string_view name, uint32_t size);
    /// Like acquire(), but always gives `name` a new zeroed slice. The old
    /// one may still be read by a voice fading out; it returns when the last
    /// program holding it is deleted. Used by crossfades.
    LeasePtr acquire_fresh(std::string_view name, uint32_t size);

    /// The lease the name table holds for `name`, or null. Control thread.
    const Lease* find(std::string_view name) const;

    /// Starts a transaction. Control thread.
    Mark mark() const noexcept { return {journal_.size()}; }
    /// Undoes every acquire() since `m` in the name table. Control thread.
    void rollback(Mark m) noexcept;
    /// Forgets the undo journal (ends every open transaction). Control thread.
    void commit() noexcept { journal_.clear(); }

    /// Forgets every name at once: the next acquire() of any name gets a
    /// zeroed slice and a new index. Slices still held by programs return
    /// when those are deleted. Never blocks. Control thread.
    void forget_all() noexcept;

    /// The name table, by offset. Control thread; allocates.
    std::vector<Entry> entries() const;
    /// Gives every name of `entries` its slice back (same offset, size,
    /// index and layout) and zeroes every double no entry holds. Only on an
    /// arena no name or lease holds yet. Throws std::runtime_error, and
    /// leaves the arena empty and zeroed, when the entries do not fit it
    /// (outside the array, overlapping, an index used twice or beyond
    /// max_names, a layout larger than its slice).
    void restore(const std::vector<Entry>& entries);

    std::size_t capacity() const noexcept;
    /// Doubles not on the free list: held by a lease, or by nobody yet.
    std::size_t used() const noexcept;
    /// Names the table knows (not counting names only old programs hold).
    std::size_t names() const noexcept { return names_.size(); }
    uint32_t max_names() const noexcept { return max_names_; }

private:
    struct Undo {
        std::string name;
        LeasePtr previous;  // null: the name was new
    };

    LeasePtr allocate(std::string_view name, uint32_t size, bool copy_old);

    std::shared_ptr<Pool> pool_;
    uint32_t max_names_;
    std::unordered_map<std::string, LeasePtr> names_;
    std::vector<Undo> journal_;
};

}  // namespace lel
