// session_builder: the compile command, staleness, builds that fail, and
// the precompiled header (real compiles, each in a cache directory of its own).
#include "config.hpp"
#include "session_builder.hpp"
#include "test_support.hpp"

#include <lel/abi.hpp>

#include <algorithm>
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <optional>
#include <thread>

namespace {

using namespace lel::client;
using namespace lel::test;

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

/// Sets (or, with nullptr, unsets) an environment variable for a scope.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        value ? setenv(name, value, 1) : unsetenv(name);
    }
    ~ScopedEnv() { old_ ? setenv(name_, old_->c_str(), 1) : unsetenv(name_); }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

/// True when the module loads and exports lel's ABI version.
bool loads(const fs::path& module) {
    void* handle = dlopen(module.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) return false;
    const auto* version = static_cast<const uint32_t*>(dlsym(handle, lel::abi_version_symbol));
    const bool ok = version && *version == lel::abi_version && dlsym(handle, lel::entry_symbol);
    dlclose(handle);
    return ok;
}

/// True when the command uses a precompiled header (GCC's or clang's way).
bool uses_pch(const std::vector<std::string>& argv) {
    return contains(argv, "-include") || contains(argv, "-include-pch");
}

/// A source that needs no header: a build in a fraction of a second, for
/// tests about what happens without a precompiled header.
constexpr const char* headerless_source = "int lel_test_value = 1;\n";

/// The toolchain lel uses, with a cache in `dir` and lel's headers copied
/// into `dir` (so that a test may touch them).
Toolchain private_toolchain(const TempDir& dir) {
    Toolchain t = Toolchain::find();
    fs::create_directories(dir / "include");
    fs::copy(t.include_dir / "lel", dir / "include" / "lel", fs::copy_options::recursive);
    t.include_dir = dir / "include";
    t.cache_dir = dir / "cache";
    return t;
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
    const SessionBuilder b(Toolchain{{"ccache", "g++"}, "/opt/lel/include", {}});
    const auto argv = b.command("s.cpp", "s.so");
    ASSERT_GE(argv.size(), 2u);
    EXPECT_EQ(argv[0], "ccache");
    EXPECT_EQ(argv[1], "g++");
    for (const char* flag : {"-std=c++20", "-fPIC", "-fvisibility=hidden", "-shared", "-I/opt/lel/include", "s.cpp"}) {
        EXPECT_TRUE(contains(argv, flag)) << flag;
    }
    // and -fno-gnu-unique, with g++
    for (const char* flag : lel::config::module_flags) EXPECT_TRUE(contains(argv, flag)) << flag;
    EXPECT_EQ(argv[argv.size() - 2], "-o");
    EXPECT_EQ(argv.back(), "s.so");
    EXPECT_FALSE(uses_pch(argv));
}

TEST(SessionBuilder, ModulesAreOptimisedLikeTheRestOfLel) {
    const auto argv = SessionBuilder(Toolchain{{"g++"}, "/opt/lel/include", {}}).command("s.cpp", "s.so");
    EXPECT_TRUE(contains(argv, "-O3"));
    for (const char* flag : lel::config::module_opt_flags) EXPECT_TRUE(contains(argv, flag)) << flag;
    EXPECT_FALSE(contains(argv, "-O2"));
}

TEST(SessionBuilder, AModuleIsStaleWhenMissingOrOlderThanItsSource) {
    TempDir dir;
    const SessionBuilder b(Toolchain{{"c++"}, dir.path(), {}});
    write_file(dir / "s.cpp", "");
    EXPECT_TRUE(b.stale(dir / "s.cpp", dir / "s.so"));
    write_file(dir / "s.so", "");
    const auto now = fs::last_write_time(dir / "s.cpp");
    fs::last_write_time(dir / "s.so", now + std::chrono::seconds(1));
    EXPECT_FALSE(b.stale(dir / "s.cpp", dir / "s.so"));
    fs::last_write_time(dir / "s.so", now - std::chrono::seconds(1));
    EXPECT_TRUE(b.stale(dir / "s.cpp", dir / "s.so"));
}

