// The pop ratio: the largest sample-to-sample jump in a window around a
// swap, divided by the largest jump in steady play of the same signals
// (before and after the swap, away from it). 1.0 means the swap is as smooth
// as the music; a click shows as a ratio well above 1.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lel::test {

/// Largest |x[i] - x[i-1]| over [from, to), both channels.
template <class Frames>
double max_jump(const Frames& v, std::size_t from, std::size_t to) {
    double m = 0.0;
    to = std::min(to, v.size());
    for (std::size_t i = std::max<std::size_t>(from, 1); i < to; ++i) {
        m = std::max(m, std::fabs(double(v[i].left) - double(v[i - 1].left)));
        m = std::max(m, std::fabs(double(v[i].right) - double(v[i - 1].right)));
    }
    return m;
}

struct PopRatio {
    double around_swap = 0.0;
    double steady = 0.0;
    double ratio() const { return steady > 0.0 ? around_swap / steady : (around_swap > 0.0 ? INFINITY : 0.0); }
};

/// `swap`: the frame the change took effect; `settle`: frames after it
/// until the change is complete (the fade time); `margin`: frames of
/// window either side; `steady`: length of each steady reference stretch;
/// `lead`: frames of the window before the swap (default `margin`). Where
/// the swap frame is known to the frame, a short lead keeps the old
/// program's own loudest moment, which the swap did not touch, out of the
/// window: for music that changes from one bar to the next (a delay's
/// echoes building up), it can exceed the stretch before it.
template <class Frames>
PopRatio pop_ratio(const Frames& v, std::size_t swap, std::size_t settle, std::size_t margin = 256,
                   std::size_t steady = 4800, std::size_t lead = SIZE_MAX) {
    PopRatio r;
    if (lead == SIZE_MAX) lead = margin;
    r.around_swap = max_jump(v, swap > lead ? swap - lead : 0, swap + settle + margin);
    const std::size_t before_end = swap > 2 * margin ? swap - 2 * margin : 0;
    const std::size_t before_begin = before_end > steady ? before_end - steady : 0;
    const std::size_t after_begin = swap + settle + 2 * margin;
    r.steady = std::max(max_jump(v, before_begin, before_end), max_jump(v, after_begin, after_begin + steady));
    return r;
}

}  // namespace lel::test
