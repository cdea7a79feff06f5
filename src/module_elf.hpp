// lel — what leld reads of a module's ELF file before loading it.
//
// Design: a module's static constructors run as soon as dlopen maps it, so
// its ABI version is read from the file instead: the dynamic symbol table
// (.dynsym, found through the section headers, with its string table) gives
// the address of `lel_module_abi_version`, and the section that holds it
// gives the bytes at that address. That constant needs no relocation, so the
// bytes in the file are the value the loader would map. Every offset is
// checked against the file's size before it is read; the file is read with
// pread on a descriptor, never mapped.
//
// Threads: control thread only; blocking (file I/O).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lel {

/// Checks that the first bytes of `fd` (`size` bytes long) are the ELF
/// header of a shared object for the machine and word size leld was built
/// for. Throws ModuleError naming `shown`.
void check_elf_header(int fd, uint64_t size, const std::string& shown);

/// The value of the module's `lel_module_abi_version`, read from the file
/// without loading it; nullopt when its dynamic symbol table does not define
/// that symbol. Call after check_elf_header. Throws ModuleError naming `shown`
/// when the file has no section headers or its tables do not fit in it.
std::optional<uint32_t> read_abi_version(int fd, uint64_t size, const std::string& shown);

}  // namespace lel
