// The `lel` binary end to end, against a fake leld (no JACK needed).
#include "test_support.hpp"

#include <lel/abi.hpp>

#include <dlfcn.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sstream>

namespace {

using namespace lel::test;
using namespace std::chrono_literals;
using lel::client::OscPacket;

TEST(LelBuild, AValidSessionBuildsALoadableModule) {
    TempDir dir;
    write_file(dir / "tone.cpp", valid_session);
    const LelResult r = run_lel({"build", "tone.cpp"}, dir.path());
    ASSERT_EQ(r.status, 0) << r.err;
    ASSERT_TRUE(fs::exists(dir / "tone.so"));

    void* handle = dlopen((dir / "tone.so").c_str(), RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle, nullptr) << dlerror();
    const auto* version = static_cast<const uint32_t*>(dlsym(handle, lel::abi_version_symbol));
    ASSERT_NE(version, nullptr);
    EXPECT_EQ(*version, lel::abi_version);
    EXPECT_NE(dlsym(handle, lel::entry_symbol), nullptr);
    dlclose(handle);
}

TEST(LelBuild, OutputGoesWhereDashOSays) {
    TempDir dir;
    write_file(dir / "tone.cpp", valid_session);
    const LelResult r = run_lel({"build", "tone.cpp", "-o", "other.so"}, dir.path());
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(fs::exists(dir / "other.so"));
    EXPECT_FALSE(fs::exists(dir / "tone.so"));
}

TEST(LelBuild, ASyntaxErrorFailsShowsTheCompilersErrorAndLeavesNoModule) {
    TempDir dir;
    write_file(dir / "broken.cpp", broken_session);
    const LelResult r = run_lel({"build", "broken.cpp"}, dir.path());
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("broken.cpp:3"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("error"), std::string::npos) << r.err;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
        EXPECT_EQ(entry.path().string().find(".so"), std::string::npos) << "left behind: " << entry.path();
    }
}

// Compile errors: the user's own file and line first, and short (issue 9).

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

/// Not a line of lel's headers' or the standard library's, nor of a
/// template instantiation chain (g++'s or clang's words for it).
void expect_nothing_from_headers(const std::string& err) {
    for (const char* word : {"include/lel/", "/usr/", "required from", "In instantiation", "in instantiation",
                             "In file included"}) {
        EXPECT_EQ(err.find(word), std::string::npos) << word << " in:\n" << err;
    }
}

/// Builds `source`, written as `name` in a fresh directory, expecting the
/// build to fail with nothing shown from lel's headers; what lel printed on
/// stderr, and its lines.
struct FailedBuild {
    std::string err;
    std::vector<std::string> lines;
};

FailedBuild failed_build(const std::string& name, const std::string& source) {
    TempDir dir;
    write_file(dir / name, source);
    const LelResult r = run_lel({"build", name}, dir.path());
    EXPECT_EQ(r.status, 2);
    expect_nothing_from_headers(r.err);
    return {r.err, lines_of(r.err)};
}

constexpr const char* two_typos_session = R"(#include <lel/lel.hpp>

LEL_SESSION(session) {
    session.add("bass", [](auto& s) {
        const double x = lel::saww(s, 55.0);
        return lel::lowpass(s, x, 800.0, 4.0) * gian;
    });
}
)";

TEST(LelBuild, TwoTyposPrintBothAtTheUsersLinesFirstInAtMostEightLines) {
    const auto [err, lines] = failed_build("typos.cpp", two_typos_session);
    EXPECT_LE(lines.size(), 8u) << err;
    ASSERT_FALSE(lines.empty());
    EXPECT_TRUE(lines[0].starts_with("typos.cpp:5:31: error:")) << err;
    EXPECT_NE(lines[0].find("saww"), std::string::npos) << err;
    EXPECT_NE(err.find("typos.cpp:6:49: error:"), std::string::npos) << err;
    EXPECT_NE(err.find("gian"), std::string::npos) << err;
    EXPECT_NE(err.find("-v"), std::string::npos) << "says how to see everything:\n" << err;
}

