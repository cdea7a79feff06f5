#include "state_arena.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <optional>

namespace lel {

// ------------------------------------------------------------------- Pool

// The array and its allocators, shared by the arena and every lease so that
// a lease can give its space back whichever of them goes first. Control
// thread only.
struct StateArena::Pool {
    Pool(std::size_t capacity, uint32_t max_names)
        : Pool(own(capacity), max_names) {}
    Pool(ArenaStorage s, uint32_t max_names)
        : keep(std::move(s.keep)), storage(s.doubles), capacity(s.capacity), free_doubles(s.capacity),
          index_holders(max_names, 0) {
        if (capacity > 0) free_runs.emplace(0, capacity);
    }

    static ArenaStorage own(std::size_t capacity) {
        std::shared_ptr<double[]> a(new double[capacity]());  // value-initialised: zero
        return {a.get(), capacity, a};
    }

    /// Takes exactly [at, at + n) out of the free runs; false if any of it
    /// is not free.
    bool take_at(std::size_t at, std::size_t n) {
        auto it = free_runs.upper_bound(at);
        if (it == free_runs.begin()) return false;
        --it;
        const std::size_t run_at = it->first, run_n = it->second;
        if (at + n > run_at + run_n) return false;
        free_runs.erase(it);
        if (at > run_at) free_runs.emplace(run_at, at - run_at);
        if (at + n < run_at + run_n) free_runs.emplace(at + n, run_at + run_n - (at + n));
        free_doubles -= n;
        return true;
    }

    /// First fit: the offset of `n` doubles taken from the lowest free run
    /// long enough, or nullopt. Free space is always zero.
    std::optional<std::size_t> take(std::size_t n) {
        for (auto it = free_runs.begin(); it != free_runs.end(); ++it) {
            if (it->second < n) continue;
            const std::size_t at = it->first;
            const std::size_t rest = it->second - n;
            auto node = free_runs.extract(it);  // reuses the node: no allocation
            if (rest > 0) {
                node.key() = at + n;
                node.mapped() = rest;
                free_runs.insert(std::move(node));
            }
            free_doubles -= n;
            return at;
        }
        return std::nullopt;
    }

    /// Zeroes [at, at + n) and puts it back, merged with free neighbours.
    /// Once the arena is gone nothing is zeroed: a state file keeps what the
    /// names held when leld stopped (restore() zeroes what no name holds).
    void give_back(std::size_t at, std::size_t n) noexcept {
        if (!closed) std::fill_n(storage + at, n, 0.0);
        free_doubles += n;
        auto next = free_runs.lower_bound(at);
        if (next != free_runs.end() && at + n == next->first) {
            n += next->second;
            next = free_runs.erase(next);
        }
        if (next != free_runs.begin()) {
            const auto prev = std::prev(next);
            if (prev->first + prev->second == at) {
                prev->second += n;
                return;
            }
        }
        free_runs.emplace_hint(next, at, n);  // may allocate a node: control thread
    }

    std::size_t largest_run() const noexcept {
        std::size_t m = 0;
        for (const auto& [at, n] : free_runs) m = std::max(m, n);
        return m;
    }

    /// A dense index no lease holds, or nullopt. Recycled indices first.
    std::optional<uint32_t> take_index() {
        if (!free_indices.empty()) {
            const uint32_t i = free_indices.back();
            free_indices.pop_back();
            return i;
        }
        if (next_index < index_holders.size()) return next_index++;
        return std::nullopt;
    }
    void hold_index(uint32_t i) noexcept { ++index_holders[i]; }
    void drop_index(uint32_t i) noexcept {
        if (--index_holders[i] == 0) free_indices.push_back(i);  // reserved to max_names: no allocation
    }

    std::shared_ptr<void> keep;  // owns `storage`
    bool closed = false;         // the arena is gone: leases that go now keep their values
    double* storage;
    std::size_t capacity;
    std::size_t free_doubles;
    std::map<std::size_t, std::size_t> free_runs;  // offset -> length, never adjacent
    std::vector<uint32_t> index_holders;           // per index: leases holding it
    std::vector<uint32_t> free_indices;            // indices whose holders all went
    uint32_t next_index = 0;                       // indices from here on were never used
};

// ------------------------------------------------------------------ Lease

StateArena::Lease::Lease(std::shared_ptr<Pool> pool, std::size_t offset, uint32_t size, uint32_t index) noexcept
    : pool_(std::move(pool)), data_(pool_->storage + offset), offset_(offset), size_(size), index_(index) {
    pool_->hold_index(index_);
}

StateArena::Lease::~Lease() {
    pool_->give_back(offset_, size_);
    pool_->drop_index(index_);
}

// -------------------------------------------------------------- StateArena

StateArena::StateArena(std::size_t capacity, uint32_t max_names)
    : pool_(std::make_shared<Pool>(capacity, max_names)), max_names_(max_names) {
    pool_->free_indices.reserve(max_names);
}

StateArena::StateArena(ArenaStorage storage, uint32_t max_names)
    : pool_(std::make_shared<Pool>(std::move(storage), max_names)), max_names_(max_names) {
    pool_->free_indices.reserve(max_names);
}

StateArena::~StateArena() { pool_->closed = true; }

std::vector<StateArena::Entry> StateArena::entries() const {
    std::vector<Entry> out;
    out.reserve(names_.size());
    for (const auto& [name, lease] : names_) {
        out.push_back(Entry{name, lease->offset_, lease->size(), lease->index(), lease->layout});
    }
    std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.offset < b.offset; });
    return out;
}

