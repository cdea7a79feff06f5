// Integration tests of which modules a running leld trusts (issue 8, items 1
// and 3): a real leld against a private dummy jackd, driven over OSC on
// 127.0.0.1. An untrusted module is refused with /lel/fail while what plays
// goes on; --module-dir confines loads; --bind to a non-loopback address
// warns in the log (no traffic is ever sent to it but through 127.0.0.1);
// scratch directories that dead lelds left behind are removed at start.
//
// The ownership case chowns a module to uid 65534 and so needs root (as in
// CI); elsewhere that case is skipped.
#include "harness.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace lel::test {
namespace {

constexpr uid_t nobody = 65534;
const char* const bind_warning = "anyone who can reach";

bool mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string read_all(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// A copy of test module `name` at `to`, ours, mode 0644.
fs::path copy_module(const char* name, const fs::path& to) {
    fs::copy_file(module_path(name), to, fs::copy_options::overwrite_existing);
    fs::permissions(to, fs::perms(0644));
    return to;
}

/// Drops the answers to the pings the harness sent while leld was starting
/// (it may answer several at once once it is up).
void settle(Leld& leld) {
    while (leld.osc().wait_reply(300ms)) {
    }
}

/// The message of the /lel/fail that loading `path` must get.
std::string load_refusal(OscClient& osc, const fs::path& path) {
    const OscReply reply = expect_call(osc, OscOut("/lel/load").s(path.string()));
    EXPECT_EQ(reply.path, "/lel/fail") << reply.describe();
    EXPECT_EQ(reply.string_at(0), "/lel/load") << reply.describe();
    return reply.string_at(1).value_or("");
}

class ModuleTrust : public ::testing::Test {
protected:
    TempDir dir_;
};

TEST_F(ModuleTrust, an_untrusted_module_gets_a_fail_while_the_sound_goes_on) {
    JackServer jack(dir_.path());
    Leld leld(dir_.path());
    settle(leld);
    load_frame(leld.osc(), module_path("sine_440").string());
    const int64_t loads = status_int(leld.osc(), "loads");

    fs::create_directory(dir_.path() / "open");
    fs::permissions(dir_.path() / "open", fs::perms(0777));
    const fs::path in_open_dir = copy_module("sine_660", dir_.path() / "open" / "sine_660.so");
    std::string why = load_refusal(leld.osc(), in_open_dir);
    EXPECT_TRUE(mentions(why, "untrusted module")) << why;
    EXPECT_TRUE(mentions(why, (dir_.path() / "open").string() + " is writable by others")) << why;

    if (geteuid() == 0) {
        const fs::path theirs = copy_module("sine_660", dir_.path() / "theirs.so");
        ASSERT_EQ(chown(theirs.c_str(), nobody, nobody), 0);
        why = load_refusal(leld.osc(), theirs);
        EXPECT_TRUE(mentions(why, theirs.string() + " is owned by uid 65534")) << why;
    }
    EXPECT_EQ(status_int(leld.osc(), "signals"), 1) << "the sine should still play";
    EXPECT_EQ(status_int(leld.osc(), "loads"), loads);
    EXPECT_TRUE(leld.osc().ping());
}

TEST_F(ModuleTrust, module_dir_accepts_a_module_inside_it_and_refuses_one_outside) {
    const fs::path allowed = dir_.path() / "allowed";
    fs::create_directory(allowed);
    const fs::path inside = copy_module("sine_440", allowed / "sine_440.so");
    fs::create_symlink(module_path("sine_660"), allowed / "escape.so");

    JackServer jack(dir_.path());
    Leld leld(dir_.path(), {"--fade-ms", "0", "--module-dir", allowed.string()});
    settle(leld);
    EXPECT_GE(load_frame(leld.osc(), inside.string()), -1);

    std::string why = load_refusal(leld.osc(), module_path("sine_660"));
    EXPECT_TRUE(mentions(why, "--module-dir")) << why;
    why = load_refusal(leld.osc(), allowed / "escape.so");
    EXPECT_TRUE(mentions(why, "--module-dir")) << why;
    EXPECT_EQ(status_int(leld.osc(), "signals"), 1);
}

TEST_F(ModuleTrust, a_leld_bound_to_every_address_warns_that_anyone_who_reaches_it_can_run_code) {
    JackServer jack(dir_.path());
    {
        Leld local(dir_.path());  // 127.0.0.1
        EXPECT_FALSE(mentions(read_all(local.process().log()), bind_warning)) << local.log_tail();
    }
    Leld open(dir_.path(), {"--fade-ms", "0", "--bind", "0.0.0.0"});  // the harness talks to it on 127.0.0.1
    EXPECT_TRUE(mentions(read_all(open.process().log()), bind_warning)) << open.log_tail();
}

TEST_F(ModuleTrust, a_leld_at_start_removes_the_scratch_directories_of_dead_lelds) {
    const pid_t dead = fork();
    ASSERT_GE(dead, 0);
    if (dead == 0) _exit(0);
    ASSERT_EQ(waitpid(dead, nullptr, 0), dead);

    const fs::path runtime = dir_.path() / "runtime";
    fs::create_directories(runtime);
    fs::permissions(runtime, fs::perms(0700));
    const fs::path stale = runtime / ("lel-modules-" + std::to_string(dead) + "-aB3dE6");
    const fs::path live = runtime / ("lel-modules-" + std::to_string(getpid()) + "-fG7hI8");
    fs::create_directory(stale);
    fs::create_directory(live);
    std::ofstream(stale / "leftover-0.so") << "a copy a crash left behind";

    JackServer jack(dir_.path());
    const char* old_runtime = std::getenv("XDG_RUNTIME_DIR");
    const std::optional<std::string> saved = old_runtime ? std::optional<std::string>(old_runtime) : std::nullopt;
    setenv("XDG_RUNTIME_DIR", runtime.c_str(), 1);
    {
        Leld leld(dir_.path());
        settle(leld);
        EXPECT_GE(load_frame(leld.osc(), module_path("sine_440").string()), -1);
        EXPECT_FALSE(fs::exists(stale)) << "the directory of a dead leld is still there";
        EXPECT_TRUE(fs::exists(live)) << "the directory of a live process was removed";
    }
    if (saved) setenv("XDG_RUNTIME_DIR", saved->c_str(), 1);
    else unsetenv("XDG_RUNTIME_DIR");
}

}  // namespace
}  // namespace lel::test
