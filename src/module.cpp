#include "module.hpp"

#include "module_elf.hpp"
#include "module_file.hpp"
#include "module_scratch.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/sendfile.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace lel {
namespace {

std::string dl_error() {
    const char* e = dlerror();
    return e ? e : "unknown dlopen error";
}

/// A private copy of a module in `dir`: the first `source.size` bytes of
/// `source` (no more, whatever the file has become since it was checked).
/// Unlinked on destruction; a dlopen'ed mapping of it outlives that.
class PrivateCopy {
public:
    PrivateCopy(const ModuleFile& source, const fs::path& shown, const fs::path& dir) {
        static std::atomic<unsigned> counter{0};
        path_ = dir / fmt::format("{}-{}.so", shown.stem().string().substr(0, 64),
                                            counter.fetch_add(1, std::memory_order_relaxed));
        fd_ = FileDescriptor(::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!fd_) throw ModuleError(fmt::format("cannot create {}: {}", path_.string(), std::strerror(errno)));
        off_t offset = 0;
        while (static_cast<uint64_t>(offset) < source.size) {
            const auto left = static_cast<std::size_t>(source.size - static_cast<uint64_t>(offset));
            const ssize_t n = sendfile(fd_.get(), source.fd.get(), &offset, left);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail(fmt::format("cannot copy {}: {}", shown.string(), std::strerror(errno)));
            if (n == 0) fail(fmt::format("cannot load {}: it shrank while it was being copied", shown.string()));
        }
    }
    ~PrivateCopy() { remove(); }
    PrivateCopy(const PrivateCopy&) = delete;
    PrivateCopy& operator=(const PrivateCopy&) = delete;

    const fs::path& path() const noexcept { return path_; }
    int fd() const noexcept { return fd_.get(); }

private:
    void remove() noexcept {
        std::error_code ec;
        fs::remove(path_, ec);
    }
    [[noreturn]] void fail(std::string message) {
        remove();  // the destructor does not run when the constructor throws
        throw ModuleError(std::move(message));
    }

    fs::path path_;
    FileDescriptor fd_;
};

void check_abi_in_file(const PrivateCopy& copy, uint64_t size, const std::string& shown) {
    const std::optional<uint32_t> version = read_abi_version(copy.fd(), size, shown);
    if (!version) {
        throw ModuleError(fmt::format("not a lel module: {} has no '{}' symbol (build sessions with `lel build`, "
                                      "which includes <lel/lel.hpp>)", shown, abi_version_symbol));
    }
    if (*version != abi_version) {
        throw ModuleError(fmt::format("ABI mismatch: {} was built for lel module ABI {}, this leld speaks ABI {}; "
                                      "rebuild it with this lel", shown, *version, abi_version));
    }
}

}  // namespace

std::shared_ptr<Module> Module::open(const fs::path& path, const fs::path& module_dir, const fs::path& keep_as) {
    if (!path.is_absolute()) throw ModuleError(fmt::format("module path must be absolute: '{}'", path.string()));
    const std::string shown = path.string();
    const ModuleFile file = open_trusted_module(path, module_dir);
    check_elf_header(file.fd.get(), file.size, shown);

    void* handle = nullptr;
    bool kept = false;
    {
        // A copy to keep is made beside where it is kept: the hard link
        // then needs no second copy (the scratch directory may be on
        // another file system, even on a disk).
        const PrivateCopy copy(file, path, keep_as.empty() ? scratch_dir() : keep_as.parent_path());
        check_abi_in_file(copy, file.size, shown);
        handle = dlopen(copy.path().c_str(), RTLD_NOW | RTLD_LOCAL);
        if (handle && !keep_as.empty()) {  // the bytes just loaded, not the file as it may be now
            std::error_code ec;
            fs::create_hard_link(copy.path(), keep_as, ec);
            if (ec) fs::copy_file(copy.path(), keep_as, fs::copy_options::overwrite_existing, ec);
            kept = !ec;
        }
    }  // the copy is unlinked; its mapping stays valid, nothing is left behind
    if (!handle) throw ModuleError(fmt::format("cannot load {}: {}", shown, dl_error()));

    auto fail = [&](std::string message) -> ModuleError {
        dlclose(handle);
        return ModuleError(std::move(message));
    };
    // What the loader maps must say what the file said (checked above).
    dlerror();
    const auto* version = static_cast<const uint32_t*>(dlsym(handle, abi_version_symbol));
    if (!version || *version != abi_version) {
        throw fail(fmt::format("ABI mismatch: {}'s loaded '{}' differs from the one in its file", shown,
                               abi_version_symbol));
    }
    auto* entry = reinterpret_cast<lel_entry_fn>(dlsym(handle, entry_symbol));
    if (!entry) {
        throw fail(fmt::format("not a lel module: {} has no '{}' function (is LEL_SESSION missing?)", shown,
                               entry_symbol));
    }
    std::shared_ptr<Module> m(new Module(handle, shown, entry));
    m->kept_ = kept;
    return m;
}

Module::~Module() {
    if (handle_) dlclose(handle_);
}

}  // namespace lel
