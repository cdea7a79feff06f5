// Test module: a static constructor with a visible side effect, and the
// wrong ABI version (999). Loading it must fail before any of its code runs:
// the constructor creates the file named by $LEL_TEST_CTOR_MARKER, so a
// loader that ran it (dlopen before the ABI check) leaves that file behind.
#include <lel/abi.hpp>

#include <cstdio>
#include <cstdlib>

namespace {

struct MarksItsConstruction {
    MarksItsConstruction() {
        if (const char* marker = std::getenv("LEL_TEST_CTOR_MARKER")) {
            if (FILE* f = std::fopen(marker, "w")) std::fclose(f);
        }
    }
};

const MarksItsConstruction marks_its_construction;

}  // namespace

extern "C" __attribute__((visibility("default"))) const uint32_t lel_module_abi_version = 999;

extern "C" __attribute__((visibility("default"))) void lel_module_entry(const lel_host* host) {
    host->clear(host->self);
}