TEST(LelBuild, AWrongTypeInAHelperCallShowsTheUsersLineNotTheInstantiation) {
    const auto [err, lines] = failed_build("helper.cpp", R"(#include <lel/lel.hpp>
#include <string>

LEL_SESSION(session) {
    session.add("bass", [](auto& s) {
        const std::string cutoff = "800";
        return lel::lowpass(s, lel::saw(s, 55.0), cutoff, 4.0);
    });
}
)");
    EXPECT_LE(lines.size(), 5u) << err;
    ASSERT_FALSE(lines.empty());
    EXPECT_TRUE(lines[0].starts_with("helper.cpp:7:51: error:")) << err;
    EXPECT_NE(lines[0].find("double"), std::string::npos) << err;
}

TEST(LelBuild, AnErrorOnlyInsideLelsHeadersIsShownAtTheUsersLineThatLedThere) {
    const auto [err, lines] = failed_build("words.cpp", R"(#include <lel/lel.hpp>
#include <string>

LEL_SESSION(session) {
    session.add("words", [](auto&) { return std::string("la"); });
}
)");
    EXPECT_LE(lines.size(), 5u) << err;
    ASSERT_FALSE(lines.empty());
    EXPECT_TRUE(lines[0].starts_with("words.cpp:5:")) << err;
    EXPECT_NE(lines[0].find("a lel signal returns a number"), std::string::npos) << "lel's own words:\n" << err;
}

TEST(LelBuild, MoreThanFiveErrorsShowTheFirstFiveAndSayHowManyThereAre) {
    std::string source = "#include <lel/lel.hpp>\nLEL_SESSION(session) {\n";
    for (int i = 0; i < 7; ++i) source += fmt::format("    session.add(\"s{}\", [](auto&) {{ return undefined_{}; }});\n", i, i);
    const auto [err, lines] = failed_build("many.cpp", source + "}\n");
    std::size_t errors = 0;
    for (const std::string& line : lines) errors += line.starts_with("many.cpp:") && line.find(": error:") != std::string::npos;
    EXPECT_EQ(errors, 5u) << err;
    EXPECT_NE(err.find("many.cpp:3:"), std::string::npos) << "the first ones:\n" << err;
    EXPECT_NE(err.find("7 errors"), std::string::npos) << err;
    EXPECT_LE(lines.size(), 16u) << err;
}

TEST(LelBuild, VerbosePrintsTheCompilersWholeOutput) {
    TempDir dir;
    write_file(dir / "typos.cpp", two_typos_session);
    const LelResult r = run_lel({"build", "-v", "typos.cpp"}, dir.path());
    EXPECT_EQ(r.status, 2);
    // g++ and clang both follow the lambda into lel's session.hpp, where the
    // signal fails lel's static_asserts too, and echo the source lines.
    EXPECT_NE(r.err.find("include/lel/session.hpp"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("static_assert("), std::string::npos) << r.err;
    EXPECT_GT(lines_of(r.err).size(), 15u) << r.err;
}

TEST(LelBuild, AnUpToDateModuleIsNotRebuiltUnlessForced) {
    TempDir dir;
    write_file(dir / "tone.cpp", valid_session);
    ASSERT_EQ(run_lel({"build", "tone.cpp"}, dir.path()).status, 0);
    const auto built = fs::last_write_time(dir / "tone.so");

    const LelResult again = run_lel({"build", "tone.cpp"}, dir.path());
    EXPECT_EQ(again.status, 0);
    EXPECT_NE(again.out.find("up to date"), std::string::npos) << again.out;
    EXPECT_EQ(fs::last_write_time(dir / "tone.so"), built);

    EXPECT_EQ(run_lel({"build", "--force", "tone.cpp"}, dir.path()).status, 0);
    EXPECT_GT(fs::last_write_time(dir / "tone.so"), built);
}

TEST(LelBuild, AMissingSourceIsAUsageError) {
    TempDir dir;
    const LelResult r = run_lel({"build", "nothing.cpp"}, dir.path());
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("nothing.cpp"), std::string::npos) << r.err;
}

