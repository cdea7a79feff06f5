// lel integration tests — running a real-time test again when the machine,
// not lel, spoiled it.
#pragma once

#include <functional>
#include <string>

namespace lel::test {

/// Runs `attempt` (with its number, from 1) up to `attempts` times. gtest
/// failures inside an attempt are held back; `failed()` tells the attempt
/// whether it has failed so far (to print diagnostics before it cleans up),
/// and it returns what glitched in real time ("": JACK xruns or leld
/// underruns, nothing). An exception escaping it is a failure.
/// A failed attempt that glitched is discarded and run again; the failures
/// of one that did not glitch, or of the last, are reported, with a note if
/// every attempt glitched. A passing attempt ends it.
void retry_on_glitches(int attempts,
                       const std::function<std::string(int attempt, const std::function<bool()>& failed)>& attempt);

}  // namespace lel::test
