// The defaults the documentation states are the engine's: docs/OSC.md and
// README.md are read and compared with EngineConfig{} (which leld's options
// default to), so that the docs cannot drift from the code again.
// LEL_SOURCE_ROOT names the source tree (set by meson).
#include "engine.hpp"
#include "protocol.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>

namespace {

std::string read_doc(const char* relative) {
    const char* root = std::getenv("LEL_SOURCE_ROOT");
    if (!root) return {};
    std::ifstream in(std::string(root) + "/" + relative);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The first line of `text` that matches `line`, its first capture.
std::optional<std::string> find(const std::string& text, const std::string& line) {
    std::smatch m;
    if (!std::regex_search(text, m, std::regex(line))) return std::nullopt;
    return m[1].str();
}

TEST(Docs, OscReferenceGivesTheEnginesDefaultStateCapacity) {
    const std::string osc = read_doc("docs/OSC.md");
    ASSERT_FALSE(osc.empty()) << "docs/OSC.md not found (LEL_SOURCE_ROOT?)";
    const auto exponent = find(osc, R"(\| `state_capacity` \|[^\n]*default 2\^(\d+))");
    ASSERT_TRUE(exponent) << "docs/OSC.md: no `state_capacity` row with 'default 2^N'";
    EXPECT_EQ(std::size_t{1} << std::stoi(*exponent), lel::EngineConfig{}.state_doubles)
        << "docs/OSC.md says state_capacity defaults to 2^" << *exponent;
}

TEST(Docs, ReadmeGivesTheEnginesDefaultStateSizeAndFadeTime) {
    const std::string readme = read_doc("README.md");
    ASSERT_FALSE(readme.empty()) << "README.md not found (LEL_SOURCE_ROOT?)";
    const auto size = find(readme, R"(\| `-s, --state-size DOUBLES` \| (\d+))");
    ASSERT_TRUE(size) << "README.md: no `-s, --state-size` row";
    EXPECT_EQ(std::stoull(*size), lel::EngineConfig{}.state_doubles);
    const auto fade = find(readme, R"(\| `-f, --fade-ms MS` \| ([0-9.]+))");
    ASSERT_TRUE(fade) << "README.md: no `-f, --fade-ms` row";
    EXPECT_EQ(std::stod(*fade), lel::EngineConfig{}.fade_ms);
}

TEST(Docs, OscReferenceGivesTheEnginesDefaultFadeTime) {
    const auto ms = find(read_doc("docs/OSC.md"), R"(The fade time is ([0-9.]+) ms by default)");
    ASSERT_TRUE(ms) << "docs/OSC.md: no 'The fade time is N ms by default'";
    EXPECT_EQ(std::stod(*ms), lel::EngineConfig{}.fade_ms);
}

}  // namespace

// Every command of the protocol table (src/protocol.hpp) has its section in
// docs/OSC.md, headed with its address and arguments as the table writes
// them; and every section the reference heads with a /lel/ command is one
// the table (and so leld) has.
TEST(Docs, OscReferenceHasASectionForEveryCommandOfTheProtocolTable) {
    const std::string osc = read_doc("docs/OSC.md");
    ASSERT_FALSE(osc.empty()) << "docs/OSC.md not found (LEL_SOURCE_ROOT?)";
    for (const lel::protocol::Command& c : lel::protocol::commands) {
        const std::string heading =
            "### `" + std::string(c.path) + (c.takes.empty() ? "" : " " + std::string(c.takes)) + "`";
        EXPECT_NE(osc.find(heading + "\n"), std::string::npos) << "docs/OSC.md has no line starting " << heading;
    }
    const std::regex section(R"(\n### `(/lel/[a-z]+))");
    for (auto it = std::sregex_iterator(osc.begin(), osc.end(), section); it != std::sregex_iterator(); ++it) {
        const std::string path = (*it)[1].str();
        bool known = false;
        for (const lel::protocol::Command& c : lel::protocol::commands) known |= c.path == path;
        EXPECT_TRUE(known) << "docs/OSC.md documents " << path << ", which src/protocol.hpp does not have";
    }
}
