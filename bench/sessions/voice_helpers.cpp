// bench session: N voices written with the DSP library's helpers, the way
// a session author writes them (the voice: bench_voice.hpp).
//
// $LEL_BENCH_VOICE picks a stage for finding where the cost is: "saw" (the
// oscillator alone), "saw-lowpass" (no envelope); anything else, the whole
// voice.
#include "bench_voice.hpp"

#include <lel/dsp/envelopes.hpp>
#include <lel/dsp/filters.hpp>
#include <lel/dsp/oscillators.hpp>

#include <cstdlib>
#include <string_view>

LEL_SESSION(session) {
    namespace v = bench::voice;
    const char* env = std::getenv("LEL_BENCH_VOICE");
    const std::string_view stage = env ? env : "";
    if (stage == "saw") {
        v::add_voices(session, [](double freq, uint64_t) {
            return [freq](auto& s) { return 0.01 * lel::saw(s, freq); };
        });
    } else if (stage == "saw-lowpass") {
        v::add_voices(session, [](double freq, uint64_t) {
            return [freq](auto& s) { return 0.01 * lel::lowpass(s, lel::saw(s, freq), v::cutoff, v::q); };
        });
    } else {
        v::add_voices(session, [](double freq, uint64_t offset) {
            return [freq, offset](auto& s) {
                const double env = lel::adsr(s, v::gate(s.frame, offset), v::attack, v::decay, v::sustain, v::release);
                return 0.01 * env * lel::lowpass(s, lel::saw(s, freq), v::cutoff, v::q);
            };
        });
    }
}
