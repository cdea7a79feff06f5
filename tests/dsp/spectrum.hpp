// lel DSP tests — spectra for measuring what a musician hears: the exact
// DFT of a signal at one frequency, and a Welch power spectrum (Hann
// windows, half overlap) from a radix-2 FFT. Header-only, plain C++.
#pragma once

#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lel::test {

inline constexpr double two_pi = 6.283185307179586476925;

/// The amplitude of the sinusoid at `hz` in `x` (sampled at `sr`), for a
/// signal whose components all complete whole cycles in x.size() samples
/// (an integer hz over a whole second, say): no window, no leakage.
inline double amplitude_at(const std::vector<double>& x, double hz, double sr) {
    std::complex<double> sum = 0.0;
    const double w = two_pi * hz / sr;
    for (std::size_t n = 0; n < x.size(); ++n) sum += x[n] * std::polar(1.0, -w * static_cast<double>(n));
    return 2.0 * std::abs(sum) / static_cast<double>(x.size());
}

/// In-place radix-2 FFT; a.size() a power of two.
inline void fft(std::vector<std::complex<double>>& a) {
    const std::size_t n = a.size();
    for (std::size_t i = 1, j = 0; i < n; ++i) {
        std::size_t bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) std::swap(a[i], a[j]);
    }
    for (std::size_t len = 2; len <= n; len <<= 1) {
        const std::complex<double> step = std::polar(1.0, -two_pi / static_cast<double>(len));
        for (std::size_t i = 0; i < n; i += len) {
            std::complex<double> w = 1.0;
            for (std::size_t k = 0; k < len / 2; ++k) {
                const std::complex<double> u = a[i + k], v = a[i + k + len / 2] * w;
                a[i + k] = u + v;
                a[i + k + len / 2] = u - v;
                w *= step;
            }
        }
    }
}

/// Power per FFT bin (bin k is k * sr / size Hz), averaged over Hann
/// windows of `size` samples overlapping by half.
inline std::vector<double> welch(const std::vector<double>& x, std::size_t size) {
    std::vector<double> power(size / 2 + 1, 0.0), window(size);
    for (std::size_t i = 0; i < size; ++i) window[i] = 0.5 - 0.5 * std::cos(two_pi * static_cast<double>(i) / size);
    std::vector<std::complex<double>> a(size);
    int frames = 0;
    for (std::size_t at = 0; at + size <= x.size(); at += size / 2, ++frames) {
        for (std::size_t i = 0; i < size; ++i) a[i] = x[at + i] * window[i];
        fft(a);
        for (std::size_t k = 0; k < power.size(); ++k) power[k] += std::norm(a[k]);
    }
    for (double& p : power) p /= frames;
    return power;
}

/// The mean power of the bins of `power` (from welch, `size` long windows
/// at `sr`) between lo and hi Hz, in dB.
inline double band_db(const std::vector<double>& power, std::size_t size, double sr, double lo, double hi) {
    double sum = 0.0;
    int n = 0;
    for (std::size_t k = 1; k < power.size(); ++k) {
        const double f = static_cast<double>(k) * sr / static_cast<double>(size);
        if (f >= lo && f < hi) {
            sum += power[k];
            ++n;
        }
    }
    return 10.0 * std::log10(sum / n);
}

}  // namespace lel::test
