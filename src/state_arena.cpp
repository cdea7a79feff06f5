#include "state_arena.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace lel {

StateArena::StateArena(std::size_t capacity, uint32_t max_names)
    : capacity_(capacity), max_names_(max_names),
      storage_(std::make_unique<double[]>(capacity)) {}  // value-initialised: zero

StateArena::Slice StateArena::acquire(std::string_view name, uint32_t size) {
    const auto it = slices_.find(std::string(name));
    if (it != slices_.end() && it->second.size >= size) return it->second;
    return allocate(name, size, true);
}

StateArena::Slice StateArena::acquire_fresh(std::string_view name, uint32_t size) {
    return allocate(name, size, false);
}

StateArena::Slice StateArena::allocate(std::string_view name, uint32_t size, bool copy_old) {
    const std::string key(name);
    const auto it = slices_.find(key);
    if (it == slices_.end() && next_index_ >= max_names_) {
        throw ArenaFull(fmt::format("too many signal names ({}): send /lel/reset to forget them", max_names_));
    }
    if (size > capacity_ - used_) {
        throw ArenaFull(fmt::format(
            "state arena full: signal '{}' needs {} doubles, {} of {} are free "
            "(start leld with a larger --state-size, or send /lel/reset)",
            name, size, capacity_ - used_, capacity_));
    }
    Slice fresh{storage_.get() + used_, size, it != slices_.end() ? it->second.index : next_index_};
    journal_.push_back(Undo{key, std::nullopt, next_index_});
    used_ += size;
    if (it != slices_.end()) {
        journal_.back().previous = it->second;
        if (copy_old) std::copy_n(it->second.data, std::min(it->second.size, size), fresh.data);
        it->second = fresh;
    } else {
        ++next_index_;
        slices_.emplace(key, fresh);
    }
    return fresh;
}

std::optional<StateArena::Slice> StateArena::find(std::string_view name) const {
    const auto it = slices_.find(std::string(name));
    if (it == slices_.end()) return std::nullopt;
    return it->second;
}

void StateArena::rollback(Mark m) noexcept {
    while (journal_.size() > m.journal) {
        Undo& u = journal_.back();
        if (u.previous) {
            slices_[u.name] = *u.previous;
        } else {
            slices_.erase(u.name);
        }
        next_index_ = u.next_index;
        journal_.pop_back();
    }
    // Slices handed out since the mark were never published; zero them so
    // that the next name to get this space sees zeros.
    std::fill(storage_.get() + m.used, storage_.get() + used_, 0.0);
    used_ = m.used;
}

void StateArena::wipe() noexcept {
    std::fill(storage_.get(), storage_.get() + used_, 0.0);
    used_ = 0;
    next_index_ = 0;
    slices_.clear();
    journal_.clear();
}

}  // namespace lel
