// Test module: a voice of the standard library, saw -> low-pass -> ADSR ->
// feedback delay, built in variants (tests/modules/meson.build) that a
// reload test swaps between:
//   (default)          the voice, cutoff CUTOFF Hz;
//   -DSWAP_ORDER       the envelope is taken before the filter (two helpers
//                      in the other order);
//   -DDELAY_FOR_FILTER the low-pass replaced by a short delay (a helper of
//                      another kind in its place).
// The saw is at 112 Hz, 28 whole cycles per note and per echo, so every
// note starts on the same phase and the music is the same from one note to
// the next (at 110 Hz notes alternate between two phases whose onsets differ
// by 20% in their largest sample step, which a pop ratio would read as a
// click). Notes (eighths at 120 bpm) play for the first three seconds after the signal's
// first load only (raw state[0] counts its samples, and carries over), so
// what is heard after that is the delay's echoes: a reload that kept the
// delay line keeps them ringing.
#include <lel/lel.hpp>

#ifndef CUTOFF
#define CUTOFF 800.0
#endif

LEL_SESSION(session) {
    session.add("voice", [](auto& s) {
        const double age = s.state[0]++ * s.dt;
        const double gate = age < 3.0 && std::fmod(s.beat, 0.5) < 0.25 ? 1.0 : 0.0;
        const double osc = lel::saw(s, 112.0);
#if defined(SWAP_ORDER)
        const double env = lel::adsr(s, gate, 0.005, 0.1, 0.5, 0.05);
        const double dry = lel::lowpass(s, osc, CUTOFF, 1.5) * env;
#elif defined(DELAY_FOR_FILTER)
        const double dry = lel::delay(s, osc, 0.001, 0.01) * lel::adsr(s, gate, 0.005, 0.1, 0.5, 0.05);
#else
        const double dry = lel::lowpass(s, osc, CUTOFF, 1.5) * lel::adsr(s, gate, 0.005, 0.1, 0.5, 0.05);
#endif
        const double wet = lel::comb(s, dry, 0.25, 0.7);
        return 0.2 * wet;
    });
}
