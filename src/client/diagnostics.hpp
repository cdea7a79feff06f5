// lel — a compiler's diagnostics, read back and cut down to what a session's
// author needs: their own file and line first.
//
// Why: an error in a signal's lambda is an error in a template lel's headers
// instantiate, so g++ and clang print it with pages of "In instantiation
// of", "required from", "in instantiation of ... requested here" and the
// static_asserts it then fails inside lel (two typos: 30 lines, a string
// passed to lel::lowpass: 39 lines with g++ 12, 99 with clang 22).
//
// Design: the compiler's plain text (not GCC's JSON or clang's SARIF: no
// format both g++ 12 and clang 22 write) is parsed line by line. A line
// `file:line[:col]: error|fatal error|warning|note: message` is a diagnostic;
// GCC's `file:line:col:   required from ...` lines before an error and the
// notes after it (clang's "in instantiation of ... requested here") are its
// context. Anything else (source lines, carets, "In file included from",
// "N errors generated") is left out. Then each error is placed:
//  - direct: its own location is in a file of the user's;
//  - reached: else the innermost location of its context in a user's file
//    (the line of the user's that led into lel's headers);
//  - elsewhere: neither.
// Shown: the direct errors; when there are none, the reached ones, one per
// user's line; the others are counted, not shown (an error inside a signal
// also fails lel's static_asserts on that signal: those follow from it).
// When no error touches the user's files (a broken lel header, a linker or
// driver error), nothing is cut: the whole output is shown.
//
// Threads: any; summarize() reads the source files it quotes.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace lel::client {

struct SourceLocation {
    std::string file;       ///< as the compiler wrote it (relative to its working directory, or absolute)
    unsigned line = 0;      ///< 1-based; 0: none (a driver's or linker's message)
    unsigned column = 0;    ///< 1-based; 0: none
};

struct Diagnostic {
    enum class Severity { note, warning, error };  ///< a fatal error is an error
    Severity severity = Severity::error;
    SourceLocation where;
    std::string message;
    /// GCC's "required from" lines before it, then the notes after it, in
    /// the compiler's order (innermost first).
    std::vector<SourceLocation> context;
};

/// The warnings and errors in `output`, each with its context (notes are
/// folded into the diagnostic they follow).
std::vector<Diagnostic> parse_diagnostics(std::string_view output);

/// What to print of a compile's diagnostics.
struct DiagnosticSummary {
    std::string text;            ///< the lines to print; all of the output when nothing was cut
    bool cut = false;            ///< false: `text` is the compiler's whole output
    std::size_t total = 0;       ///< diagnostics of the severity placed in the user's files
    std::size_t shown = 0;       ///< how many of those `text` holds
    std::size_t follow_on = 0;   ///< not placed in the user's files, or repeats of a line shown
};

/// Cuts `output` down to its diagnostics of `severity` placed in the user's
/// files (see the file comment), at most `max_shown`, each as
///     file:line:col: error: message
///     <line> | <the source line>
///            | ^
/// An error reached through lel's headers ends with "(in <header>:<line>)".
/// `is_users_file` takes a path as the compiler wrote it.
DiagnosticSummary summarize(std::string_view output, Diagnostic::Severity severity,
                            const std::function<bool(std::string_view)>& is_users_file, std::size_t max_shown);

}  // namespace lel::client
