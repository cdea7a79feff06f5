// Tests of check_osc_packet (src/osc_packet.hpp): well-formed packets pass,
// and every malformed one is refused with its reason, liblo's over-reads
// among them. Packets are built byte by byte (tests/fuzz/packets.hpp).
#include "fuzz/packets.hpp"
#include "osc_packet.hpp"

#include <gtest/gtest.h>
#include <lo/lo.h>

#include <memory>
#include <optional>
#include <string>

namespace {

using namespace lel::test_packets;
using lel::check_osc_packet;

std::optional<std::string> check(const Bytes& b, int max_depth = lel::osc_max_bundle_depth) {
    // An exact-size heap copy: under ASan a read past its end is reported.
    const auto copy = std::make_unique<char[]>(b.size());
    std::copy(b.begin(), b.end(), copy.get());
    return check_osc_packet({copy.get(), b.size()}, max_depth);
}

// What liblo itself writes for a message.
Bytes serialised(const char* path, lo_message m) {
    std::size_t size = 0;
    void* raw = lo_message_serialise(m, path, nullptr, &size);
    Bytes out(static_cast<char*>(raw), static_cast<char*>(raw) + size);
    std::free(raw);
    lo_message_free(m);
    return out;
}

TEST(OscPacket, AcceptsEveryCommandAsLibloWritesIt) {
    lo_message load = lo_message_new();
    lo_message_add_string(load, "/home/me/fm.so");
    lo_message_add_int32(load, 48000);
    lo_message_add_string(load, "crossfade");
    EXPECT_EQ(check(serialised("/lel/load", load)), std::nullopt);

    for (const char* path : {"/lel/clear", "/lel/reset", "/lel/status", "/lel/ping", "/lel/quit", "/nope"}) {
        EXPECT_EQ(check(serialised(path, lo_message_new())), std::nullopt) << path;
    }
    lo_message remove = lo_message_new();
    lo_message_add_string(remove, "drone");
    EXPECT_EQ(check(serialised("/lel/remove", remove)), std::nullopt);
    lo_message tempo = lo_message_new();
    lo_message_add_float(tempo, 120.0f);
    EXPECT_EQ(check(serialised("/lel/tempo", tempo)), std::nullopt);
    lo_message fade = lo_message_new();
    lo_message_add_double(fade, 12.5);
    EXPECT_EQ(check(serialised("/lel/fade", fade)), std::nullopt);
}

TEST(OscPacket, AcceptsEveryKnownTypeTagWithItsData) {
    const Bytes args = cat({be32(1), be32(2), be32('x'), be32(0xff00ff00u), be32(0x00903c7f),  // i f c r m
                            be32(0), be32(3), be32(0), be32(1), be32(0), be32(4),              // h t d
                            str("text"), str("sym"),                                           // s S
                            be32(5), Bytes{'a', 'b', 'c', 'd', 'e', 0, 0, 0},                  // b
                            be32(7)});                                                         // i in [ ]
    EXPECT_EQ(check(message("/all", ",ifcrmhtdsSbTFNI[i]", args)), std::nullopt);
}

TEST(OscPacket, AcceptsAnEmptyBlobAndAnEmptyString) {
    EXPECT_EQ(check(message("/a", ",bs", cat({be32(0), str("")}))), std::nullopt);
}

TEST(OscPacket, RefusesTheBlobsLibloReadsPastTheEndOf) {
    for (const Named& p : liblo_overreads()) {
        const auto why = check(p.bytes);
        ASSERT_TRUE(why.has_value()) << p.name;
        // The 2-byte one is already refused for its size (not a multiple of 4).
        EXPECT_TRUE(why->find("blob size") != std::string::npos || why->find("multiple of 4") != std::string::npos)
            << p.name << ": " << *why;
    }
    EXPECT_EQ(*check(message("/lel/load", ",b")), "malformed OSC message: blob size at offset 16 needs 4 bytes, 0 left");
}

TEST(OscPacket, RefusesWhatLibloRefusesToo) {
    for (const Named& p : liblo_refuses()) EXPECT_TRUE(check(p.bytes).has_value()) << p.name;
    EXPECT_NE(check(message("/a", ",b", be32(0xfffffff0u)))->find("negative size (-16)"), std::string::npos);
}

TEST(OscPacket, RefusesAPacketThatIsEmptyOrNotAMultipleOfFour) {
    EXPECT_EQ(*check({}), "empty OSC packet");
    EXPECT_EQ(*check({'/', 'a', 0}), "malformed OSC packet of 3 bytes: not a multiple of 4");
}

TEST(OscPacket, RefusesAMessageWithABrokenAddressOrTypeTags) {
    EXPECT_NE(check(str("xyz"))->find("an address starts with '/'"), std::string::npos);
    EXPECT_NE(check(Bytes{'/', 'a', 'b', 'c'})->find("address at offset 0 has no NUL"), std::string::npos);
    EXPECT_NE(check(Bytes{'/', 'a', 0, 'x', ',', 0, 0, 0})->find("non-zero pad byte"), std::string::npos);
    EXPECT_NE(check(str("/a"))->find("no type tag string"), std::string::npos);
    EXPECT_NE(check(cat({str("/a"), str("i")}))->find("does not start with ','"), std::string::npos);
    EXPECT_NE(check(cat({str("/a"), Bytes{',', 'i', 'i', 'i'}}))->find("type tag string at offset 4 has no NUL"),
              std::string::npos);
}

TEST(OscPacket, RefusesUnknownTagsMissingDataAndTrailingBytes) {
    EXPECT_NE(check(message("/a", ",u", be32(1)))->find("unknown type tag 'u' at position 1"), std::string::npos);
    EXPECT_NE(check(message("/a", std::string(",\x01", 2), be32(1)))->find("unknown type tag 0x01"), std::string::npos);
    EXPECT_NE(check(message("/a", ",d", be32(1)))->find("argument 1 ('d') at offset 8 needs 8 bytes, 4 left"),
              std::string::npos);
    EXPECT_EQ(check(message("/a", ",s", str("ab"))), std::nullopt);
    EXPECT_EQ(*check(message("/a", ",i", cat({be32(1), be32(2)}))), "malformed OSC message: 4 bytes after the last argument");
    EXPECT_NE(check(message("/a", ",s", Bytes{'a', 'b', 'c', 'd'}))->find("has no NUL"), std::string::npos);
    EXPECT_NE(check(message("/a", ",b", cat({be32(1), Bytes{'a', 'b', 0, 0}})))->find("non-zero pad byte"),
              std::string::npos);
    EXPECT_NE(check(message("/a", ",b", cat({be32(9), be32(0)})))->find("does not fit"), std::string::npos);
}

TEST(OscPacket, RefusesUnbalancedArrays) {
    EXPECT_NE(check(message("/a", ",[i", be32(1)))->find("not closed"), std::string::npos);
    EXPECT_NE(check(message("/a", ",]"))->find("closes no array"), std::string::npos);
}

TEST(OscPacket, AcceptsBundlesAndNestedBundles) {
    const Bytes ping = message("/lel/ping", ",");
    EXPECT_EQ(check(bundle({})), std::nullopt);
    EXPECT_EQ(check(bundle({ping, message("/lel/status", ",")})), std::nullopt);
    EXPECT_EQ(check(bundle({ping, bundle({ping, bundle({ping})})})), std::nullopt);
}

TEST(OscPacket, RefusesBundlesWithBadHeadersOrElementSizes) {
    const Bytes ping = message("/lel/ping", ",");
    EXPECT_NE(check(str("#bundle"))->find("8-byte time tag"), std::string::npos);
    EXPECT_NE(check(cat({str("#bundlX"), be32(0), be32(1)}))->find("#bundle"), std::string::npos);
    const Bytes head = cat({str("#bundle"), be32(0), be32(1)});
    EXPECT_EQ(*check(cat({head, be32(0)})), "malformed OSC bundle: element of 0 bytes at offset 20 of 20");
    EXPECT_NE(check(cat({head, be32(6), ping}))->find("element of 6 bytes"), std::string::npos);
    EXPECT_NE(check(cat({head, be32(0x80000000u), ping}))->find("element of 2147483648 bytes"), std::string::npos);
    EXPECT_NE(check(cat({head, be32(static_cast<uint32_t>(ping.size()) + 4), ping}))->find("element of"),
              std::string::npos);
}

TEST(OscPacket, RefusesABundleHoldingAMalformedMessage) {
    EXPECT_NE(check(bundle({message("/lel/ping", ","), message("/lel/load", ",b")}))->find("blob size"), std::string::npos);
}

TEST(OscPacket, BoundsBundleNesting) {
    Bytes nested = message("/lel/ping", ",");
    for (int i = 0; i < 3; ++i) nested = bundle({nested});
    EXPECT_EQ(check(nested, 3), std::nullopt);
    EXPECT_NE(check(nested, 2)->find("nested too deep"), std::string::npos);
    EXPECT_NE(check(bundle({}), 0)->find("nested too deep"), std::string::npos);
}

TEST(OscPacket, ReadsNoByteOutsideAnyPrefixOfAValidPacket) {
    // Every cut of packets rich in lengths is checked from an exact-size
    // copy (ASan, in build-asan, reports a read past it). No cut of a
    // message passes; a bundle cut after a whole element is a valid bundle.
    const Bytes load = message("/lel/load", ",sibd", cat({str("/x.so"), be32(4), be32(3), Bytes{'a', 'b', 'c', 0}, be32(0), be32(0)}));
    ASSERT_EQ(check(load), std::nullopt);
    for (std::size_t n = 0; n < load.size(); ++n) {
        EXPECT_TRUE(check(Bytes(load.begin(), load.begin() + static_cast<std::ptrdiff_t>(n))).has_value()) << n;
    }
    const Bytes nested = bundle({load, bundle({message("/lel/fade", ",d", cat({be32(0), be32(0)}))})});
    ASSERT_EQ(check(nested), std::nullopt);
    int passed = 0;
    for (std::size_t n = 0; n < nested.size(); ++n) {
        passed += !check(Bytes(nested.begin(), nested.begin() + static_cast<std::ptrdiff_t>(n))).has_value();
    }
    EXPECT_EQ(passed, 2);  // the empty bundle and the one holding `load`
}

}  // namespace
