// lel — a loaded session module: a move-only RAII handle around dlopen.
//
// Design: nothing of a module runs before it has passed every check.
//   1. The file is opened once, by module_file (the trust rule: leld's user
//      or root alone can write it and every directory above it; a regular
//      file of at most max_module_bytes; under --module-dir when one is set),
//      and its ELF header is checked (a shared object for this machine).
//   2. That descriptor is copied, no further than the size it was checked
//      at, to a private file in the scratch directory (module_scratch): glibc
//      returns the already loaded handle when a path is opened twice, so
//      without the copy a session rebuilt in place would never run its new
//      code while signals of the old build are still playing.
//   3. The ABI version is read from the copy's dynamic symbol table
//      (module_elf), because dlopen runs the module's static constructors.
//   4. Only then is the copy dlopen'ed (and unlinked), and the version the
//      loader sees checked again before any other symbol is looked up.
//
// Threads: control thread only. A Module is kept alive (shared_ptr) by every
// callable it created and is closed when the last one is destroyed, which
// happens only after the producer has provably stopped using them.
#pragma once

#include <lel/abi.hpp>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace lel {

/// A load failed before any of the module's session code ran.
class ModuleError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Module {
public:
    /// Opens the module at `path` (absolute); when `module_dir` is not empty
    /// (a resolved path: resolve_module_dir in module_file.hpp) only a module
    /// under it. Control thread; blocking (file I/O; dlopen runs the module's
    /// static constructors, once its ABI version is known to match). Throws
    /// ModuleError with a message fit for the user. With `keep_as`, the
    /// private copy that is loaded is made in keep_as's directory and linked
    /// to keep_as, for leld's state directory; kept() says whether that
    /// worked.
    static std::shared_ptr<Module> open(const std::filesystem::path& path,
                                        const std::filesystem::path& module_dir = {},
                                        const std::filesystem::path& keep_as = {});

    ~Module();
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    lel_entry_fn entry() const noexcept { return entry_; }
    const std::string& path() const noexcept { return path_; }
    bool kept() const noexcept { return kept_; }

private:
    Module(void* handle, std::string path, lel_entry_fn entry) noexcept
        : handle_(handle), path_(std::move(path)), entry_(entry) {}

    void* handle_;
    std::string path_;
    lel_entry_fn entry_;
    bool kept_ = false;
};

}  // namespace lel