TEST(LelLoad, NoDaemonListeningExitsThreeQuickly) {
    TempDir dir;
    const std::string port = std::to_string(unused_port());
    const LelResult r = run_lel({"load", "--port", port, "--timeout", "0.5", "/nowhere/x.so"}, dir.path());
    EXPECT_EQ(r.status, 3);
    EXPECT_NE(r.err.find("no answer from leld on 127.0.0.1:" + port), std::string::npos) << r.err;
    EXPECT_LT(r.elapsed, 2s);
}

TEST(LelLoad, ADaemonThatNeverAnswersTimesOutWithThree) {
    TempDir dir;
    FakeDaemon daemon;  // receives, never answers
    const LelResult r = run_lel({"ping", "--port", std::to_string(daemon.port()), "--timeout", "0.3"}, dir.path());
    EXPECT_EQ(r.status, 3);
    EXPECT_GE(r.elapsed, 300ms);
    EXPECT_LT(r.elapsed, 2s);
}

TEST(LelLoad, ABrokenSessionSendsNothing) {
    TempDir dir;
    FakeDaemon daemon;
    write_file(dir / "broken.cpp", broken_session);
    const LelResult r =
        run_lel({"load", "--port", std::to_string(daemon.port()), "--timeout", "0.5", "broken.cpp"}, dir.path());
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("error"), std::string::npos) << r.err;
    EXPECT_FALSE(daemon.receive(200ms).has_value());
}

TEST(LelLoad, ASessionIsBuiltThenLoadedByItsAbsolutePath) {
    TempDir dir;
    FakeDaemon daemon;
    write_file(dir / "tone.cpp", valid_session);
    LelProcess lel({"load", "--port", std::to_string(daemon.port()), "tone.cpp"}, dir.path());

    const auto request = daemon.receive(30s);
    ASSERT_TRUE(request.has_value());
    EXPECT_EQ(request->path, "/lel/load");
    const std::string module = fs::canonical(dir / "tone.so").string();
    EXPECT_EQ(request->string_at(0), module);
    daemon.reply({"/lel/done", {std::string("/lel/load"), module, int32_t{1}, int64_t{123456}}});

    const LelResult r = lel.wait();
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("loaded " + module + ": 1 signal, in effect at frame 123456"), std::string::npos) << r.out;
}

TEST(LelLoad, AFailureFromTheDaemonIsShownAndExitsOne) {
    TempDir dir;
    FakeDaemon daemon;
    LelProcess lel({"load", "--port", std::to_string(daemon.port()), "mod.so"}, dir.path());
    const auto request = daemon.receive(10s);
    ASSERT_TRUE(request.has_value());
    EXPECT_EQ(request->string_at(0), (fs::canonical(dir.path()) / "mod.so").string());
    daemon.reply({"/lel/fail", {std::string("/lel/load"), std::string("no such file")}});

    const LelResult r = lel.wait();
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("no such file"), std::string::npos) << r.err;
}

TEST(LelLoad, AQuantumIsSentAsANumberAndCrossfadeAsAString) {
    TempDir dir;
    FakeDaemon daemon;
    LelProcess lel({"load", "--port", std::to_string(daemon.port()), "--quant", "48000", "--crossfade", "/m/x.so"},
                   dir.path());
    const auto request = daemon.receive(10s);
    ASSERT_TRUE(request.has_value());
    EXPECT_EQ(request->path, "/lel/load");
    ASSERT_EQ(request->args.size(), 3u);
    EXPECT_EQ(request->string_at(0), "/m/x.so");
    EXPECT_FALSE(request->string_at(1).has_value());
    EXPECT_EQ(request->number_at(1), 48000.0);
    EXPECT_EQ(request->string_at(2), "crossfade");
    daemon.reply({"/lel/done", {std::string("/lel/load"), std::string("/m/x.so"), int32_t{2}, 96000.0}});

    const LelResult r = lel.wait();
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "loaded /m/x.so: 2 signals, in effect at frame 96000\n");
}

