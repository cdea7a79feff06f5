// leld's protocol table (src/protocol.hpp): every answer both sides read
// comes back from its own message as it went in, through the wire format;
// read() refuses what is not that answer (another command's, too few or
// wrong arguments); requests carry their arguments in the documented order.
// The handlers that send these are tested in param_commands_test.cpp and
// osc_test.cpp (an Engine and an OscServer, no JACK).
#include "protocol.hpp"

#include <gtest/gtest.h>

using namespace lel;
namespace p = lel::protocol;

namespace {

// Through the bytes, as the other side sees it.
osc::Message wire(const osc::Message& m) {
    auto back = osc::decode(osc::encode(m));
    EXPECT_TRUE(back);
    return back.value_or(osc::Message{});
}

TEST(Protocol, AnswersReadBackAsTheyWereMade) {
    const auto load = p::LoadDone::read(wire(p::LoadDone{"/tmp/a.so", 3, 4800.0}.message()));
    ASSERT_TRUE(load);
    EXPECT_EQ(load->path, "/tmp/a.so");
    EXPECT_EQ(load->signals, 3);
    EXPECT_EQ(load->frame, 4800.0);
    EXPECT_EQ(p::ClearDone::read(wire(p::ClearDone{-1.0}.message()))->frame, -1.0);
    const auto removed = p::RemoveDone::read(wire(p::RemoveDone{"bass", true, 96.0}.message()));
    ASSERT_TRUE(removed);
    EXPECT_TRUE(removed->removed);
    EXPECT_EQ(removed->name, "bass");
    EXPECT_EQ(p::SettingDone::read(wire(p::SettingDone{"/lel/tempo", 133.5}.message()))->value, 133.5);
    const auto set = p::Done::read(wire(p::Done{"/lel/set", "cutoff clamped to 20000"}.message()));
    ASSERT_TRUE(set);
    EXPECT_EQ(set->note, "cutoff clamped to 20000");
    EXPECT_FALSE(p::Done::read(wire(p::Done{"/lel/reset", {}}.message()))->note);
    const auto fail = p::Fail::read(wire(p::Fail{"/lel/load", "no such file"}.message()));
    ASSERT_TRUE(fail);
    EXPECT_EQ(fail->reason, "no such file");
    const auto get = p::GetReply::read(wire(p::GetReply{"bass", "cutoff", 800.0}.message()));
    ASSERT_TRUE(get);
    EXPECT_EQ(get->value, 800.0);
    p::ParamsReply params;
    params.params.push_back({"bass", "cutoff", 800.0, 20.0, 20000.0, 0.05, true});
    params.params.push_back({"lead", "midi.note", 60.0, 0.0, 127.0, 0.0, false});
    const auto back = p::ParamsReply::read(wire(params.message()));
    ASSERT_TRUE(back);
    ASSERT_EQ(back->params.size(), 2u);
    EXPECT_EQ(back->params[1].param, "midi.note");
    EXPECT_EQ(back->params[1].max, 127.0);
    EXPECT_FALSE(back->params[1].set);
    EXPECT_TRUE(back->params[0].set);
}

TEST(Protocol, ReadRefusesWhatIsNotItsAnswer) {
    const osc::Message load = p::LoadDone{"/tmp/a.so", 3, 4800.0}.message();
    EXPECT_FALSE(p::ClearDone::read(load));
    EXPECT_FALSE(p::RemoveDone::read(load));
    EXPECT_FALSE(p::GetReply::read(load));
    EXPECT_FALSE(p::Fail::read(load));
    osc::Message short_load = load;
    short_load.args.pop_back();
    EXPECT_FALSE(p::LoadDone::read(short_load));
    osc::Message wrong_type = load;
    wrong_type.args[2] = std::string("three");
    EXPECT_FALSE(p::LoadDone::read(wrong_type));
    EXPECT_FALSE(p::ParamsReply::read(osc::Message{std::string(p::params_reply), {std::string("bass")}}))
        << "not a whole number of seven-argument entries";
    EXPECT_TRUE(p::ParamsReply::read(osc::Message{std::string(p::params_reply), {}})) << "no parameters at all";
}

TEST(Protocol, RequestsCarryTheirArgumentsInTheDocumentedOrder) {
    const osc::Message load = p::LoadRequest{"/x.so", 4.0, true}.message();
    EXPECT_EQ(load.path, "/lel/load");
    EXPECT_EQ(load.types(), "sds");
    EXPECT_EQ(load.string_at(2), "crossfade");
    const osc::Message set = p::SetRequest{"bass", {std::string("cutoff"), 1200.0}, 0.5, false}.message();
    EXPECT_EQ(set.describe(), "/lel/set s:\"bass\" s:\"cutoff\" d:1200 s:\"lag\" d:0.500");
    const osc::Message trig = p::SetRequest{"bass", {std::string("gate")}, {}, true}.message();
    EXPECT_EQ(trig.describe(), "/lel/trig s:\"bass\" s:\"gate\"");
    EXPECT_EQ((p::GetRequest{"bass", "cutoff"}.message().describe()), "/lel/get s:\"bass\" s:\"cutoff\"");
    EXPECT_EQ(p::request(p::fade, 5.0f).describe(), "/lel/fade f:5");
    EXPECT_EQ(p::request(p::remove, "bass").describe(), "/lel/remove s:\"bass\"");
}

TEST(Protocol, EveryCommandHasItsOwnAddressAndNoneIsAnAnswerAddress) {
    for (std::size_t i = 0; i < p::commands.size(); ++i) {
        EXPECT_TRUE(p::commands[i].path.starts_with("/lel/"));
        EXPECT_FALSE(p::commands[i].path.ends_with(".reply"));
        for (std::size_t j = i + 1; j < p::commands.size(); ++j) EXPECT_NE(p::commands[i].path, p::commands[j].path);
        for (std::string_view answer : {p::done, p::fail, p::pong, p::event}) EXPECT_NE(p::commands[i].path, answer);
    }
}

}  // namespace
