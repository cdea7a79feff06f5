// log_format: one event, one line, whatever the message carries.
#include "log_format.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace lel {
namespace {

TEST(EscapeControl, leaves_printable_text_and_utf8_as_it_is) {
    EXPECT_EQ(escape_control("/home/you/kick drum (Ø).so"), "/home/you/kick drum (Ø).so");
    EXPECT_EQ(escape_control("back\\slash"), "back\\slash");
}

TEST(EscapeControl, writes_every_control_character_as_an_escape) {
    EXPECT_EQ(escape_control("a\nb\rc\td"), "a\\nb\\rc\\td");
    EXPECT_EQ(escape_control(std::string("nul\0here", 8)), "nul\\x00here");
    EXPECT_EQ(escape_control("\x1b[31mred"), "\\x1b[31mred");
    EXPECT_EQ(escape_control("del\x7f"), "del\\x7f");
    EXPECT_EQ(escape_control("c1\xc2\x85next"), "c1\\u0085next");  // U+0085, NEL
}

TEST(LogFormat, a_message_with_a_newline_stays_one_line_in_the_log) {
    std::ostringstream out;
    auto logger = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_st>(out));
    const auto previous = spdlog::default_logger();
    spdlog::set_default_logger(logger);
    install_log_format();
    spdlog::warn("no such file: {}", "/tmp/x\n[12:00:00.000] [info] forged");
    spdlog::set_default_logger(previous);

    const std::string text = out.str();
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.find('\n'), text.size() - 1) << text;  // the only newline ends the record
    EXPECT_NE(text.find("[warning] no such file: /tmp/x\\n[12:00:00.000] [info] forged"), std::string::npos) << text;
}

}  // namespace
}  // namespace lel
