#include "helper_layout.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <string_view>

namespace lel {

std::vector<uint64_t> block_offsets(const HelperLayout& layout) {
    std::vector<uint64_t> at;
    at.reserve(layout.blocks.size());
    uint64_t next = layout.raw;
    for (const detail::RecordedBlock& b : layout.blocks) {
        at.push_back(next + 1);  // after its header
        next += 1 + uint64_t{b.size};
    }
    return at;
}

namespace {

bool same_block(const detail::RecordedBlock& a, const detail::RecordedBlock& b) noexcept {
    return a.kind == b.kind && a.size == b.size && std::strcmp(a.key, b.key) == 0;
}

bool keyed(const detail::RecordedBlock& b) noexcept { return b.key[0] != '\0'; }


// For each block of `next`, the block of `prev` whose state it takes over,
// or -1.
std::vector<long> matches(const HelperLayout& prev, const HelperLayout& next) {
    std::vector<long> match(next.blocks.size(), -1);
    std::vector<long> unkeyed_prev;
    for (std::size_t i = 0; i < prev.blocks.size(); ++i) {
        if (!keyed(prev.blocks[i])) unkeyed_prev.push_back(static_cast<long>(i));
    }
    std::size_t unkeyed_seen = 0;
    for (std::size_t j = 0; j < next.blocks.size(); ++j) {
        const detail::RecordedBlock& b = next.blocks[j];
        long candidate = -1;
        if (keyed(b)) {
            for (std::size_t i = 0; i < prev.blocks.size() && candidate < 0; ++i) {
                if (std::strcmp(prev.blocks[i].key, b.key) == 0) candidate = static_cast<long>(i);
            }
        } else if (unkeyed_seen < unkeyed_prev.size()) {
            candidate = unkeyed_prev[unkeyed_seen];
        }
        if (!keyed(b)) ++unkeyed_seen;
        if (candidate >= 0 && same_block(prev.blocks[static_cast<std::size_t>(candidate)], b)) match[j] = candidate;
    }
    return match;
}

}  // namespace

bool HelperLayout::operator==(const HelperLayout& other) const noexcept {
    return laid_out == other.laid_out && raw == other.raw &&
           std::equal(blocks.begin(), blocks.end(), other.blocks.begin(), other.blocks.end(), same_block);
}

std::string Carry::describe() const {
    return fmt::format("{} helper block{} kept, {} new, {} gone", kept, kept == 1 ? "" : "s", fresh, dropped);
}

void lay_out(const HelperLayout& next, double* lease) noexcept {
    detail::write_headers(lease + next.raw, next.blocks);
}

Carry carry_over(const HelperLayout& prev, const double* from, const HelperLayout& next, double* to) noexcept {
    std::copy_n(from, std::min(prev.raw, next.raw), to);
    const std::vector<long> match = matches(prev, next);
    const std::vector<uint64_t> from_at = block_offsets(prev);
    const std::vector<uint64_t> to_at = block_offsets(next);
    Carry carry;
    for (std::size_t j = 0; j < next.blocks.size(); ++j) {
        if (match[j] < 0) {
            ++carry.fresh;
            continue;
        }
        ++carry.kept;
        std::copy_n(from + from_at[static_cast<std::size_t>(match[j])], next.blocks[j].size, to + to_at[j]);
    }
    carry.dropped = static_cast<uint32_t>(prev.blocks.size()) - carry.kept;
    lay_out(next, to);
    return carry;
}

}  // namespace lel
