// lel — where helpers keep their state: implicit, persistent, by call order.
//
// Every helper (lel::lowpass, lel::delay, lel::adsr, ...) takes `s` first and
// gets its own block of persistent state without the user numbering
// anything: the n-th helper call in a sample of a signal owns the n-th block
// of that signal's helper area. The area follows the signal's raw `s.state`
// in the name's slice and never overlaps it; like raw state it belongs to
// the name and survives every reload.
//
// How the area is laid out (the state model, docs/SESSION_API.md):
//   - at load time, on the control thread, leld runs the new signal for one
//     sample against scratch memory with a Recorder attached (the "probe"):
//     each helper call records its kind, its size in doubles and its key;
//   - the recorded layout is compared with the layout the name had: blocks
//     that still match (same kind and size, by key if keyed, else by
//     position among the unkeyed ones) keep their state; the others start
//     from zero, and the changed signal crossfades from its old code;
//   - every block starts with a header double holding (kind, size), so at
//     run time each call checks, with one compare, that the block at the
//     cursor is its own. A helper called only on some samples breaks the
//     order: the call gets a scratch block instead of another helper's
//     state (or, when the block loop runs on its own copy of a small area,
//     detail/block.hpp, works on that copy, which is then dropped), and
//     the signal is muted and logged (call helpers on every sample, in the
//     same order; put conditions in their arguments).
//
// A helper writes only within the span take() returns (its size may be
// smaller than asked for a helper whose call failed the check), so no call
// order can make a helper write outside its own block.
//
// Threads: take() runs wherever the signal runs (the producer); the
// Recorder is used only by the probe, on the control thread, and never
// allocates while the signal runs in it.
#pragma once

#include <lel/context.hpp>
#include <lel/detail/rt.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <type_traits>

namespace lel {

/// A helper family's name for a kind of state block: FNV-1a of the name, so
/// that `kind_id("svf")` is the same in every module and every build.
constexpr uint32_t kind_id(std::string_view name) noexcept {
    uint32_t h = 2166136261u;
    for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    return h;
}

namespace detail {

/// A block's header: kind and size, as the bits of one double.
constexpr uint64_t block_header(uint32_t kind, uint32_t size) noexcept {
    return (uint64_t{kind} << 32) | size;
}

/// One block as the probe recorded it.
struct RecordedBlock {
    uint32_t kind = 0;
    uint32_t size = 0;   ///< doubles, without the header
    char key[48] = {};   ///< lel::key's name for it ("" if none), cut to 47 bytes
};

/// Records the helper calls of one probe sample. Control thread; all its
/// memory is allocated before the probe runs.
class Recorder {
public:
    static constexpr uint32_t max_blocks = 1024;
    static constexpr uint32_t scratch_doubles = 1u << 16;

    /// The scratch block a call gets while recording; its span is at most
    /// scratch_doubles long (a helper may ask for more: a long delay line).
    std::span<double> record(uint32_t kind, uint32_t size, const char* key) noexcept {
        if (count_ < max_blocks) {
            RecordedBlock& b = blocks_[count_];
            b.kind = kind;
            b.size = size;
            b.key[0] = '\0';
            if (key) {
                const std::size_t n = std::min<std::size_t>(std::strlen(key), sizeof b.key - 1);
                std::memcpy(b.key, key, n);
                b.key[n] = '\0';
            }
        } else {
            overflow_ = true;
        }
        ++count_;
        return std::span<double>(scratch_.data(), std::min(size, scratch_doubles));
    }

    std::span<const RecordedBlock> blocks() const noexcept {
        return std::span<const RecordedBlock>(blocks_.data(), std::min(count_, max_blocks));
    }

    static constexpr uint32_t max_listens = 64;
    static constexpr std::size_t max_name = 255;  // a signal name's longest
    using Name = std::array<char, max_name + 1>;

    /// A lel::listen call: the name it listens to (cut to max_name bytes).
    void record_listen(std::string_view name) noexcept {
        if (listen_count_ < max_listens) {
            Name& n = listens_[listen_count_];
            const std::size_t len = std::min(name.size(), max_name);
            std::memcpy(n.data(), name.data(), len);
            n[len] = '\0';
        } else {
            overflow_ = true;
        }
        ++listen_count_;
    }
    std::span<const Name> listens() const noexcept {
        return std::span<const Name>(listens_.data(), std::min(listen_count_, max_listens));
    }

    /// A lel::param declaration.
    struct Param {
        char name[48];  // a key's length: the block is keyed by it
        double value, min, max, lag;
    };
    static constexpr uint32_t max_params = 64;

