// lel — helper layouts: what a signal's helper area holds, and carrying its
// state over when a reload changes the helper calls.
//
// A name's lease holds [raw s.state][helper area]; the helper area is a run
// of blocks, each a header double (kind, size) and its doubles, in the order
// the signal's helpers call lel::take (include/lel/dsp/state.hpp). The
// probe at load time records that order. When it differs from the order
// the name's state was laid out for, the new code gets a fresh lease into
// which carry_over() copies the raw state and every block that still
// matches: same kind and size, found by key when the block has one, else by
// its place among the unkeyed blocks. Everything else starts from zero, and
// the signal crossfades from its old code (ProgramBuilder decides that).
//
// Threads: control thread only.
#pragma once

#include <lel/dsp/state.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace lel {

struct HelperLayout {
    bool laid_out = false;  ///< false: the lease has never been laid out (fresh)
    uint32_t raw = 0;       ///< doubles of raw state before the helper area
    std::vector<detail::RecordedBlock> blocks;

    /// Doubles of the helper area, headers included.
    uint64_t area() const noexcept { return detail::area_doubles(blocks); }
    bool operator==(const HelperLayout& other) const noexcept;
};

/// What carry_over() kept.
struct Carry {
    uint32_t kept = 0;     ///< blocks whose state carried over
    uint32_t fresh = 0;    ///< new blocks that start from zero
    uint32_t dropped = 0;  ///< old blocks no new block took over
    /// The helper calls changed: some state could not follow.
    bool changed() const noexcept { return fresh != 0 || dropped != 0; }
    std::string describe() const;
};

/// Where each block's doubles start (after its header) in a lease laid out
/// as `layout`, counted from the lease's first double.
std::vector<uint64_t> block_offsets(const HelperLayout& layout);

/// Writes `next`'s block headers into the helper area that starts at
/// `lease + next.raw`; the doubles in between are left as they are.
void lay_out(const HelperLayout& next, double* lease) noexcept;

/// Copies the raw state of `from` (laid out as `prev`) into `to` (laid out
/// as `next`, zeroed), then every helper block of `from` that a block of
/// `next` matches, and writes `next`'s headers.
Carry carry_over(const HelperLayout& prev, const double* from, const HelperLayout& next, double* to) noexcept;

}  // namespace lel
