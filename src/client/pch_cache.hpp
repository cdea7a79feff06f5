// lel — the precompiled header of lel's headers, kept in a cache.
//
// Why: almost all of a session's compile time is the compiler parsing
// <lel/lel.hpp> and the standard headers, so lel compiles, once, a header
// holding them (lel-pch.hpp) with exactly the modules' flags, and compiles
// every session with it: `-include <dir>/lel-pch.hpp` for GCC, which finds
// lel-pch.hpp.gch beside it, `-include-pch <dir>/lel-pch.hpp.pch` for clang
// (told apart by the compiler binary's name, symlinks resolved; any other
// compiler gets none). examples/sine.cpp, -O3 -march=native, on an idle
// 2-core VM: g++ 12 0.90 s without, 0.38 s with, 2.3 s to build it; clang 22
// 1.36 s without, 0.30 s with, 1.5 s to build it.
//  - Where: <cache>/pch-<key>/, <cache> being $XDG_CACHE_HOME/lel or
//    ~/.cache/lel, <key> a hash of lel's version, the header's text, the
//    compiler command, its binaries (path, size, mtime) and the flags; so
//    every configuration has its own.
//  - When it is rebuilt: a stamp beside it records the built file's size,
//    mtime and inode and the mtime of every header it read (the compiler's
//    -MD list: lel's and the standard library's). It is checked before every
//    compile, because neither compiler falls back on a bad one: GCC fails on
//    a truncated .gch, clang on any header changed since. Any difference and
//    it is rebuilt in place.
//  - Concurrency: it is built under a lock (flock on <dir>/lock), so that two
//    lel processes build it once, into temporary files renamed into place, so
//    that a compiler never reads half of one. With clang, a header saved in
//    the few milliseconds between that check and clang's own fails that one
//    compile; the next one rebuilds the precompiled header.
//  - Failure is not an error: no cache directory, an unwritable one, a
//    failed precompile, LEL_NO_PCH=1: the session compiles without it (`-v`
//    says why).
//  - What a session sees: these headers come first, as if it included them
//    on its first line; a macro it defines before `#include <lel/lel.hpp>`
//    no longer reaches lel's headers (LEL_NO_PCH=1 if one must).
//
// Threads: any; building blocks for seconds, and waits for another lel
// building the same one.
#pragma once

#include "toolchain.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace lel::client {

/// The precompiled header, ready, or why there is none.
struct PrecompiledHeader {
    std::vector<std::string> flags;  ///< what a module's compile adds to use it; empty: none
    std::filesystem::path file;      ///< the .gch or .pch
    bool built = false;              ///< built by this call, not found in the cache
    double seconds = 0.0;            ///< time spent building it
    std::string message;             ///< why there is none

    explicit operator bool() const noexcept { return !flags.empty(); }
};

/// The precompiled header for `toolchain` and `compile_flags` (the compiler
/// command, module and optimisation flags and -I, as a module's compile
/// starts): the cached one if it is current, else built now. Never throws;
/// on any failure it has no flags and a message. `verbose`: prints the
/// command that builds it and lets the compiler print.
PrecompiledHeader find_or_build_pch(const Toolchain& toolchain, const std::vector<std::string>& compile_flags,
                                    bool verbose);

}  // namespace lel::client
