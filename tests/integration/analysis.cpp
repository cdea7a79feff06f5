#include "analysis.hpp"

#include <algorithm>
#include <cmath>
#include <complex>

namespace lel::test {

std::vector<double> upward_crossings(std::span<const float> x) {
    std::vector<double> at;
    for (std::size_t n = 1; n < x.size(); ++n) {
        const double a = x[n - 1];
        const double b = x[n];
        if (a < 0.0 && b >= 0.0) at.push_back(static_cast<double>(n - 1) + a / (a - b));
    }
    return at;
}

double zero_crossing_frequency(std::span<const float> x, double sample_rate) {
    const std::vector<double> at = upward_crossings(x);
    if (at.size() < 2) return 0.0;
    return static_cast<double>(at.size() - 1) * sample_rate / (at.back() - at.front());
}

double tone_amplitude(std::span<const float> x, double sample_rate, double hz) {
    if (x.empty()) return 0.0;
    const double n_total = static_cast<double>(x.size());
    const std::complex<double> step = std::polar(1.0, -2.0 * M_PI * hz / sample_rate);
    std::complex<double> rot = 1.0;
    std::complex<double> sum = 0.0;
    double weight = 0.0;
    for (std::size_t n = 0; n < x.size(); ++n) {
        const double w = 0.5 - 0.5 * std::cos(2.0 * M_PI * static_cast<double>(n) / n_total);
        sum += w * static_cast<double>(x[n]) * rot;
        weight += w;
        rot *= step;
        if ((n & 1023) == 1023) rot /= std::abs(rot);  // keep the phasor on the unit circle
    }
    return 2.0 * std::abs(sum) / weight;
}

double dft_peak_frequency(std::span<const float> x, double sample_rate, double lo, double hi) {
    // Coarse scan at a quarter of the window's resolution, then refine.
    const double resolution = sample_rate / static_cast<double>(std::max<std::size_t>(x.size(), 1));
    double best = lo;
    double best_amp = -1.0;
    for (double step = resolution / 4.0; step >= 0.005; step /= 10.0) {
        const double from = best_amp < 0.0 ? lo : std::max(lo, best - 10.0 * step);
        const double to = best_amp < 0.0 ? hi : std::min(hi, best + 10.0 * step);
        for (double f = from; f <= to; f += step) {
            const double a = tone_amplitude(x, sample_rate, f);
            if (a > best_amp) {
                best_amp = a;
                best = f;
            }
        }
    }
    return best;
}

double rms(std::span<const float> x) {
    if (x.empty()) return 0.0;
    double sum = 0.0;
    for (const float v : x) sum += static_cast<double>(v) * v;
    return std::sqrt(sum / static_cast<double>(x.size()));
}

double peak(std::span<const float> x) {
    double p = 0.0;
    for (const float v : x) p = std::max(p, std::fabs(static_cast<double>(v)));
    return p;
}

std::size_t max_jump_index(std::span<const float> x) {
    std::size_t at = 0;
    double biggest = -1.0;
    for (std::size_t n = 1; n < x.size(); ++n) {
        const double d = std::fabs(static_cast<double>(x[n]) - x[n - 1]);
        if (d > biggest) {
            biggest = d;
            at = n;
        }
    }
    return at;
}

double max_jump(std::span<const float> x) {
    if (x.size() < 2) return 0.0;
    const std::size_t n = max_jump_index(x);
    return std::fabs(static_cast<double>(x[n]) - x[n - 1]);
}

std::size_t longest_zero_run(std::span<const float> x) {
    std::size_t longest = 0;
    std::size_t run = 0;
    for (const float v : x) {
        run = v == 0.0f ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return longest;
}

std::optional<std::size_t> first_nonzero(std::span<const float> x) {
    for (std::size_t n = 0; n < x.size(); ++n) {
        if (x[n] != 0.0f) return n;
    }
    return std::nullopt;
}

std::optional<std::size_t> last_nonzero(std::span<const float> x) {
    for (std::size_t n = x.size(); n-- > 0;) {
        if (x[n] != 0.0f) return n;
    }
    return std::nullopt;
}

std::optional<std::size_t> sine_break(std::span<const float> x, double sample_rate, double hz, double tolerance) {
    const double c = 2.0 * std::cos(2.0 * M_PI * hz / sample_rate);
    for (std::size_t n = 1; n + 1 < x.size(); ++n) {
        const double residual = static_cast<double>(x[n + 1]) - c * x[n] + static_cast<double>(x[n - 1]);
        if (std::fabs(residual) > tolerance) return n;
    }
    return std::nullopt;
}

}  // namespace lel::test
