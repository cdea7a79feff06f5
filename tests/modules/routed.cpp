// Test module: routing. "src" is a send (out of the main mix) playing a
// 0.4-amplitude 440 Hz sine; "echo" listens to it and plays what it hears,
// half on the left and whole on the right; "thru" plays the audio input
// (lel:in_1, lel:in_2) as it comes. With -DSOURCE_ONLY, only "src".
#include <lel/lel.hpp>

LEL_SESSION(session) {
#ifndef SOURCE_ONLY
    session.add("echo", [](auto& s) {
        const lel::Frame dry = lel::listen(s, "src");
        return lel::Frame{0.5 * dry.left, dry.right};
    });
    session.add("thru", [](auto& s) { return lel::input(s); });
#endif
    session.add("src", [](auto& s) { return 0.4 * lel::sine(s, 440.0); }, {.main = false});
}