TEST(LelLoad, WithoutOptionsOnlyThePathIsSent) {
    TempDir dir;
    FakeDaemon daemon;
    LelProcess lel({"load", "--port", std::to_string(daemon.port()), "--crossfade", "/m/x.so"}, dir.path());
    const auto request = daemon.receive(10s);
    ASSERT_TRUE(request.has_value());
    ASSERT_EQ(request->args.size(), 2u);  // crossfade, no quantum
    EXPECT_EQ(request->string_at(1), "crossfade");
    daemon.reply({"/lel/done", {std::string("/lel/load"), std::string("/m/x.so"), int32_t{1}, 0.0}});
    EXPECT_EQ(lel.wait().status, 0);

    LelProcess plain({"load", "--port", std::to_string(daemon.port()), "/m/x.so"}, dir.path());
    const auto again = daemon.receive(10s);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->args.size(), 1u);
    daemon.reply({"/lel/done", {std::string("/lel/load"), std::string("/m/x.so"), int32_t{1}, 0.0}});
    EXPECT_EQ(plain.wait().status, 0);
}

TEST(LelLoad, ASupersededLoadSaysSo) {
    TempDir dir;
    FakeDaemon daemon;
    LelProcess lel({"load", "--port", std::to_string(daemon.port()), "--quant", "4", "/m/x.so"}, dir.path());
    ASSERT_TRUE(daemon.receive(10s).has_value());
    daemon.reply({"/lel/done", {std::string("/lel/load"), std::string("/m/x.so"), int32_t{1}, -1.0}});
    const LelResult r = lel.wait();
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "loaded /m/x.so: 1 signal, queued, superseded or not yet in effect\n");
}

TEST(LelLoad, AQuantizedLoadWaitsLongerThanTheDefaultTimeout) {
    TempDir dir;
    FakeDaemon daemon;
    LelProcess lel({"load", "--port", std::to_string(daemon.port()), "--quant", "4", "/m/x.so"}, dir.path());
    ASSERT_TRUE(daemon.receive(10s).has_value());
    EXPECT_FALSE(daemon.receive(5500ms).has_value());  // past the 5 s default, lel still waits
    daemon.reply({"/lel/done", {std::string("/lel/load"), std::string("/m/x.so"), int32_t{1}, 192000.0}});
    const LelResult r = lel.wait();
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("in effect at frame 192000"), std::string::npos) << r.out;
}

TEST(LelLoad, AnExplicitTimeoutStillHoldsForAQuantizedLoad) {
    TempDir dir;
    FakeDaemon daemon;
    const LelResult r = run_lel(
        {"load", "--port", std::to_string(daemon.port()), "--quant", "4", "--timeout", "0.3", "/m/x.so"}, dir.path());
    EXPECT_EQ(r.status, 3);
    EXPECT_LT(r.elapsed, 2s);
}

TEST(LelLoad, ANonPositiveQuantumIsAUsageError) {
    TempDir dir;
    EXPECT_EQ(run_lel({"load", "--quant", "0", "/m/x.so"}, dir.path()).status, 2);
    EXPECT_EQ(run_lel({"load", "--quant", "-4", "/m/x.so"}, dir.path()).status, 2);
}

TEST(LelTempo, SendsTheBpmAsAFloatAndPrintsTheAnswer) {
    TempDir dir;
    FakeDaemon daemon;
    LelProcess lel({"tempo", "120", "--port", std::to_string(daemon.port())}, dir.path());
    const auto request = daemon.receive(10s);
    ASSERT_TRUE(request.has_value());
    EXPECT_EQ(request->path, "/lel/tempo");
    ASSERT_EQ(request->args.size(), 1u);
    EXPECT_EQ(std::get<float>(request->args[0]), 120.0f);
    daemon.reply({"/lel/done", {std::string("/lel/tempo"), 120.0}});
    const LelResult r = lel.wait();
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "tempo 120 bpm: load quanta count beats\n");

    LelProcess unset({"tempo", "0", "--port", std::to_string(daemon.port())}, dir.path());
    ASSERT_TRUE(daemon.receive(10s).has_value());
    daemon.reply({"/lel/done", {std::string("/lel/tempo"), 0.0}});
    EXPECT_EQ(unset.wait().out, "tempo unset: load quanta count frames\n");
}

