// Test module: the right ABI version but no lel_module_entry. The daemon
// must refuse it.
#include <lel/abi.hpp>

extern "C" __attribute__((visibility("default"))) const uint32_t lel_module_abi_version = LEL_ABI_VERSION;
