#include "params.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

namespace lel {

namespace {
// Slots against a key, both ways, for equal_range.
struct KeyOrder {
    bool operator()(const ParamTable::Slot& s, uint64_t key) const noexcept { return s.key < key; }
    bool operator()(uint64_t key, const ParamTable::Slot& s) const noexcept { return key < s.key; }
};
}  // namespace

void ParamTable::seal() {
    std::sort(slots_.begin(), slots_.end(),
              [](const Slot& a, const Slot& b) { return std::tie(a.name_index, a.key) < std::tie(b.name_index, b.key); });
    by_key_ = slots_;
    std::sort(by_key_.begin(), by_key_.end(),
              [](const Slot& a, const Slot& b) { return std::tie(a.key, a.name_index) < std::tie(b.key, b.name_index); });
}

std::span<const ParamTable::Slot> ParamTable::with_key(uint64_t key) const noexcept {
    const auto [first, last] = std::equal_range(by_key_.begin(), by_key_.end(), key, KeyOrder{});
    return {first, last};
}

ParamState* ParamTable::find(uint32_t name_index, uint64_t key) const noexcept {
    const auto it = std::lower_bound(slots_.begin(), slots_.end(), std::pair{name_index, key},
                                     [](const Slot& s, const std::pair<uint32_t, uint64_t>& k) {
                                         return std::pair{s.name_index, s.key} < k;
                                     });
    return it != slots_.end() && it->name_index == name_index && it->key == key ? it->block : nullptr;
}

void apply(ParamState& p, const ParamEvent& e, uint64_t frame) noexcept {
    if (e.trig) {
        p.trig_frame = static_cast<double>(frame) + 1.0;
        p.trig_value = e.value;
        return;
    }
    p.target = e.value;
    p.is_set = 1.0;
    if (e.has_lag) {
        p.lag = e.lag;
        p.lag_set = 1.0;
    }
}

void preset(ParamState& p, double value, std::optional<double> lag) noexcept {
    p.target = value;
    p.is_set = 1.0;
    p.lag = lag.value_or(0.0);
    p.lag_set = lag ? 1.0 : 0.0;
    p.trig_frame = 0.0;
    p.value = value;
    p.from_target = value;
    p.step = 0.0;
    p.started = 1.0;
}

const ParamMemory::Value* ParamMemory::find(std::string_view signal, std::string_view param) const {
    const auto s = values_.find(signal);
    if (s == values_.end()) return nullptr;
    const auto p = s->second.find(param);
    return p == s->second.end() ? nullptr : &p->second;
}

}  // namespace lel
