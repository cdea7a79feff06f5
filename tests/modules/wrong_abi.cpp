// Test module: exports both symbols by hand, with ABI version 999. The
// daemon must refuse it before calling the entry. Should it call the entry
// anyway, the entry clears every signal, which the tests hear as silence.
#include <lel/abi.hpp>

extern "C" __attribute__((visibility("default"))) const uint32_t lel_module_abi_version = 999;

extern "C" __attribute__((visibility("default"))) void lel_module_entry(const lel_host* host) {
    host->clear(host->self);
}
