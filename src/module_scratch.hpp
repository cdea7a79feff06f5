// lel — the scratch directory that holds the private copies of modules.
//
// Design: each process that loads modules (leld, `lel render`) makes one
// directory, `lel-modules-<pid>-XXXXXX` (mkdtemp, mode 0700), in
// $XDG_RUNTIME_DIR, or /dev/shm when that is unset (in memory both), or the
// temp directory when neither is usable. Copies live
// there only between the copy and dlopen, and the directory is removed at
// exit; a process that crashes leaves it behind, so the first use also
// removes the directories of processes that are gone: those in the same
// base directory that belong to this user and whose pid no longer runs. A
// pid that was reused keeps its directory (until that process ends too);
// another live process's directory is never touched.
//
// Threads: control thread only; blocking (file system).
#pragma once

#include <cstddef>
#include <filesystem>

namespace lel {

/// $XDG_RUNTIME_DIR if it names a directory, else /dev/shm if writable,
/// else the temp directory.
std::filesystem::path scratch_base();

/// Removes the scratch directories in `base` that belong to this user and
/// whose creator (the pid in the name) is not running. Never throws;
/// returns how many it removed.
std::size_t remove_stale_scratch_dirs(const std::filesystem::path& base);

/// This process's scratch directory; the first call cleans `scratch_base()`
/// (remove_stale_scratch_dirs) and creates it, and it is removed at exit.
/// Throws ModuleError when it cannot be created.
const std::filesystem::path& scratch_dir();

}  // namespace lel