    void record_param(const char* name, double value, double min, double max, double lag) noexcept {
        if (param_count_ < max_params) {
            Param& p = params_[param_count_];
            // A name too long for a key is recorded empty: the load then fails saying so.
            const std::size_t len = name ? std::strlen(name) : 0;
            const std::size_t n = len < sizeof p.name ? len : 0;
            if (n) std::memcpy(p.name, name, n);
            p.name[n] = '\0';
            p.value = value;
            p.min = min;
            p.max = max;
            p.lag = lag;
        } else {
            overflow_ = true;
        }
        ++param_count_;
    }
    std::span<const Param> params() const noexcept {
        return std::span<const Param>(params_.data(), std::min(param_count_, max_params));
    }
    /// More helper calls than max_blocks, listens than max_listens or params
    /// than max_params in one sample.
    bool overflowed() const noexcept { return overflow_; }

private:
    std::array<RecordedBlock, max_blocks> blocks_{};
    std::array<double, scratch_doubles> scratch_{};
    std::array<Name, max_listens> listens_{};
    std::array<Param, max_params> params_{};
    uint32_t count_ = 0;
    uint32_t listen_count_ = 0;
    uint32_t param_count_ = 0;
    bool overflow_ = false;
};

/// Doubles of the scratch block a call that failed the run-time check gets.
inline constexpr uint32_t mismatch_doubles = 4096;

/// The block a call that failed the check gets. Shared by every signal of a
/// module; only the producer writes it, and only for signals that are about
/// to be muted. (A namespace-scope array: a function-local static would
/// need a guard, which real-time code must not take.)
alignas(64) inline double mismatch_scratch[mismatch_doubles];

/// What take() does off its fast path: record (probe), or hand out the
/// scratch block and flag the mismatch (the signal is then muted).
inline std::span<double> take_slow(Context& s, uint32_t kind, uint32_t size) noexcept LEL_RT {
    if (s.helpers.recorder) {
        const char* key = s.helpers.key;
        s.helpers.key = nullptr;
        // Not real-time, and never reached in real time: the probe runs on
        // the control thread, and record() does not allocate.
        return s.helpers.recorder->record(kind, size, key);
    }
    s.helpers.mismatch = 1;
    return std::span<double>(mismatch_scratch, std::min(size, mismatch_doubles));
}

/// Doubles a helper area for `blocks` takes: each block and its header.
inline uint64_t area_doubles(std::span<const RecordedBlock> blocks) noexcept {
    uint64_t n = 0;
    for (const RecordedBlock& b : blocks) n += 1 + uint64_t{b.size};
    return n;
}

/// Writes the headers of `blocks` into `area` (area_doubles() long), in
/// order; the doubles of each block are left as they are. Control thread.
inline void write_headers(double* area, std::span<const RecordedBlock> blocks) noexcept {
    uint64_t at = 0;
    for (const RecordedBlock& b : blocks) {
        const uint64_t header = block_header(b.kind, b.size);
        std::memcpy(area + at, &header, sizeof header);
        at += 1 + uint64_t{b.size};
    }
}

}  // namespace detail

/// The calling helper's state block: `size` doubles that persist across
/// samples and reloads, zero the first time. Use only the returned span
/// (shorter than `size` only in a signal about to be muted). Any thread;
/// wait-free: a bound and a header compared on the fast path (the bound is
/// the compiler's when the block loop runs on its copy of the area).
inline std::span<double> take(Context& s, uint32_t kind, uint32_t size) noexcept LEL_RT {
    Context::HelperState& h = s.helpers;
    const uint32_t at = h.cursor;
    const uint32_t end = at + 1 + size;
    h.cursor = end;
    if (end <= h.size && end > at) [[likely]] {
        uint64_t header;
        std::memcpy(&header, h.area + at, sizeof header);
        if (h.copy) {
            // The block loop's copy of a small area (detail/block.hpp),
            // copied back only if every call matched: a call that found
            // another helper's block works on the copy all the same, and
            // the whole block's changes are dropped. (No second pointer
            // for the compiler to follow, and the bound is a constant.)
            h.mismatch |= header != detail::block_header(kind, size);
            h.key = nullptr;
            return std::span<double>(h.area + at + 1, size);
        }
        if (header == detail::block_header(kind, size)) [[likely]] {
            h.key = nullptr;
            return std::span<double>(h.area + at + 1, size);
        }
    }
    return detail::take_slow(s, kind, size);
}

/// The calling helper's state as a `T`: a trivially copyable struct of
/// doubles whose all-zero bytes are its initial state, with its kind as
/// `static constexpr uint32_t kind`.
template <class T>
T& take(Context& s) noexcept LEL_RT {
    static_assert(std::is_trivially_copyable_v<T> && alignof(T) <= alignof(double),
                  "helper state is a trivially copyable struct of doubles");
    constexpr uint32_t doubles = (sizeof(T) + sizeof(double) - 1) / sizeof(double);
    static_assert(doubles <= detail::mismatch_doubles, "helper state this large goes through take(s, kind, size)");
    return *reinterpret_cast<T*>(take(s, T::kind, doubles).data());
}

/// Names the next helper block `name`: its state then follows the name, not
/// its place, when code around it is added, removed or reordered.
///
///     const double f = lel::lowpass(lel::key(s, "lp"), x, 800.0, 0.7);
inline Context& key(Context& s, const char* name) noexcept LEL_RT {
    s.helpers.key = name;
    return s;
}

}  // namespace lel
