// lel — OSC packet validation: is a datagram well-formed, before liblo reads it.
//
// Design: liblo 0.31's decoder trusts some lengths it has not checked: a
// message whose type tags end with a blob ('b') but whose data holds fewer
// than 4 bytes makes lo_validate_blob read the blob's size past the end of
// liblo's own copy of the data (a heap over-read, shown by valgrind; see
// tests/fuzz/liblo_overread.cpp). So every packet is checked here first,
// against the OSC 1.0/1.1 layout, with every length bounded by the packet:
//
//   - the size is a positive multiple of 4;
//   - a message: an address starting with '/', then a type tag string
//     starting with ',', both NUL-terminated and zero-padded to 4 bytes
//     inside the packet; then exactly the bytes its tags call for:
//       i f c r m   4 bytes          h t d   8 bytes
//       s S         a padded string  b       int32 size >= 0, then size
//                                            bytes, zero-padded to 4
//       T F N I     no data          [ ]     no data, balanced
//     any other tag is refused, and so are bytes after the last argument;
//   - a bundle: "#bundle\0", an 8-byte time tag, then elements, each an
//     int32 size (positive, a multiple of 4, inside the packet) and a packet
//     checked the same way, nested at most `max_depth` bundles deep.
//
// A packet that passes may still be refused by liblo (it does not decode
// arrays, for one), but liblo then reads only inside the packet.
//
// Threads: any; a pure function (no state, no allocation but the message).
#pragma once

#include <optional>
#include <span>
#include <string>

namespace lel {

/// Bundles nested deeper than this are refused by default.
inline constexpr int osc_max_bundle_depth = 8;

/// Why `packet` is not a well-formed OSC packet (a message or a bundle), or
/// nothing when it is one. Bundles may nest `max_depth` deep (a message in
/// a bundle is at depth 1); 0 refuses every bundle.
/// Effects: none. Never throws but std::bad_alloc (building the message).
std::optional<std::string> check_osc_packet(std::span<const char> packet, int max_depth = osc_max_bundle_depth);

}  // namespace lel
