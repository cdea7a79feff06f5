// lel — named parameters, engine side (the signal side is
// include/lel/dsp/params.hpp): what /lel/set and /lel/trig become on their
// way to a signal's parameter block.
//
// Design (scsynth's /n_set, done without touching state from the control
// thread): the control thread checks a set against what the load-time
// probe reported (ParamDecl: the signal has the parameter; the value is a
// number; clamped into range), remembers it (ParamMemory: so a fresh state
// of the same name, after a crossfade load, starts with it), and pushes a
// ParamEvent into a wait-free queue. The producer, between blocks, looks
// the block up in the program's ParamTable (built on the control thread:
// name index and key -> the block's doubles) and writes the value there.
//
// Threads: ParamMemory and building a ParamTable are control-thread;
// ParamTable::find() and apply() are producer-thread, wait-free.
#pragma once

#include <lel/detail/rt.hpp>
#include <lel/dsp/params.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace lel {

/// A parameter as the probe reported it.
struct ParamDecl {
    std::string name;
    double value = 0.0;
    double min = 0.0;
    double max = 0.0;
    double lag = 0.0;
};

/// The 64-bit key the producer finds a parameter by (FNV-1a of its name).
constexpr uint64_t param_key(std::string_view name) noexcept {
    uint64_t h = 14695981039346656037ull;
    for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return h;
}

/// One set or trigger on its way to the producer.
struct ParamEvent {
    /// A name_index that means every signal with the parameter (MIDI's).
    static constexpr uint32_t every_signal = UINT32_MAX;

    uint64_t frame = 0;        ///< the frame it takes effect at (a timed bundle's); 0: the next block
    uint64_t key = 0;          ///< param_key of the parameter's name
    uint32_t name_index = 0;   ///< the signal's (StateArena::Lease::index), or every_signal
    uint8_t trig = 0;          ///< 1: the value for one sample only
    uint8_t has_lag = 0;       ///< 1: `lag` replaces the code's lag
    double value = 0.0;        ///< already clamped
    double lag = 0.0;
};
static_assert(std::is_trivially_copyable_v<ParamEvent>);

/// Where a program's parameter blocks are. Built with the program;
/// immutable after.
class ParamTable {
public:
    struct Slot {
        uint32_t name_index;
        uint64_t key;
        ParamState* block;
    };

    /// Control thread.
    void add(uint32_t name_index, uint64_t key, ParamState* block) { slots_.push_back({name_index, key, block}); }
    /// Control thread: sorts; call once all are added.
    void seal();

    /// Producer thread; wait-free (binary search). Null when the program
    /// has no such parameter.
    ParamState* find(uint32_t name_index, uint64_t key) const noexcept LEL_RT;
    /// Producer thread; wait-free (binary search). Every signal's block of
    /// the parameter `key` (empty when none has it).
    std::span<const Slot> with_key(uint64_t key) const noexcept LEL_RT;

private:
    std::vector<Slot> slots_;   // by name index, then key
    std::vector<Slot> by_key_;  // the same, by key
};

/// Writes `e` into `p`: a set value (and its lag), or a trigger at `frame`.
/// Producer thread; wait-free.
void apply(ParamState& p, const ParamEvent& e, uint64_t frame) noexcept LEL_RT;

/// Writes a remembered value into a block no program runs yet (a fresh
/// lease): the parameter starts there, without a ramp. Control thread.
void preset(ParamState& p, double value, std::optional<double> lag) noexcept;

/// What /lel/set gave each parameter, by signal name: what /lel/get
/// answers and what a fresh state of the name starts with. Control thread.
class ParamMemory {
public:
    struct Value {
        double value = 0.0;
        std::optional<double> lag;
    };
    void remember(const std::string& signal, const std::string& param, Value v) { values_[signal][param] = v; }
    const Value* find(std::string_view signal, std::string_view param) const;
    void clear() noexcept { values_.clear(); }
    /// Every remembered value: signal -> parameter -> value.
    const auto& values() const noexcept { return values_; }

private:
    std::map<std::string, std::map<std::string, Value, std::less<>>, std::less<>> values_;
};

}  // namespace lel
