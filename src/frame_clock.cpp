#include "frame_clock.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <vector>

namespace lel {
namespace {

constexpr int64_t min_spacing_ns = 50'000'000;   // 50 ms
constexpr int64_t window_ns = 4'000'000'000;     // readings kept
constexpr int64_t slope_base_ns = 1'000'000'000;  // pairs at least this far apart give a slope

double median(std::vector<double>& v) {
    const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    return *mid;
}

}  // namespace

int64_t unix_ns_of_timetag(uint64_t timetag) noexcept {
    constexpr int64_t ntp_to_unix = 2208988800;  // seconds from 1900 to 1970
    return (static_cast<int64_t>(timetag >> 32) - ntp_to_unix) * 1'000'000'000 +
           static_cast<int64_t>(((timetag & 0xffffffffu) * 1'000'000'000) >> 32);
}

int64_t wall_ns_now() noexcept {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

void FrameClock::observe(int64_t ns, double frame) {
    if (!readings_.empty() && ns - readings_.back().ns < min_spacing_ns) return;
    // A reading far off the line (an underrun moved the frames, the wall
    // clock was set) starts the line afresh.
    if (const auto predicted = frame_at(ns); predicted && std::abs(*predicted - frame) > rate_ * 0.01) readings_.clear();
    readings_.push_back({ns, frame});
    while (!readings_.empty() && ns - readings_.front().ns > window_ns) readings_.pop_front();
    fitted_ = false;
}

void FrameClock::fit() const {
    std::vector<double> slopes;
    for (std::size_t i = 0; i < readings_.size(); ++i) {
        for (std::size_t j = i + 1; j < readings_.size(); ++j) {
            const int64_t dt = readings_[j].ns - readings_[i].ns;
            if (dt >= slope_base_ns) slopes.push_back((readings_[j].frame - readings_[i].frame) / static_cast<double>(dt));
        }
    }
    slope_ = slopes.size() >= 3 ? median(slopes) : rate_ * 1e-9;
    // No sound card drifts 0.2% from the system clock: a slope beyond that
    // comes from readings across a jump; the nominal rate is better then.
    if (std::abs(slope_ / (rate_ * 1e-9) - 1.0) > 0.002) slope_ = rate_ * 1e-9;
    std::vector<double> says;
    const int64_t last = readings_.back().ns;
    for (const Reading& r : readings_) says.push_back(r.frame + slope_ * static_cast<double>(last - r.ns));
    offset_ = median(says);
    fitted_ = true;
}

std::optional<double> FrameClock::frame_at(int64_t ns) const {
    if (readings_.empty()) return std::nullopt;
    if (!fitted_) fit();
    return offset_ + slope_ * static_cast<double>(ns - readings_.back().ns);
}

}  // namespace lel
