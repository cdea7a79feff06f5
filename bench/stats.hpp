// lel bench — the order statistics every benchmark prints.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace lel::bench {

/// The median of `v` (the mean of the two middle values for an even count).
/// Precondition: v is not empty.
inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

/// The value at fraction `q` (0..1) of `v` sorted, nearest rank below: the
/// p95 of 100 values is the 96th smallest. Precondition: v is not empty.
inline double percentile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

}  // namespace lel::bench