void StateArena::restore(const std::vector<Entry>& entries) {
    if (!names_.empty() || pool_->free_doubles != pool_->capacity) {
        throw std::logic_error("StateArena::restore on an arena in use");
    }
    Pool& p = *pool_;
    std::vector<LeasePtr> made;
    std::string bad;
    for (const Entry& e : entries) {
        if (e.size == 0 || e.offset > p.capacity || e.size > p.capacity - e.offset) {
            bad = fmt::format("'{}' lies outside the arena ({} doubles at {})", e.name, e.size, e.offset);
        } else if (e.index >= max_names_ || p.index_holders[e.index] != 0) {
            bad = fmt::format("'{}' has index {}, out of range or used twice", e.name, e.index);
        } else if (e.layout.raw + e.layout.area() > e.size) {
            bad = fmt::format("'{}''s helper layout is larger than its slice", e.name);
        } else if (names_.count(e.name)) {
            bad = fmt::format("'{}' is listed twice", e.name);
        } else if (!p.take_at(e.offset, e.size)) {
            bad = fmt::format("'{}' overlaps another name's slice", e.name);
        }
        if (!bad.empty()) break;
        LeasePtr lease(new Lease(pool_, e.offset, e.size, e.index));
        lease->layout = e.layout;
        names_.emplace(e.name, lease);
        made.push_back(std::move(lease));
    }
    if (!bad.empty()) {
        names_.clear();
        made.clear();  // each gives its slice back (zeroed) and its index
        std::fill_n(p.storage, p.capacity, 0.0);
        p.free_runs.clear();
        if (p.capacity > 0) p.free_runs.emplace(0, p.capacity);
        p.free_doubles = p.capacity;
        p.free_indices.clear();
        p.next_index = 0;
        throw std::runtime_error(bad);
    }
    // Free space is always zero: whatever the file held there goes.
    for (const auto& [at, n] : p.free_runs) std::fill_n(p.storage + at, n, 0.0);
    // Indices below the highest one held and not held are free.
    uint32_t top = 0;
    for (const LeasePtr& l : made) top = std::max(top, l->index() + 1);
    p.next_index = top;
    p.free_indices.clear();
    for (uint32_t i = top; i-- > 0;) {
        if (p.index_holders[i] == 0) p.free_indices.push_back(i);
    }
}

std::size_t StateArena::capacity() const noexcept { return pool_->capacity; }
std::size_t StateArena::used() const noexcept { return pool_->capacity - pool_->free_doubles; }

StateArena::LeasePtr StateArena::acquire(std::string_view name, uint32_t size) {
    const auto it = names_.find(std::string(name));
    if (it != names_.end()) {
        const Lease& held = *it->second;
        const bool poisoned = held.poisoned.load(std::memory_order_relaxed) != 0;
        if (!poisoned && held.size() >= size) return it->second;
        return allocate(name, size, !poisoned);
    }
    return allocate(name, size, false);
}

StateArena::LeasePtr StateArena::acquire_fresh(std::string_view name, uint32_t size) {
    return allocate(name, size, false);
}

StateArena::LeasePtr StateArena::allocate(std::string_view name, uint32_t size, bool copy_old) {
    if (size == 0) throw std::invalid_argument("a state slice holds at least one double");
    const std::string key(name);
    const auto it = names_.find(key);
    const LeasePtr old = it != names_.end() ? it->second : nullptr;
    std::optional<uint32_t> index = old ? std::optional<uint32_t>(old->index()) : pool_->take_index();
    if (!index) {
        throw ArenaFull(fmt::format("too many signal names ({}): send /lel/reset to forget them", max_names_));
    }
    const std::optional<std::size_t> at = pool_->take(size);
    if (!at) {
        if (!old) pool_->free_indices.push_back(*index);  // not held by anyone: give it back
        const std::size_t free = pool_->free_doubles;
        throw ArenaFull(fmt::format(
            "state arena full: signal '{}' needs {} doubles, {} of {} are free{} "
            "(start leld with a larger --state-size, or send /lel/reset)",
            name, size, free, pool_->capacity,
            free >= size ? fmt::format(", but the longest free run is {}", pool_->largest_run()) : ""));
    }
    LeasePtr fresh(new Lease(pool_, *at, size, *index));
    if (old && copy_old) std::copy_n(old->data(), std::min(old->size(), size), fresh->data());
    journal_.push_back(Undo{key, old});
    if (old) {
        it->second = fresh;
    } else {
        names_.emplace(key, fresh);
    }
    return fresh;
}

const StateArena::Lease* StateArena::find(std::string_view name) const {
    const auto it = names_.find(std::string(name));
    return it == names_.end() ? nullptr : it->second.get();
}

void StateArena::rollback(Mark m) noexcept {
    while (journal_.size() > m.journal) {
        Undo& u = journal_.back();
        if (u.previous) {
            names_[u.name] = std::move(u.previous);
        } else {
            names_.erase(u.name);
        }
        journal_.pop_back();
    }
    // The leases created since the mark return when their last holder (the
    // failed load's builder) lets go of them.
}

void StateArena::forget_all() noexcept {
    names_.clear();
    journal_.clear();
}

}  // namespace lel