// A session of several files: a header of the user's that it includes is
// part of it, for `lel load` (rebuild) and for `lel watch` (watch it).
TEST(SessionBuilder, AModuleIsStaleWhenAHeaderItIncludesChanges) {
    TempDir dir;
    const SessionBuilder b(private_toolchain(dir));
    fs::create_directories(dir / "parts");
    write_file(dir / "parts" / "tune.hpp", "inline constexpr double tune = 440.0;\n");
    write_file(dir / "s.cpp", "#include \"parts/tune.hpp\"\n#include <lel/lel.hpp>\n"
                              "LEL_SESSION(session) { session.add(\"t\", [](auto&) { return tune * 0.0; }); }\n");
    const BuildResult built = b.build(dir / "s.cpp");
    ASSERT_TRUE(built) << built.message;
    ASSERT_FALSE(b.stale(dir / "s.cpp", dir / "s.so"));

    const auto files = b.user_files(dir / "s.cpp", dir / "s.so");
    EXPECT_EQ(files.size(), 2u);  // the session and its header; not lel's, not the system's
    EXPECT_NE(std::find(files.begin(), files.end(), fs::absolute(dir / "parts" / "tune.hpp").lexically_normal()),
              files.end());

    const auto built_at = fs::last_write_time(dir / "s.so");
    write_file(dir / "parts" / "tune.hpp", "inline constexpr double tune = 330.0;\n");
    fs::last_write_time(dir / "parts" / "tune.hpp", built_at + std::chrono::seconds(1));
    EXPECT_TRUE(b.stale(dir / "s.cpp", dir / "s.so")) << "the header changed after the build";

    fs::remove(dir / "parts" / "tune.hpp");
    EXPECT_TRUE(b.stale(dir / "s.cpp", dir / "s.so")) << "a header that went is a change too";
}

TEST(SessionBuilder, AMissingCompilerFailsWithAMessage) {
    TempDir dir;
    write_file(dir / "s.cpp", valid_session);
    const SessionBuilder b(Toolchain{{"/nonexistent/c++"}, Toolchain::find().include_dir, {}});
    const BuildResult r = b.build(dir / "s.cpp");
    EXPECT_FALSE(r);
    EXPECT_NE(r.message.find("LEL_CXX"), std::string::npos) << r.message;
    EXPECT_FALSE(fs::exists(dir / "s.so"));
}

TEST(SessionBuilder, MissingHeadersFailBeforeTheCompilerRuns) {
    TempDir dir;
    write_file(dir / "s.cpp", valid_session);
    const SessionBuilder b(Toolchain{{"c++"}, dir / "nowhere", {}});
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
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(dir.path())) left.push_back(e.path().filename().string());
    std::sort(left.begin(), left.end());
    // The source, the module and the module's dependency list: no temporary file.
    EXPECT_EQ(left, (std::vector<std::string>{".s.so.d", "s.cpp", "s.so"}));
}

