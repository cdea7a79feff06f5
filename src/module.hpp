// lel — a loaded session module: a move-only RAII handle around dlopen.
//
// Design: the file is first copied to a private directory under a unique
// name and that copy is dlopen'ed (then unlinked). glibc returns the already
// loaded handle when a path is opened twice, so without the copy a session
// rebuilt in place would never run its new code while signals of the old
// build are still playing. The ABI version symbol is checked before any
// other symbol is looked up or any function called.
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
    /// Opens the module at `path` (absolute). Control thread; blocking (file
    /// I/O, dlopen runs the module's static constructors). Throws ModuleError
    /// with a message fit for the user.
    static std::shared_ptr<Module> open(const std::filesystem::path& path);

    ~Module();
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    lel_entry_fn entry() const noexcept { return entry_; }
    const std::string& path() const noexcept { return path_; }

    /// Where copies of modules are placed; created on first use.
    static const std::filesystem::path& scratch_dir();

private:
    Module(void* handle, std::string path, lel_entry_fn entry) noexcept
        : handle_(handle), path_(std::move(path)), entry_(entry) {}

    void* handle_;
    std::string path_;
    lel_entry_fn entry_;
};

}  // namespace lel
