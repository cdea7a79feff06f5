// osc_client: the wire format against liblo, and request/answer matching.
#include "osc_client.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <lo/lo.h>
#include <thread>

namespace {

using namespace lel::client;
using namespace lel::test;
using namespace std::chrono_literals;

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

    const auto p = decode(bytes.data(), size);
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
    const OscPacket p{"/lel/done", {std::string("/lel/tempo"), 120.5, 7.0f, int32_t{3}, int64_t{-1}}};
    EXPECT_EQ(p.number_at(1), 120.5);
    EXPECT_EQ(p.number_at(2), 7.0);
    EXPECT_EQ(p.number_at(3), 3.0);
    EXPECT_EQ(p.number_at(4), -1.0);
    EXPECT_FALSE(p.number_at(0).has_value());
    EXPECT_FALSE(p.number_at(9).has_value());
    EXPECT_EQ(p.integer_at(1), 120);  // truncated
}

TEST(OscWire, IntegralDoublesPrintAsPlainIntegers) {
    EXPECT_EQ(to_string(OscArg{2097152.0}), "2097152");
    EXPECT_EQ(to_string(OscArg{96000.0f}), "96000");
    EXPECT_EQ(to_string(OscArg{-1.0}), "-1");
    EXPECT_EQ(to_string(OscArg{-0.0}), "0");
    EXPECT_EQ(to_string(OscArg{2.5}), "2.500");
    EXPECT_EQ(to_string(OscArg{int32_t{42}}), "42");
}

TEST(OscWire, EncodeThenDecodeGivesTheSamePacket) {
    const OscPacket sent{"/lel/status.reply", {std::string("signals"), int32_t{3}, int64_t{-1}, 1.25}};
    const std::vector<char> bytes = encode(sent);
    EXPECT_EQ(bytes.size() % 4, 0u);
    const auto got = decode(bytes.data(), bytes.size());
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->path, sent.path);
    EXPECT_EQ(got->args, sent.args);
}

TEST(OscWire, JunkAndBundlesAreNotMessages) {
    const char junk[] = "hello, world";
    EXPECT_FALSE(decode(junk, sizeof junk).has_value());
    const char bundle[16] = "#bundle";
    EXPECT_FALSE(decode(bundle, sizeof bundle).has_value());
    EXPECT_FALSE(decode(junk, 0).has_value());
}

TEST(OscClient, NothingListeningIsReportedAsRefusedAtOnce) {
    OscClient client("127.0.0.1", unused_port());
    const auto start = std::chrono::steady_clock::now();
    const OscExchange ex = client.request({"/lel/ping", {}}, 2000ms, "/lel/pong");
    EXPECT_EQ(ex.outcome, OscExchange::Outcome::refused);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(OscClient, OnlyTheAnswerToTheRequestIsTaken) {
    FakeDaemon daemon;
    std::thread answer([&] {
        if (!daemon.receive(5s)) return;
        daemon.reply({"/lel/done", {std::string("/lel/reset")}});          // another command's
        daemon.reply({"/lel/pong", {}});                                  // not asked for
        daemon.reply({"/lel/done", {std::string("/lel/clear"), int64_t{42}}});  // the answer
    });
    OscClient client("localhost", daemon.port());
    const OscExchange ex = client.request({"/lel/clear", {}}, 5000ms);
    answer.join();
    ASSERT_TRUE(ex);
    EXPECT_EQ(ex.reply.path, "/lel/done");
    EXPECT_EQ(ex.reply.integer_at(1), 42);
}

TEST(OscClient, ASilentPeerTimesOut) {
    FakeDaemon daemon;
    OscClient client("127.0.0.1", daemon.port());
    const auto start = std::chrono::steady_clock::now();
    const OscExchange ex = client.request({"/lel/ping", {}}, 200ms, "/lel/pong");
    EXPECT_EQ(ex.outcome, OscExchange::Outcome::timed_out);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms);
}

TEST(OscClient, AnUnknownHostThrows) {
    EXPECT_THROW(OscClient("no-such-host.invalid", 57140), OscClientError);
}

}  // namespace
