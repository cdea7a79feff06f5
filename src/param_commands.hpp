// lel — the OSC commands of named parameters: /lel/set, /lel/trig,
// /lel/get, /lel/params (docs/OSC.md). Each answers at once: a set is
// checked here and takes effect at the producer's next block.
//
// Threads: control thread only.
#pragma once

#include "commands.hpp"

namespace lel {

/// Routes the parameter commands of `server` to `context`.
void install_param_commands(OscServer& server, CommandContext& context);

}  // namespace lel
