// session_builder: the compile command, staleness, and builds that fail.
#include "session_builder.hpp"
#include "test_support.hpp"

#include <algorithm>
#include <gtest/gtest.h>

namespace {

using namespace lel::client;
using namespace lel::test;

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(SessionBuilder, SourcesAreToldFromModulesByTheirExtension) {
    EXPECT_TRUE(is_session_source("a/b.cpp"));
    EXPECT_TRUE(is_session_source("b.cc"));
    EXPECT_FALSE(is_session_source("b.so"));
    EXPECT_FALSE(is_session_source("cpp"));
    EXPECT_EQ(default_module_path("a/b.cpp"), fs::path("a/b.so"));
}

TEST(SessionBuilder, FromTheBuildTreeItUsesTheSourceTreesHeaders) {
    if (std::getenv("LEL_INCLUDE_DIR")) GTEST_SKIP() << "LEL_INCLUDE_DIR overrides the search";
    const Toolchain t = Toolchain::find();
    EXPECT_TRUE(fs::exists(t.include_dir / "lel" / "lel.hpp")) << t.include_dir;
    EXPECT_FALSE(t.compiler.empty());
}

TEST(SessionBuilder, TheCommandHasTheModuleFlagsAndTheIncludeDir) {
    const SessionBuilder b(Toolchain{{"ccache", "g++"}, "/opt/lel/include"});
    const auto argv = b.command("s.cpp", "s.so");
    ASSERT_GE(argv.size(), 2u);
    EXPECT_EQ(argv[0], "ccache");
    EXPECT_EQ(argv[1], "g++");
    for (const char* flag : {"-std=c++20", "-fPIC", "-fno-gnu-unique", "-fvisibility=hidden", "-O2", "-shared",
                             "-I/opt/lel/include", "s.cpp"}) {
        EXPECT_TRUE(contains(argv, flag)) << flag;
    }
    EXPECT_EQ(argv[argv.size() - 2], "-o");
    EXPECT_EQ(argv.back(), "s.so");
}

TEST(SessionBuilder, AModuleIsStaleWhenMissingOrOlderThanItsSource) {
    TempDir dir;
    const SessionBuilder b(Toolchain{{"c++"}, dir.path()});
    write_file(dir / "s.cpp", "");
    EXPECT_TRUE(b.stale(dir / "s.cpp", dir / "s.so"));
    write_file(dir / "s.so", "");
    const auto now = fs::last_write_time(dir / "s.cpp");
    fs::last_write_time(dir / "s.so", now + std::chrono::seconds(1));
    EXPECT_FALSE(b.stale(dir / "s.cpp", dir / "s.so"));
    fs::last_write_time(dir / "s.so", now - std::chrono::seconds(1));
    EXPECT_TRUE(b.stale(dir / "s.cpp", dir / "s.so"));
}

TEST(SessionBuilder, AMissingCompilerFailsWithAMessage) {
    TempDir dir;
    write_file(dir / "s.cpp", valid_session);
    const SessionBuilder b(Toolchain{{"/nonexistent/c++"}, Toolchain::find().include_dir});
    const BuildResult r = b.build(dir / "s.cpp");
    EXPECT_FALSE(r);
    EXPECT_NE(r.message.find("LEL_CXX"), std::string::npos) << r.message;
    EXPECT_FALSE(fs::exists(dir / "s.so"));
}

TEST(SessionBuilder, MissingHeadersFailBeforeTheCompilerRuns) {
    TempDir dir;
    write_file(dir / "s.cpp", valid_session);
    const SessionBuilder b(Toolchain{{"c++"}, dir / "nowhere"});
    const BuildResult r = b.build(dir / "s.cpp");
    EXPECT_FALSE(r);
    EXPECT_NE(r.message.find("LEL_INCLUDE_DIR"), std::string::npos) << r.message;
}

TEST(SessionBuilder, AFailedRebuildKeepsThePreviousModule) {
    TempDir dir;
    const SessionBuilder b(Toolchain::find());
    write_file(dir / "s.cpp", valid_session);
    const BuildResult first = b.build(dir / "s.cpp");
    ASSERT_EQ(first.outcome, BuildResult::Outcome::built) << first.message;
    EXPECT_EQ(first.module, dir / "s.so");
    const std::string before = read_file(dir / "s.so");

    write_file(dir / "s.cpp", broken_session);
    const BuildResult second = b.build(dir / "s.cpp", {}, true);
    EXPECT_EQ(second.outcome, BuildResult::Outcome::failed);
    EXPECT_EQ(read_file(dir / "s.so"), before);
    EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 2)
        << "a temporary file was left behind";
}

}  // namespace
