#include "state_arena.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace lel {

StateArena::StateArena(std::size_t capacity)
    : capacity_(capacity), storage_(std::make_unique<double[]>(capacity)) {}  // value-initialised: zero

StateArena::Slice StateArena::acquire(std::string_view name, uint32_t size) {
    const std::string key(name);
    const auto it = slices_.find(key);
    if (it != slices_.end() && it->second.size >= size) return it->second;

    if (size > capacity_ - used_) {
        throw ArenaFull(fmt::format(
            "state arena full: signal '{}' needs {} doubles, {} of {} are free "
            "(start leld with a larger --state-size, or send /lel/reset)",
            name, size, capacity_ - used_, capacity_));
    }
    Slice fresh{storage_.get() + used_, size};
    used_ += size;

    std::optional<Slice> previous;
    if (it != slices_.end()) {
        previous = it->second;
        std::copy_n(previous->data, previous->size, fresh.data);
        it->second = fresh;
    } else {
        slices_.emplace(key, fresh);
    }
    journal_.push_back(Undo{key, previous});
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
    slices_.clear();
    journal_.clear();
}

}  // namespace lel