TEST(LelFade, SendsTheMillisecondsAsAFloatAndPrintsTheAnswer) {
    TempDir dir;
    FakeDaemon daemon;
    LelProcess lel({"fade", "12.5", "--port", std::to_string(daemon.port())}, dir.path());
    const auto request = daemon.receive(10s);
    ASSERT_TRUE(request.has_value());
    EXPECT_EQ(request->path, "/lel/fade");
    ASSERT_EQ(request->args.size(), 1u);
    EXPECT_EQ(std::get<float>(request->args[0]), 12.5f);
    daemon.reply({"/lel/done", {std::string("/lel/fade"), 12.5}});
    const LelResult r = lel.wait();
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "fade 12.500 ms\n");
}

TEST(LelFade, ANegativeOrMissingValueIsAUsageError) {
    TempDir dir;
    EXPECT_EQ(run_lel({"fade"}, dir.path()).status, 2);
    EXPECT_EQ(run_lel({"fade", "-1"}, dir.path()).status, 2);
    EXPECT_EQ(run_lel({"tempo", "abc"}, dir.path()).status, 2);
}

/// Waits (up to 30 s) for `lel watch` to load `module` and answers it; false
/// if no load came.
bool answer_watch_load(FakeDaemon& daemon, const fs::path& module) {
    const std::string path = fs::canonical(module.parent_path()) / module.filename();
    const auto request = daemon.receive(30s);
    if (!request) return false;
    EXPECT_EQ(request->string_at(0), path);
    daemon.reply({"/lel/done", {std::string("/lel/load"), path, int32_t{1}, int64_t{0}}});
    return true;
}

TEST(LelWatch, LoadsAtStartThenAgainOnEverySaveAndSurvivesABrokenOne) {
    TempDir dir;
    FakeDaemon daemon;
    write_file(dir / "tone.cpp", valid_session);
    LelProcess lel({"watch", "--port", std::to_string(daemon.port()), "tone.cpp"}, dir.path());
    const auto answer_load = [&] { return answer_watch_load(daemon, dir / "tone.so"); };
    ASSERT_TRUE(answer_load()) << "no load at start";

    write_file(dir / "tone.cpp", broken_session);  // a save that does not build: nothing is sent
    EXPECT_FALSE(daemon.receive(3s).has_value());

    write_file(dir / ".tone.cpp.new", valid_session);  // saved by rename, as most editors do
    fs::rename(dir / ".tone.cpp.new", dir / "tone.cpp");
    ASSERT_TRUE(answer_load()) << "no load after the save";

    kill(lel.pid(), SIGTERM);
    const LelResult r = lel.wait();
    EXPECT_NE(r.err.find("error"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("saved"), std::string::npos) << r.out;
}

TEST(LelWatch, ASaveOfAHeaderTheSessionIncludesRebuildsAndReloads) {
    TempDir dir;
    FakeDaemon daemon;
    write_file(dir / "gain.hpp", "inline constexpr double gain = 0.5;\n");
    write_file(dir / "tone.cpp", std::string("#include \"gain.hpp\"\n") + valid_session);
    LelProcess lel({"watch", "--port", std::to_string(daemon.port()), "tone.cpp"}, dir.path());
    const auto answer_load = [&] { return answer_watch_load(daemon, dir / "tone.so"); };
    ASSERT_TRUE(answer_load()) << "no load at start";
    std::this_thread::sleep_for(500ms);  // the watch of the header starts after the first build
    write_file(dir / "gain.hpp", "inline constexpr double gain = 0.25;\n");
    ASSERT_TRUE(answer_load()) << "no load after the header was saved";
    kill(lel.pid(), SIGTERM);
    const LelResult r = lel.wait();
    EXPECT_NE(r.out.find("gain.hpp saved"), std::string::npos) << r.out;
}

TEST(LelBuild, AHeaderChangedSinceTheLastBuildIsRebuilt) {
    TempDir dir;
    write_file(dir / "gain.hpp", "inline constexpr double gain = 0.5;\n");
    write_file(dir / "tone.cpp", std::string("#include \"gain.hpp\"\n") + valid_session);
    ASSERT_EQ(run_lel({"build", "tone.cpp"}, dir.path()).status, 0);
    const auto built = fs::last_write_time(dir / "tone.so");
    write_file(dir / "gain.hpp", "inline constexpr double gain = 0.25;\n");
    fs::last_write_time(dir / "gain.hpp", built + std::chrono::seconds(1));
    const LelResult r = run_lel({"build", "tone.cpp"}, dir.path());
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_GT(fs::last_write_time(dir / "tone.so"), built) << "not rebuilt after its header changed:\n" << r.out;
}

TEST(LelStatus, PrintsEveryKeyValuePairOnItsOwnLine) {
    TempDir dir;
    FakeDaemon daemon;
    LelProcess lel({"status", "--port", std::to_string(daemon.port())}, dir.path());
    const auto request = daemon.receive(10s);
    ASSERT_TRUE(request.has_value());
    EXPECT_EQ(request->path, "/lel/status");
    daemon.reply({"/lel/done", {std::string("/lel/other")}});  // not the answer: ignored
    daemon.reply({"/lel/status.reply",
                  {std::string("signals"), int32_t{2}, std::string("latency_ms"), 2.5, std::string("frame"),
                   int64_t{99}, std::string("state_used"), 2097152.0}});

    const LelResult r = lel.wait();
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "signals         2\nlatency_ms      2.500\nframe           99\nstate_used      2097152\n");
}

