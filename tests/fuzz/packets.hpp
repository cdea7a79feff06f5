// lel tests — OSC packets built by hand, byte by byte, including the
// malformed ones liblo 0.31 reads past the end of. Shared by
// tests/osc_packet_test.cpp (the validator refuses them) and
// tests/fuzz/liblo_overread.cpp (plain liblo over-reads on them).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace lel::test_packets {

using Bytes = std::vector<char>;

/// `s` NUL-terminated and zero-padded to a multiple of 4, as OSC strings are.
inline Bytes str(std::string_view s) {
    Bytes b(s.begin(), s.end());
    b.resize((s.size() + 4) & ~std::size_t{3}, '\0');
    return b;
}

/// A 32-bit big-endian word.
inline Bytes be32(uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

/// A message: address, type tags (with their ','), then argument bytes as given.
inline Bytes message(std::string_view address, std::string_view tags, const Bytes& args = {}) {
    return cat({str(address), str(tags), args});
}

/// A bundle with time tag "immediately" and these elements.
inline Bytes bundle(std::initializer_list<Bytes> elements) {
    Bytes out = cat({str("#bundle"), be32(0), be32(1)});
    for (const Bytes& e : elements) out = cat({out, be32(static_cast<uint32_t>(e.size())), e});
    return out;
}

struct Named {
    const char* name;
    Bytes bytes;
};

/// Packets whose blob has no room for its size: lo_message_deserialise
/// (liblo 0.31) copies the argument bytes into a buffer of exactly that many
/// bytes and lo_validate_blob then reads the blob's 4-byte size from it
/// before checking that 4 bytes are there: a heap over-read of 4 - left.
inline std::vector<Named> liblo_overreads() {
    return {
        {"blob tag, no data", message("/lel/load", ",b")},
        {"string then blob tag, no data", message("/lel/load", ",sb", str("/tmp/x.so"))},
        {"blob tag, 2 bytes of data", cat({message("/a", ",b"), Bytes{'\x00', '\x00'}})},
    };
}

/// Malformed packets liblo 0.31 refuses without reading out of bounds (so
/// the demonstration shows they are not the problem), which the validator
/// refuses too.
inline std::vector<Named> liblo_refuses() {
    return {
        {"blob of negative size", message("/a", ",b", be32(0xfffffff0u))},
        {"blob larger than the packet", message("/a", ",b", cat({be32(64), be32(0)}))},
        {"int32 tag, no data", message("/lel/tempo", ",i")},
        {"string not terminated", cat({str("/a"), str(",s"), Bytes{'a', 'b', 'c', 'd'}})},
    };
}

}  // namespace lel::test_packets
