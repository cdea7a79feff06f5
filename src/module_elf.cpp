#include "module_elf.hpp"

#include "module.hpp"

#include <lel/abi.hpp>

#include <fmt/format.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <elf.h>
#include <link.h>  // ElfW: the ELF types of this word size
#include <string_view>
#include <unistd.h>
#include <vector>

namespace lel {
namespace {

#if defined(__x86_64__)
constexpr uint16_t this_machine = EM_X86_64;
#elif defined(__aarch64__)
constexpr uint16_t this_machine = EM_AARCH64;
#elif defined(__i386__)
constexpr uint16_t this_machine = EM_386;
#elif defined(__arm__)
constexpr uint16_t this_machine = EM_ARM;
#elif defined(__riscv)
constexpr uint16_t this_machine = EM_RISCV;
#elif defined(__powerpc64__)
constexpr uint16_t this_machine = EM_PPC64;
#else
constexpr uint16_t this_machine = EM_NONE;  // not known here: dlopen alone judges the machine
#endif
constexpr unsigned char this_class = sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32;
constexpr unsigned char this_data = std::endian::native == std::endian::little ? ELFDATA2LSB : ELFDATA2MSB;

using Ehdr = ElfW(Ehdr);
using Shdr = ElfW(Shdr);
using Sym = ElfW(Sym);

// Reads `count` objects of T at `offset`, all inside the file's `size` bytes.
template <typename T>
std::vector<T> read_array(int fd, uint64_t size, uint64_t offset, uint64_t count, const std::string& shown,
                          const char* what) {
    if (offset > size || count > (size - offset) / sizeof(T)) {
        throw ModuleError(fmt::format("not a valid shared object: {}'s {} lies outside the file", shown, what));
    }
    std::vector<T> items(count);
    const auto bytes = static_cast<std::size_t>(count * sizeof(T));
    if (bytes && pread(fd, items.data(), bytes, static_cast<off_t>(offset)) != static_cast<ssize_t>(bytes)) {
        throw ModuleError(fmt::format("cannot read {}'s {}: {}", shown, what, std::strerror(errno)));
    }
    return items;
}

Ehdr read_header(int fd, uint64_t size, const std::string& shown) {
    if (size < sizeof(Ehdr)) throw ModuleError(fmt::format("not a shared object (no ELF header): {}", shown));
    return read_array<Ehdr>(fd, size, 0, 1, shown, "ELF header").front();
}

}  // namespace

void check_elf_header(int fd, uint64_t size, const std::string& shown) {
    const Ehdr h = read_header(fd, size, shown);
    if (std::memcmp(h.e_ident, ELFMAG, SELFMAG) != 0) {
        throw ModuleError(fmt::format("not a shared object (no ELF header): {}", shown));
    }
    if (h.e_ident[EI_CLASS] != this_class || h.e_ident[EI_DATA] != this_data ||
        (this_machine != EM_NONE && h.e_machine != this_machine)) {
        throw ModuleError(fmt::format("not a shared object for this machine: {} is for ELF machine {} ({}-bit{}), "
                                      "leld for ELF machine {} ({}-bit)",
                                      shown, h.e_machine, h.e_ident[EI_CLASS] == ELFCLASS64 ? 64 : 32,
                                      h.e_ident[EI_DATA] == this_data ? "" : ", other byte order", this_machine,
                                      this_class == ELFCLASS64 ? 64 : 32));
    }
    if (h.e_type != ET_DYN) {
        throw ModuleError(fmt::format("not a shared object: {} is an ELF file of type {} (build it with `lel build`)",
                                      shown, h.e_type));
    }
}

std::optional<uint32_t> read_abi_version(int fd, uint64_t size, const std::string& shown) {
    const Ehdr h = read_header(fd, size, shown);
    if (h.e_shoff == 0 || h.e_shnum == 0 || h.e_shentsize != sizeof(Shdr)) {
        throw ModuleError(fmt::format("cannot check the module ABI of {} before loading it: it has no section headers "
                                      "(build it with `lel build`, and do not strip them)", shown));
    }
    const auto sections = read_array<Shdr>(fd, size, h.e_shoff, h.e_shnum, shown, "section headers");
    for (const Shdr& table : sections) {
        if (table.sh_type != SHT_DYNSYM || table.sh_link >= sections.size()) continue;
        const Shdr& names_section = sections[table.sh_link];
        const auto names = read_array<char>(fd, size, names_section.sh_offset, names_section.sh_size, shown,
                                            "dynamic string table");
        const auto symbols = read_array<Sym>(fd, size, table.sh_offset, table.sh_size / sizeof(Sym), shown,
                                             "dynamic symbol table");
        const std::string_view wanted = abi_version_symbol;
        for (const Sym& symbol : symbols) {
            if (symbol.st_shndx == SHN_UNDEF || symbol.st_shndx >= sections.size() || symbol.st_size < sizeof(uint32_t) ||
                symbol.st_name >= names.size()) {
                continue;
            }
            const char* name = names.data() + symbol.st_name;
            if (std::string_view(name, strnlen(name, names.size() - symbol.st_name)) != wanted) continue;
            const Shdr& holder = sections[symbol.st_shndx];
            if (holder.sh_type == SHT_NOBITS) return 0u;  // zero-initialised (.bss)
            if (holder.sh_size < sizeof(uint32_t) || symbol.st_value < holder.sh_addr ||
                symbol.st_value - holder.sh_addr > holder.sh_size - sizeof(uint32_t)) {
                throw ModuleError(fmt::format("not a valid shared object: {}'s {} lies outside its section", shown, wanted));
            }
            const uint64_t offset = holder.sh_offset + (symbol.st_value - holder.sh_addr);
            return read_array<uint32_t>(fd, size, offset, 1, shown, abi_version_symbol).front();
        }
    }
    return std::nullopt;
}

}  // namespace lel