TEST(LelRemove, SaysWhetherTheSignalWasThere) {
    TempDir dir;
    FakeDaemon daemon;
    LelProcess lel({"remove", "--port", std::to_string(daemon.port()), "drone"}, dir.path());
    const auto request = daemon.receive(10s);
    ASSERT_TRUE(request.has_value());
    EXPECT_EQ(request->path, "/lel/remove");
    EXPECT_EQ(request->string_at(0), "drone");
    daemon.reply({"/lel/done", {std::string("/lel/remove"), std::string("drone"), int32_t{0}, int64_t{-1}}});
    const LelResult r = lel.wait();
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("no signal named 'drone'"), std::string::npos) << r.out;
}

TEST(LelPing, PrintsPong) {
    TempDir dir;
    FakeDaemon daemon;
    LelProcess lel({"ping", "--port", std::to_string(daemon.port())}, dir.path());
    ASSERT_TRUE(daemon.receive(10s).has_value());
    daemon.reply({"/lel/pong", {}});
    const LelResult r = lel.wait();
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out.rfind("pong (", 0), 0u) << r.out;
}

// $LEL_PORT and $LEL_HOST are defaults: an explicit --port or --host wins.
TEST(LelPing, AnExplicitPortWinsOverLelPortWhichIsOnlyTheDefault) {
    TempDir dir;
    FakeDaemon daemon;
    const std::string port = std::to_string(daemon.port());
    {
        setenv("LEL_PORT", "1", 1);
        setenv("LEL_HOST", "127.0.0.2", 1);
        LelProcess lel({"ping", "--port", port, "--host", "127.0.0.1", "--timeout", "3"}, dir.path());
        unsetenv("LEL_PORT");
        unsetenv("LEL_HOST");
        ASSERT_TRUE(daemon.receive(10s).has_value()) << "the ping did not go to --port/--host";
        daemon.reply({"/lel/pong", {}});
        EXPECT_EQ(lel.wait().status, 0);
    }
    setenv("LEL_PORT", port.c_str(), 1);
    LelProcess lel({"ping", "--timeout", "3"}, dir.path());
    unsetenv("LEL_PORT");
    ASSERT_TRUE(daemon.receive(10s).has_value()) << "without --port, LEL_PORT is not used";
    daemon.reply({"/lel/pong", {}});
    EXPECT_EQ(lel.wait().status, 0);
}

TEST(LelUsage, NoSubcommandOrAnUnknownOptionExitsTwo) {
    TempDir dir;
    EXPECT_EQ(run_lel({}, dir.path()).status, 2);
    EXPECT_EQ(run_lel({"ping", "--bogus"}, dir.path()).status, 2);
    EXPECT_EQ(run_lel({"--version"}, dir.path()).status, 0);
}

}  // namespace
