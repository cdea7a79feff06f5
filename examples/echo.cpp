// Echo: a blip on every beat into a feedback comb; the delay line lives in
// the comb's state, so the echoes already in it keep ringing through a
// reload (change `feedback` or the notes and `lel load` again).
#include <lel/lel.hpp>

LEL_SESSION(session) {
    session.clear();

    const double feedback = 0.55;  // < 1, or the echoes never die down

    session.add("echo", [=](auto& s) {
        const double note = lel::mtof(lel::seq(s, {69, 76, 73, 64}, 1.0));  // A, E, C#, E: a step a beat
        const double blip = lel::perc(s, lel::every(s, 1.0), 0.002, 0.08) * lel::sine(s, note);
        const double wet = lel::comb(s, 0.3 * blip, 0.375, feedback);  // a dotted eighth at 120 bpm
        return blip + 0.6 * lel::onepole(s, wet - blip * 0.3, 2500.0);  // darker repeats
    });
}