TEST(SessionBuilder, AFailedBuildKeepsTheCompilersOutputAndCutsItsErrorsDownToTheUsersLines) {
    TempDir dir;
    const SessionBuilder b(Toolchain::find());
    write_file(dir / "s.cpp", broken_session);
    const BuildResult r = b.build(dir / "s.cpp");
    EXPECT_FALSE(r);
    EXPECT_TRUE(r.diagnostics.starts_with((dir / "s.cpp").string() + ":3:")) << r.diagnostics;
    EXPECT_NE(r.diagnostics.find("3 |"), std::string::npos) << "quotes the line:\n" << r.diagnostics;
    EXPECT_GE(r.compiler_output.size(), r.diagnostics.size());
    EXPECT_NE(r.message.find("error"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("-v"), std::string::npos) << r.message;

    const BuildResult verbose = b.build(dir / "s.cpp", {}, true, true);  // the compiler prints it all itself
    EXPECT_FALSE(verbose);
    EXPECT_TRUE(verbose.diagnostics.empty());
    EXPECT_TRUE(verbose.compiler_output.empty());
}

TEST(PrecompiledHeader, TheCacheIsUnderXdgCacheHomeAndLelNoPchTurnsItOff) {
    {
        const ScopedEnv xdg("XDG_CACHE_HOME", "/somewhere/cache");
        const ScopedEnv on("LEL_NO_PCH", nullptr);
        EXPECT_EQ(Toolchain::find().cache_dir, fs::path("/somewhere/cache/lel"));
        const ScopedEnv zero("LEL_NO_PCH", "0");
        EXPECT_EQ(Toolchain::find().cache_dir, fs::path("/somewhere/cache/lel"));
    }
    {
        const ScopedEnv xdg("XDG_CACHE_HOME", nullptr);
        const ScopedEnv home("HOME", "/home/someone");
        const ScopedEnv on("LEL_NO_PCH", nullptr);
        EXPECT_EQ(Toolchain::find().cache_dir, fs::path("/home/someone/.cache/lel"));
        const ScopedEnv off("LEL_NO_PCH", "1");
        EXPECT_TRUE(Toolchain::find().cache_dir.empty());
    }
}

// One test, because building the header is what takes time (~2.5 s each).
TEST(PrecompiledHeader, IsBuiltOnceForConcurrentBuildsUsedByTheNextAndRebuiltWhenDamagedOrStale) {
    TempDir dir;
    const Toolchain t = private_toolchain(dir);
    write_file(dir / "a.cpp", valid_session);
    write_file(dir / "b.cpp", valid_session);
    BuildResult a, b;
    {
        // Two builders at once, as two lel processes would: one builds the
        // header, the other waits for it (flock) and finds it built.
        std::jthread other([&] { b = SessionBuilder(t).build(dir / "b.cpp"); });
        a = SessionBuilder(t).build(dir / "a.cpp");
    }
    ASSERT_EQ(a.outcome, BuildResult::Outcome::built) << a.message;
    ASSERT_EQ(b.outcome, BuildResult::Outcome::built) << b.message;
    EXPECT_TRUE(uses_pch(a.command));
    EXPECT_TRUE(uses_pch(b.command));
    EXPECT_TRUE((a.pch_seconds > 0.0) != (b.pch_seconds > 0.0)) << "built by exactly one of them";
    EXPECT_TRUE(loads(dir / "a.so"));
    EXPECT_TRUE(loads(dir / "b.so"));

    // The next build finds it in the cache.
    const SessionBuilder builder(t);
    const PrecompiledHeader pch = builder.precompiled_header();
    ASSERT_TRUE(pch) << pch.message;
    EXPECT_FALSE(pch.built);
    EXPECT_EQ(pch.file.parent_path().parent_path(), dir / "cache");
    const auto built_at = fs::last_write_time(pch.file);
    const BuildResult again = builder.build(dir / "a.cpp", {}, true);
    ASSERT_EQ(again.outcome, BuildResult::Outcome::built) << again.message;
    EXPECT_TRUE(uses_pch(again.command));
    EXPECT_EQ(again.pch_seconds, 0.0);
    EXPECT_EQ(fs::last_write_time(pch.file), built_at);
    EXPECT_TRUE(loads(dir / "a.so"));
    for (const auto& entry : fs::directory_iterator(pch.file.parent_path())) {
        EXPECT_NE(entry.path().filename().string().front(), '.') << "a temporary file was left: " << entry.path();
    }

    // Truncated (GCC would fail outright on it): rebuilt.
    fs::resize_file(pch.file, fs::file_size(pch.file) / 2);
    const BuildResult truncated = builder.build(dir / "a.cpp", {}, true);
    ASSERT_EQ(truncated.outcome, BuildResult::Outcome::built) << truncated.message;
    EXPECT_GT(truncated.pch_seconds, 0.0) << "not rebuilt";
    EXPECT_TRUE(uses_pch(truncated.command));
    EXPECT_TRUE(loads(dir / "a.so"));

    // A header it read touched (clang would fail outright): rebuilt.
    fs::last_write_time(dir / "include" / "lel" / "abi.hpp", fs::file_time_type::clock::now());
    const BuildResult touched = builder.build(dir / "a.cpp", {}, true);
    ASSERT_EQ(touched.outcome, BuildResult::Outcome::built) << touched.message;
    EXPECT_GT(touched.pch_seconds, 0.0) << "not rebuilt";
    EXPECT_TRUE(uses_pch(touched.command));
    EXPECT_TRUE(loads(dir / "a.so"));
}

TEST(PrecompiledHeader, LelNoPchBuildsWithoutOne) {
    TempDir dir;
    const ScopedEnv xdg("XDG_CACHE_HOME", (dir / "cache").c_str());
    const ScopedEnv off("LEL_NO_PCH", "1");
    write_file(dir / "s.cpp", headerless_source);
    const BuildResult r = SessionBuilder(Toolchain::find()).build(dir / "s.cpp");
    ASSERT_EQ(r.outcome, BuildResult::Outcome::built) << r.message;
    EXPECT_FALSE(uses_pch(r.command));
    EXPECT_FALSE(fs::exists(dir / "cache"));
}

TEST(PrecompiledHeader, AnUnwritableCacheBuildsWithoutOne) {
    TempDir dir;
    write_file(dir / "file", "");
    Toolchain t = Toolchain::find();
    t.cache_dir = dir / "file" / "cache";  // under a file: cannot be created, even by root
    const SessionBuilder builder(t);
    EXPECT_NE(builder.precompiled_header().message.find("cannot write"), std::string::npos);
    write_file(dir / "s.cpp", headerless_source);
    const BuildResult r = builder.build(dir / "s.cpp");
    ASSERT_EQ(r.outcome, BuildResult::Outcome::built) << r.message;
    EXPECT_FALSE(uses_pch(r.command));
}

TEST(PrecompiledHeader, AnUnknownCompilerGetsNone) {
    TempDir dir;
    const SessionBuilder builder(Toolchain{{"/bin/true"}, dir.path(), dir / "cache"});
    const PrecompiledHeader pch = builder.precompiled_header();
    EXPECT_FALSE(pch);
    EXPECT_NE(pch.message.find("neither GCC nor clang"), std::string::npos) << pch.message;
    EXPECT_FALSE(fs::exists(dir / "cache"));
}

}  // namespace
