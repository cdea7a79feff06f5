// Parameters and notes: a bass played from outside. Its pitch, gate and
// filter are lel::param values that OSC sets while it plays:
//
//     lel set bass cutoff 2400 --lag 2      # a two-second sweep
//     lel set bass freq 82.41; lel trig bass gate
//
// or from SuperCollider, with scripts/supercollider/Lel.sc:
//
//     Pbind(\type, \lel, \signal, "bass", \degree, Pseq([0, 3, 5, 7], inf), \octave, 3, \dur, 0.25).play;
//
// Until something plays it, it plays itself: a note every half beat.
#include <lel/lel.hpp>

LEL_SESSION(session) {
    session.clear();
    session.add("bass", [](auto& s) {
        const double freq = lel::param(s, "freq", 55.0, {.lag = 0.0, .min = 20.0, .max = 2000.0});
        const double cutoff = lel::param(s, "cutoff", 900.0, {.lag = 0.05, .min = 40.0, .max = 12000.0});
        const double self = lel::param(s, "self", 1.0, {.lag = 0.0, .min = 0.0, .max = 1.0});  // 0: only OSC's notes
        const double gate = std::max(lel::param(s, "gate", 0.0), self * lel::every(s, 0.5));
        const double env = lel::perc(s, gate, 0.003, 0.3);  // a trigger starts a note
        return 0.4 * env * lel::lowpass(s, lel::saw(s, freq), cutoff * (0.5 + env), 3.0);
    });
}
