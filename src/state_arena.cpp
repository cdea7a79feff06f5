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
        : storage(std::make_unique<double[]>(capacity)),  // value-initialised: zero
          capacity(capacity), free_doubles(capacity), index_holders(max_names, 0) {
        if (capacity > 0) free_runs.emplace(0, capacity);
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
    void give_back(std::size_t at, std::size_t n) noexcept {
        std::fill_n(storage.get() + at, n, 0.0);
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

    std::unique_ptr<double[]> storage;
    std::size_t capacity;
    std::size_t free_doubles;
    std::map<std::size_t, std::size_t> free_runs;  // offset -> length, never adjacent
    std::vector<uint32_t> index_holders;           // per index: leases holding it
    std::vector<uint32_t> free_indices;            // indices whose holders all went
    uint32_t next_index = 0;                       // indices from here on were never used
};

// ------------------------------------------------------------------ Lease

StateArena::Lease::Lease(std::shared_ptr<Pool> pool, std::size_t offset, uint32_t size, uint32_t index) noexcept
    : pool_(std::move(pool)), data_(pool_->storage.get() + offset), offset_(offset), size_(size), index_(index) {
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

StateArena::~StateArena() = default;

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
