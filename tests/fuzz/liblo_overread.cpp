// The over-read in liblo 0.31, on plain liblo, and its absence behind
// check_osc_packet. Run under valgrind (tests/fuzz/liblo_overread.sh):
//
//     liblo_overread raw         every packet straight to lo_message_deserialise
//     liblo_overread validated   only the packets check_osc_packet accepts
//     liblo_overread server      every packet to leld's entry point,
//                                OscServer::handle_datagram (no answer sent)
//
// Each packet is handed over from a heap buffer of exactly its size. The
// blob packets (tests/fuzz/packets.hpp) make lo_validate_blob read the
// blob's 4-byte size from liblo's copy of the argument bytes, a malloc of
// 0 to 3 bytes: valgrind reports "Invalid read of size 4" in
// lo_validate_blob, called from lo_message_deserialise. (liblo is not built
// with ASan, so ASan would not see it: valgrind does.)
#include "osc_packet.hpp"
#include "osc_server.hpp"
#include "packets.hpp"

#include <lo/lo.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>

int main(int argc, char** argv) {
    using namespace lel::test_packets;
    const std::string_view mode = argc == 2 ? argv[1] : "";
    if (mode != "raw" && mode != "validated" && mode != "server") {
        std::fprintf(stderr, "usage: liblo_overread raw|validated|server\n");
        return 2;
    }
    const bool validated = mode == "validated";
    std::vector<Named> packets = liblo_overreads();
    for (Named& p : liblo_refuses()) packets.push_back(std::move(p));
    packets.push_back({"a valid /lel/load", message("/lel/load", ",s", str("/tmp/x.so"))});

    if (mode == "server") {
        lel::OscServer server("127.0.0.1", 0);
        for (const Named& p : packets) {
            const auto copy = std::make_unique<char[]>(p.bytes.size());
            std::memcpy(copy.get(), p.bytes.data(), p.bytes.size());
            server.handle_datagram(copy.get(), p.bytes.size(), lel::OscServer::Sender{});
            std::printf("%-32s handled by OscServer::handle_datagram\n", p.name);
        }
        return 0;
    }

    int decoded = 0;
    for (const Named& p : packets) {
        const auto copy = std::make_unique<char[]>(p.bytes.size());
        std::memcpy(copy.get(), p.bytes.data(), p.bytes.size());
        if (validated) {
            if (const auto why = lel::check_osc_packet({copy.get(), p.bytes.size()})) {
                std::printf("%-32s refused by check_osc_packet: %s\n", p.name, why->c_str());
                continue;
            }
        }
        int result = 0;
        lo_message m = lo_message_deserialise(copy.get(), p.bytes.size(), &result);
        std::printf("%-32s liblo: %s (result %d)\n", p.name, m ? "decoded" : "refused", result);
        if (m) {
            ++decoded;
            lo_message_free(m);
        }
    }
    // Only the valid packet decodes, either way.
    return decoded == 1 ? 0 : 1;
}
