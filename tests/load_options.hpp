// LoadOptions as the engine tests need them: a crossfade, or a quantum.
#pragma once

#include "engine.hpp"

namespace lel::test {

inline LoadOptions crossfading() {
    LoadOptions o;
    o.crossfade = true;
    return o;
}

inline LoadOptions quantized(uint64_t frames) {
    LoadOptions o;
    o.quantum_frames = frames;
    return o;
}

}  // namespace lel::test
