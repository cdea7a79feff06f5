// The parameter commands over real UDP OSC, without JACK (issue 10): an
// Engine and an OscServer on a free loopback port, a liblo client sending
// /lel/set, /lel/trig, /lel/get and /lel/params and reading the answers,
// the producer's part played by rendering blocks on the test's thread.
#include "commands.hpp"
#include "engine.hpp"
#include "osc_wire.hpp"
#include "osc_server.hpp"

#include <lel/lel.hpp>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <lo/lo.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <variant>
#include <vector>

using namespace lel;
using namespace std::chrono_literals;

namespace {

double last_cutoff = 0.0;

void voice(const lel_host* h) {
    detail::run_session(h, [](Session& s) {
        s.add("bass", [](Context& c) {
            last_cutoff = lel::param(c, "cutoff", 800.0, {.lag = 0.0, .min = 20.0, .max = 20000.0});
            return 1e-6 * (last_cutoff + lel::param(c, "gate", 0.0));
        });
    });
}

/// An answer as the client read it.
struct Answer {
    std::string path;
    std::vector<std::variant<std::string, double>> args;
    std::string str(std::size_t i) const { return i < args.size() ? std::get<std::string>(args[i]) : ""; }
    double num(std::size_t i) const { return i < args.size() ? std::get<double>(args[i]) : NAN; }
};

struct Rig {
    Engine engine{[] {
        EngineConfig c;
        c.max_block = 64;
        c.state_doubles = 1 << 16;
        return c;
    }()};
    OscServer server{"127.0.0.1", 0};
    CommandContext context{.engine = &engine, .runtime = {}, .quit = {}, .swap_timeout = 2000ms,
                           .deferred = {}};
    lo_server client = lo_server_new_with_proto(nullptr, LO_UDP, nullptr);
    lo_address leld = lo_address_new("127.0.0.1", std::to_string(server.port()).c_str());
    std::vector<Answer> answers;

    Rig() {
        install_commands(server, context);
        lo_server_add_method(client, nullptr, nullptr, &Rig::on_answer, this);
        const CommandResult r = engine.run_session(voice, nullptr, "voice");
        EXPECT_TRUE(r) << r.message;
        play();
    }
    ~Rig() {
        lo_address_free(leld);
        lo_server_free(client);
    }

public:
    static int on_answer(const char* path, const char* types, lo_arg** argv, int argc, lo_message, void* self) {
        Answer a{path, {}};
        // liblo's argument pointers need not be aligned: copy, never dereference as lo_arg.
        for (int i = 0; i < argc; ++i) {
            const char* raw = reinterpret_cast<const char*>(argv[i]);
            if (types[i] == 's') {
                a.args.emplace_back(std::string(raw));
            } else if (types[i] == 'i' || types[i] == 'f') {
                int32_t i32;
                float f32;
                std::memcpy(&i32, raw, 4);
                std::memcpy(&f32, raw, 4);
                a.args.emplace_back(types[i] == 'i' ? double(i32) : double(f32));
            } else if (types[i] == 'd') {
                double d;
                std::memcpy(&d, raw, 8);
                a.args.emplace_back(d);
            } else {
                a.args.emplace_back(std::string("?"));
            }
        }
        static_cast<Rig*>(self)->answers.push_back(std::move(a));
        return 0;
    }

    void play() {
        std::vector<StereoFrame> out(64);
        engine.renderer().render(out);
        engine.collect();
    }

