// osc_client: request/answer matching (the wire format: tests/osc_wire_test.cpp).
#include "osc_client.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <lo/lo.h>
#include <thread>

namespace {

using namespace lel::client;
using namespace lel::test;
using namespace std::chrono_literals;

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
