// lel — how leld's log lines are written: one event, one line, whatever it
// carries.
//
// Design: paths, addresses, signal names and OSC arguments come from outside
// and end up in log messages. A newline in one of them would start a line
// that looks like leld wrote it (a forged log entry, also in the journal),
// and an ESC could drive the reader's terminal. Rather than trusting every
// call site to escape what it logs, the formatter escapes the whole message
// of every record: control characters (C0, DEL and the C1 range encoded as
// UTF-8) become \n, \r, \t or \xNN / \u00NN. A message that is meant to
// span lines is logged one line at a time instead.
//
// Threads: control side only (spdlog is never called from real-time code;
// see rt_log.hpp).
#pragma once

#include <string>
#include <string_view>

namespace lel {

/// `text` with every control character written as an escape sequence;
/// printable text, including UTF-8, unchanged. Any thread; allocates.
std::string escape_control(std::string_view text);

/// Installs leld's log pattern on spdlog's default logger, with the
/// message escaped by escape_control(). Control thread, at start.
void install_log_format();

}  // namespace lel
