// The OSC wire format shared by leld, the `lel` client and the test
// harness (src/osc_wire.hpp): what liblo encodes decodes, what encode()
// makes decodes to the same message, arguments at any alignment read right,
// types lel does not use and non-messages are refused, bundles are laid out
// as OSC 1.0 says, numbers print for people. No sockets.
#include "osc_wire.hpp"

#include <gtest/gtest.h>
#include <lo/lo.h>

#include <cstring>

using namespace lel;

namespace {

TEST(OscWire, DecodesWhatLibloEncodes) {
    lo_message m = lo_message_new();
    lo_message_add_string(m, "/lel/load");
    lo_message_add_int32(m, 2);
    lo_message_add_int64(m, 1234567890123);
    lo_message_add_double(m, 2.5);
    lo_message_add_float(m, 0.5f);
    std::size_t size = lo_message_length(m, "/lel/done");
    std::vector<char> bytes(size);
    lo_message_serialise(m, "/lel/done", bytes.data(), &size);
    lo_message_free(m);

    const auto p = osc::decode(bytes);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->path, "/lel/done");
    ASSERT_EQ(p->args.size(), 5u);
    EXPECT_EQ(p->string_at(0), "/lel/load");
    EXPECT_EQ(p->integer_at(1), 2);
    EXPECT_EQ(p->integer_at(2), 1234567890123);
    EXPECT_EQ(std::get<double>(p->args[3]), 2.5);
    EXPECT_EQ(std::get<float>(p->args[4]), 0.5f);
    EXPECT_FALSE(p->string_at(1).has_value());
    EXPECT_FALSE(p->integer_at(0).has_value());
    EXPECT_FALSE(p->integer_at(9).has_value());
}

TEST(OscWire, NumbersReadAsDoublesWhateverTheirType) {
    const osc::Message p{"/lel/done", {std::string("/lel/tempo"), 120.5, 7.0f, int32_t{3}, int64_t{-1}}};
    EXPECT_EQ(p.number_at(1), 120.5);
    EXPECT_EQ(p.number_at(2), 7.0);
    EXPECT_EQ(p.number_at(3), 3.0);
    EXPECT_EQ(p.number_at(4), -1.0);
    EXPECT_FALSE(p.number_at(0).has_value());
    EXPECT_FALSE(p.number_at(9).has_value());
    EXPECT_FALSE(p.integer_at(1).has_value()) << "120.5 is not an integer";
    EXPECT_EQ(p.integer_at(2), 7) << "an integral float is";
}

TEST(OscWire, IntegralDoublesPrintAsPlainIntegers) {
    EXPECT_EQ(osc::to_string(osc::Arg{2097152.0}), "2097152");
    EXPECT_EQ(osc::to_string(osc::Arg{96000.0f}), "96000");
    EXPECT_EQ(osc::to_string(osc::Arg{-1.0}), "-1");
    EXPECT_EQ(osc::to_string(osc::Arg{-0.0}), "0");
    EXPECT_EQ(osc::to_string(osc::Arg{2.5}), "2.500");
    EXPECT_EQ(osc::to_string(osc::Arg{int32_t{42}}), "42");
}

TEST(OscWire, EncodeThenDecodeGivesTheSamePacket) {
    const osc::Message sent{"/lel/status.reply", {std::string("signals"), int32_t{3}, int64_t{-1}, 1.25}};
    const std::vector<char> bytes = osc::encode(sent);
    EXPECT_EQ(bytes.size() % 4, 0u);
    const auto got = osc::decode(bytes);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->path, sent.path);
    EXPECT_EQ(got->args, sent.args);
}

TEST(OscWire, JunkAndBundlesAreNotMessages) {
    const char junk[] = "hello, world";
    EXPECT_FALSE(osc::decode(std::span<const char>(junk, sizeof junk)).has_value());
    const char bundle[16] = "#bundle";
    EXPECT_FALSE(osc::decode(std::span<const char>(bundle, sizeof bundle)).has_value());
    EXPECT_FALSE(osc::decode(std::span<const char>(junk, 0)).has_value());
}

TEST(OscWire, EightByteArgumentsAfterAStringReadRightAtAnyAlignment) {
    // "/a" + ",sd" + "x" puts the double at offset 16 of liblo's copy, but
    // liblo's argv entries are only 4-byte aligned in general: a string of
    // 4 characters (8 bytes padded) before a double moves it by 4.
    for (const std::string s : {"x", "xxxx", "xxxxxxx"}) {
        const osc::Message sent{"/a", {s, 2.5, int64_t{-7}, s, 0.25f}};
        const auto got = osc::decode(osc::encode(sent));
        ASSERT_TRUE(got);
        EXPECT_EQ(got->args, sent.args) << s;
    }
}

TEST(OscWire, AMessageWithATypeLelDoesNotUseIsRefusedWholeButItsOtherArgumentsRead) {
    lo_message m = lo_message_new();
    lo_message_add_int32(m, 5);
    lo_message_add_true(m);
    std::size_t size = lo_message_length(m, "/x");
    std::vector<char> bytes(size);
    lo_message_serialise(m, "/x", bytes.data(), &size);
    EXPECT_FALSE(osc::decode(bytes).has_value());
    EXPECT_EQ(osc::arg_at(m, 0), osc::Arg{int32_t{5}});
    EXPECT_FALSE(osc::arg_at(m, 1).has_value()) << "T is not one of the five types";
    EXPECT_FALSE(osc::arg_at(m, 2).has_value()) << "past the end";
    lo_message_free(m);
}

TEST(OscWire, ABundleIsItsHeaderTimeTagAndSizedElements) {
    const std::vector<char> one = osc::encode({"/lel/ping", {}});
    const std::vector<char> b = osc::bundle({one, one}, 0x0102030405060708ull);
    ASSERT_EQ(b.size(), 16 + 2 * (4 + one.size()));
    EXPECT_EQ(std::memcmp(b.data(), "#bundle\0", 8), 0);
    EXPECT_EQ(static_cast<unsigned char>(b[8]), 0x01);
    EXPECT_EQ(static_cast<unsigned char>(b[15]), 0x08);
    EXPECT_EQ(static_cast<unsigned char>(b[19]), one.size());
    EXPECT_EQ(std::memcmp(b.data() + 20, one.data(), one.size()), 0);
}

TEST(OscWire, KeyValueAnswersAndDescriptions) {
    const osc::Message status{"/lel/status.reply", {std::string("signals"), int32_t{2}, std::string("frame"), 480.0}};
    EXPECT_EQ(status.value_of("frame"), osc::Arg{480.0});
    EXPECT_FALSE(status.value_of("2").has_value());
    EXPECT_FALSE(status.value_of("nothing").has_value());
    EXPECT_EQ(status.types(), "sisd");
    EXPECT_EQ(status.describe(), "/lel/status.reply s:\"signals\" i:2 s:\"frame\" d:480");
}

}  // namespace
