// A whole piece in one file: kick, hat, snare and a clap sample, a bass
// line, a pad, a ping-pong delay and a room the pad and the drums share
// (lel::listen), at 120 bpm (`lel tempo` changes it: every pattern follows
// s.beat). Edit anything and load again: every helper keeps its state, so
// nothing restarts or clicks.
#include <lel/lel.hpp>

LEL_SESSION(session) {
    session.clear();
    const lel::Sample clap = session.sample("samples/clap.wav");  // beside this file

    session.add("drums", [clap](auto& s) {
        // Kick: a sine with a falling pitch, four on the floor.
        const double kick_trig = lel::every(s, 1.0);
        const double pitch = 45.0 + 120.0 * lel::perc(s, kick_trig, 0.0, 0.04);
        const double kick = 0.8 * lel::perc(s, kick_trig, 0.001, 0.3) * lel::sine(s, pitch);
        // Hat: high-passed noise on a Euclidean 7 of 16 in sixteenths.
        const double hat_env = lel::perc(s, lel::euclid(s, 7, 16, 0.25), 0.001, 0.04);
        const double hat = 0.25 * hat_env * lel::highpass(s, lel::noise(s), 8000.0);
        // Snare: a tone and band-passed noise on beats 2 and 4.
        const double snare_trig = kick_trig * (std::fmod(s.beat, 2.0) >= 1.0 ? 1.0 : 0.0);
        const double body = lel::perc(s, snare_trig, 0.001, 0.15);
        const double snare = 0.3 * body * (lel::bandpass(s, lel::noise(s), 1800.0, 0.8) + 0.5 * lel::tri(s, 180.0));
        // The clap sample on the last sixteenth of every other bar.
        const double clap_trig = lel::every(s, 0.25) * (std::fmod(s.beat, 8.0) >= 7.75 ? 1.0 : 0.0);
        const lel::Frame claps = lel::play(s, clap, clap_trig);
        return lel::Frame{kick + snare, kick + snare} + lel::pan(hat, 0.4) + claps * 0.6;
    });

    session.add("bass", [](auto& s) {
        const double note = lel::seq(s, {33, 33, 45, 33, 36, 33, 43, 31}, 0.5);
        const double gate = std::fmod(s.beat, 0.5) < 0.3 ? 1.0 : 0.0;
        const double env = lel::adsr(s, gate, 0.003, 0.15, 0.4, 0.08);
        const double cutoff = 200.0 + 1800.0 * env * (0.6 + 0.4 * lel::sine(s, 0.05));
        return 0.35 * env * lel::ladder(s, lel::saw(s, lel::mtof(note)), cutoff, 0.6);
    });

    session.add("pad", [](auto& s) {
        const double root = lel::mtof(lel::seq(s, {57, 53, 55, 52}, 8.0));  // a chord every two bars
        double chord = 0.0;
        for (const double ratio : {1.0, 1.2599, 1.4983, 2.0}) {
            chord += lel::saw(s, root * ratio * 0.997) + lel::saw(s, root * ratio * 1.003);
        }
        const double swell = lel::lag(s, 0.5 + 0.5 * lel::sine(s, 1.0 / 16.0), 0.5);
        const double pad = 0.03 * swell * lel::lowpass(s, chord, 900.0, 0.9);
        // Ping-pong: the left echo feeds the right, the right feeds back left.
        const double fb = s.state[0];
        const double left = lel::delay(s, pad + 0.45 * fb, 0.375);
        const double right = lel::delay(s, left, 0.375);
        s.state[0] = right;
        return lel::Frame{pad + 0.5 * left, pad + 0.5 * right};
    });

    // One reverb for the pad and a touch of the drums: it hears them on the same frame.
    session.add("room", [](auto& s) {
        const lel::Frame in = lel::listen(s, "pad") + lel::listen(s, "drums") * 0.15;
        return lel::reverb(s, in, 0.85, 0.4, 1.0) * 0.35;
    });
}