    /// Sends `m` (owned) to `path`, lets leld's loop handle it, and returns its first answer.
    Answer send(const char* path, lo_message m) {
        answers.clear();
        EXPECT_GE(lo_send_message_from(leld, client, path, m), 0);
        lo_message_free(m);
        return receive();
    }
    Answer receive() {
        for (int i = 0; i < 200 && !server.try_receive_one(); ++i) std::this_thread::sleep_for(1ms);
        for (int i = 0; i < 200 && answers.empty(); ++i) lo_server_recv_noblock(client, 5);
        return answers.empty() ? Answer{"(none)", {}} : answers.front();
    }
};

lo_message msg() { return lo_message_new(); }

TEST(ParamCommands, set_answers_done_and_the_signal_plays_the_value) {
    Rig rig;
    lo_message m = msg();
    lo_message_add_string(m, "bass");
    lo_message_add_string(m, "cutoff");
    lo_message_add_float(m, 1000.0f);
    const Answer a = rig.send("/lel/set", m);
    EXPECT_EQ(a.path, "/lel/done");
    EXPECT_EQ(a.str(0), "/lel/set");
    EXPECT_EQ(a.args.size(), 1u) << "nothing clamped, nothing said";
    rig.play();
    EXPECT_EQ(last_cutoff, 1000.0);
}

TEST(ParamCommands, a_clamped_set_says_so_and_get_reads_the_clamped_value_back) {
    Rig rig;
    lo_message m = msg();
    lo_message_add_string(m, "bass");
    lo_message_add_string(m, "cutoff");
    lo_message_add_double(m, 99999.0);
    lo_message_add_string(m, "lag");
    lo_message_add_float(m, 0.0f);
    Answer a = rig.send("/lel/set", m);
    EXPECT_EQ(a.path, "/lel/done");
    EXPECT_NE(a.str(1).find("clamped to 20000"), std::string::npos) << a.str(1);
    m = msg();
    lo_message_add_string(m, "bass");
    lo_message_add_string(m, "cutoff");
    a = rig.send("/lel/get", m);
    EXPECT_EQ(a.path, "/lel/get.reply");
    EXPECT_EQ(a.str(0), "bass");
    EXPECT_EQ(a.str(1), "cutoff");
    EXPECT_EQ(a.num(2), 20000.0);
}

TEST(ParamCommands, unknown_names_bad_numbers_and_malformed_sets_fail_with_a_reason) {
    Rig rig;
    struct Case {
        const char* path;
        std::vector<std::variant<std::string, double>> args;
        const char* expect;
    };
    const std::vector<Case> cases = {
        {"/lel/set", {std::string("lead"), std::string("cutoff"), 1.0}, "no signal named 'lead'"},
        {"/lel/set", {std::string("bass"), std::string("q"), 1.0}, "no parameter 'q'"},
        {"/lel/set", {std::string("bass"), std::string("cutoff"), double(NAN)}, "not a number"},
        {"/lel/set", {std::string("bass"), std::string("cutoff"), double(INFINITY)}, "not a number"},
        {"/lel/set", {std::string("bass"), std::string("cutoff")}, "usage: /lel/set"},
        {"/lel/set", {std::string("bass")}, "usage: /lel/set"},
        {"/lel/set", {1.0}, "usage: /lel/set"},
        {"/lel/get", {std::string("bass")}, "usage: /lel/get"},
        {"/lel/get", {std::string("bass"), std::string("q")}, "no parameter 'q'"},
        {"/lel/trig", {std::string("nobody"), std::string("gate")}, "no signal named 'nobody'"},
        {"/lel/params", {1.0}, "usage: /lel/params"},
    };
    for (const Case& c : cases) {
        lo_message m = msg();
        for (const auto& a : c.args) {
            if (const auto* s = std::get_if<std::string>(&a)) lo_message_add_string(m, s->c_str());
            else lo_message_add_double(m, std::get<double>(a));
        }
        const Answer a = rig.send(c.path, m);
        SCOPED_TRACE(c.path);
        EXPECT_EQ(a.path, "/lel/fail");
        EXPECT_EQ(a.str(0), c.path);
        EXPECT_NE(a.str(1).find(c.expect), std::string::npos) << a.str(1);
        // The rate limit of unknown commands does not apply: each got its answer.
    }
    rig.play();
    EXPECT_EQ(last_cutoff, 800.0) << "nothing changed";
}

// A bundle nested 100 deep (leld opens 8) gets one clear answer and
// changes nothing; the same set 8 deep is applied.
TEST(ParamCommands, a_set_in_a_bundle_nested_100_deep_is_refused_with_a_reason_and_changes_nothing) {
    Rig rig;
    const auto send_nested = [&](int depth, double cutoff) {
        std::vector<char> packet = osc::encode({"/lel/set", {std::string("bass"), std::string("cutoff"), cutoff}});
        for (int i = 0; i < depth; ++i) packet = osc::bundle({packet});
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(rig.server.port());
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        rig.answers.clear();
        EXPECT_EQ(sendto(lo_server_get_socket_fd(rig.client), packet.data(), packet.size(), 0,
                         reinterpret_cast<const sockaddr*>(&to), sizeof to),
                  static_cast<ssize_t>(packet.size()));
        return rig.receive();
    };
    Answer a = send_nested(100, 1200.0);
    EXPECT_EQ(a.path, "/lel/fail");
    EXPECT_NE(a.str(1).find("nested too deep"), std::string::npos) << a.str(1);
    rig.play();
    EXPECT_EQ(last_cutoff, 800.0) << "nothing changed";
    a = send_nested(8, 1200.0);
    EXPECT_EQ(a.path, "/lel/done") << a.str(1);
    rig.play();
    EXPECT_EQ(last_cutoff, 1200.0);
}

TEST(ParamCommands, trig_with_no_value_plays_one_and_params_lists_everything_in_one_reply) {
    Rig rig;
    lo_message m = msg();
    lo_message_add_string(m, "bass");
    lo_message_add_string(m, "gate");
    Answer a = rig.send("/lel/trig", m);
    EXPECT_EQ(a.path, "/lel/done");
    EXPECT_EQ(a.str(0), "/lel/trig");
    a = rig.send("/lel/params", msg());
    EXPECT_EQ(a.path, "/lel/params.reply");
    ASSERT_EQ(a.args.size(), 14u) << "7 per parameter, 2 parameters";
    EXPECT_EQ(a.str(0), "bass");
    EXPECT_EQ(a.str(1), "cutoff");
    EXPECT_EQ(a.num(2), 800.0);
    EXPECT_EQ(a.num(3), 20.0);
    EXPECT_EQ(a.num(4), 20000.0);
    EXPECT_EQ(a.str(8), "gate");
    EXPECT_EQ(a.num(13), 0.0) << "gate was only triggered, never set";
}

// Found by the fuzzer: with a tempo, a quantum of a tiny number of beats
// made the beat grid's next multiple infinite (UB when made a frame).
TEST(ParamCommands, a_load_with_a_vanishing_quantum_in_beats_gets_an_answer) {
    Rig rig;
    lo_message m = msg();
    lo_message_add_float(m, 120.0f);
    EXPECT_EQ(rig.send("/lel/tempo", m).path, "/lel/done");
    m = msg();
    lo_message_add_string(m, "/nonexistent/lel/x.so");
    lo_message_add_double(m, 2e-308);
    const Answer a = rig.send("/lel/load", m);
    EXPECT_EQ(a.path, "/lel/fail");  // no such module: the quantum did no harm
}

void nan_signal(const lel_host* h) {
    detail::run_session(h, [](Session& s) { s.add("bad", [](Context& c) { return c.frame > 10 ? NAN : 0.0; }); });
}

TEST(Notify, a_subscriber_hears_changes_that_took_effect_and_muted_signals) {
    Rig rig;
    lo_message m = msg();
    lo_message_add_int32(m, 1);
    Answer a = rig.send("/lel/notify", m);
    EXPECT_EQ(a.path, "/lel/done");
    EXPECT_EQ(a.str(0), "/lel/notify");
    EXPECT_EQ(rig.context.subscribers.size(), 1u);

    // A clear: its answer, then (once the producer swapped) its event.
    rig.answers.clear();
    lo_message clear = msg();
    EXPECT_GE(lo_send_message_from(rig.leld, rig.client, "/lel/clear", clear), 0);
    lo_message_free(clear);
    for (int i = 0; i < 200 && !rig.server.try_receive_one(); ++i) std::this_thread::sleep_for(1ms);
    rig.play();
    flush_deferred(rig.context, rig.server);
    for (int i = 0; i < 100 && rig.answers.size() < 2; ++i) lo_server_recv_noblock(rig.client, 5);
    ASSERT_EQ(rig.answers.size(), 2u);
    EXPECT_EQ(rig.answers[1].path, "/lel/event");
    EXPECT_EQ(rig.answers[1].str(0), "clear");

    // A signal muted for NaN.
    ASSERT_TRUE(rig.engine.run_session(nan_signal, nullptr, "nan"));
    rig.play();
    rig.play();
    rig.answers.clear();
    rig.context.subscribers.report_mutes(rig.server, rig.engine);
    rig.context.subscribers.report_mutes(rig.server, rig.engine);  // once only
    for (int i = 0; i < 100 && rig.answers.empty(); ++i) lo_server_recv_noblock(rig.client, 5);
    lo_server_recv_noblock(rig.client, 20);
    ASSERT_EQ(rig.answers.size(), 1u);
    EXPECT_EQ(rig.answers[0].str(0), "muted");
    EXPECT_EQ(rig.answers[0].str(1), "bad");

    m = msg();
    lo_message_add_int32(m, 0);
    a = rig.send("/lel/notify", m);
    EXPECT_EQ(a.path, "/lel/done");
    EXPECT_EQ(rig.context.subscribers.size(), 0u);
}

TEST(Notify, a_thousand_subscribers_get_32_places_and_a_clear_refusal_and_vanished_ones_are_dropped) {
    Rig rig;
    int done = 0, refused = 0;
    for (int i = 0; i < 1000; ++i) {
        lo_server one = lo_server_new_with_proto(nullptr, LO_UDP, nullptr);
        lo_server_add_method(one, nullptr, nullptr, &Rig::on_answer, &rig);
        rig.answers.clear();
        lo_message m = msg();
        lo_message_add_int32(m, 1);
        lo_send_message_from(rig.leld, one, "/lel/notify", m);
        lo_message_free(m);
        for (int k = 0; k < 200 && !rig.server.try_receive_one(); ++k) std::this_thread::sleep_for(1ms);
        for (int k = 0; k < 100 && rig.answers.empty(); ++k) lo_server_recv_noblock(one, 5);
        lo_server_free(one);  // gone: its port closes
        ASSERT_EQ(rig.answers.size(), 1u) << "subscriber " << i;
        if (rig.answers[0].path == "/lel/done") {
            ++done;
        } else {
            ++refused;
            EXPECT_NE(rig.answers[0].str(1).find("too many subscribers"), std::string::npos);
        }
    }
    // A closed socket's port may come again to a later one: that address
    // was subscribed already, which is fine. Every answer was one or the other.
    EXPECT_EQ(rig.context.subscribers.size(), 32u);
    EXPECT_GE(done, 32);
    EXPECT_EQ(done + refused, 1000);
    // Events to all: every port is closed, the kernel says so (it rate-limits
    // those reports, so it takes a few events), and leld drops them.
    for (int k = 0; k < 60 && rig.context.subscribers.size() > 0; ++k) {
        rig.context.subscribers.send(rig.server, event("test"));
        std::this_thread::sleep_for(50ms);
        rig.server.try_receive_one();
    }
    EXPECT_EQ(rig.context.subscribers.size(), 0u) << "vanished subscribers stay";
}

}  // namespace
