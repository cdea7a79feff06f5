#include "module.hpp"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace lel {
namespace {

std::string dl_error() {
    const char* e = dlerror();
    return e ? e : "unknown dlopen error";
}

bool looks_like_elf(const fs::path& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    unsigned char magic[4] = {};
    const bool ok = std::fread(magic, 1, 4, f) == 4 && magic[0] == 0x7f && magic[1] == 'E' &&
                    magic[2] == 'L' && magic[3] == 'F';
    std::fclose(f);
    return ok;
}

// A unique copy of `source` in the scratch directory.
fs::path private_copy(const fs::path& source) {
    static std::atomic<unsigned> counter{0};
    const fs::path target = Module::scratch_dir() /
        fmt::format("{}-{}.so", source.stem().string(), counter.fetch_add(1, std::memory_order_relaxed));
    std::error_code ec;
    fs::copy_file(source, target, fs::copy_options::overwrite_existing, ec);
    if (ec) throw ModuleError(fmt::format("cannot copy {} to {}: {}", source.string(), target.string(), ec.message()));
    return target;
}

}  // namespace

const fs::path& Module::scratch_dir() {
    static const fs::path dir = [] {
        const char* runtime = std::getenv("XDG_RUNTIME_DIR");
        fs::path base = (runtime && *runtime && fs::is_directory(runtime)) ? fs::path(runtime) : fs::temp_directory_path();
        std::string templ = (base / "lel-modules-XXXXXX").string();
        if (!mkdtemp(templ.data())) {
            throw ModuleError(fmt::format("cannot create a scratch directory in {}: {}", base.string(), std::strerror(errno)));
        }
        return fs::path(templ);
    }();
    // Copies are unlinked right after dlopen; the directory goes at exit.
    static const bool cleanup_registered = [] {
        return std::atexit([] {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }) == 0;
    }();
    (void)cleanup_registered;
    return dir;
}

std::shared_ptr<Module> Module::open(const fs::path& path) {
    if (!path.is_absolute()) throw ModuleError(fmt::format("module path must be absolute: '{}'", path.string()));
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) throw ModuleError(fmt::format("no such file: {}", path.string()));
    if (!fs::is_regular_file(status)) throw ModuleError(fmt::format("not a regular file: {}", path.string()));
    if (!looks_like_elf(path)) throw ModuleError(fmt::format("not a shared object (no ELF header): {}", path.string()));

    const fs::path copy = private_copy(path);
    void* handle = dlopen(copy.c_str(), RTLD_NOW | RTLD_LOCAL);
    fs::remove(copy, ec);  // the mapping stays valid; nothing is left behind
    if (!handle) throw ModuleError(fmt::format("cannot load {}: {}", path.string(), dl_error()));

    auto fail = [&](std::string message) -> ModuleError {
        dlclose(handle);
        return ModuleError(std::move(message));
    };
    dlerror();
    const auto* version = static_cast<const uint32_t*>(dlsym(handle, abi_version_symbol));
    if (!version) {
        throw fail(fmt::format("not a lel module: {} has no '{}' symbol (build sessions with `lel build`, "
                               "which includes <lel/lel.hpp>)", path.string(), abi_version_symbol));
    }
    if (*version != abi_version) {
        throw fail(fmt::format("ABI mismatch: {} was built for lel module ABI {}, this leld speaks ABI {}; "
                               "rebuild it with this lel", path.string(), *version, abi_version));
    }
    auto* entry = reinterpret_cast<lel_entry_fn>(dlsym(handle, entry_symbol));
    if (!entry) {
        throw fail(fmt::format("not a lel module: {} has no '{}' function (is LEL_SESSION missing?)",
                               path.string(), entry_symbol));
    }
    return std::shared_ptr<Module>(new Module(handle, path.string(), entry));
}

Module::~Module() {
    if (handle_) dlclose(handle_);
}

}  // namespace lel
