// Tests of the module loader (src/module.*): which files it trusts, what it
// reads of them, and that nothing of a refused module runs.
//
// The ownership cases chown files to uid 65534 (nobody) and so need root (as
// in CI); elsewhere they are skipped. Paths to the test modules come from
// LEL_TEST_MODULE_<NAME> (tests/meson.build).
#include "engine.hpp"
#include "module.hpp"
#include "module_elf.hpp"
#include "module_file.hpp"
#include "module_scratch.hpp"
#include "playback.hpp"

#include <lel/abi.hpp>

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace lel {
namespace {

constexpr uid_t nobody = 65534;
#if defined(__x86_64__)
constexpr bool built_for_x86_64 = true;
#else
constexpr bool built_for_x86_64 = false;
#endif

fs::path test_module(const char* name) {
    const std::string var = std::string("LEL_TEST_MODULE_") + name;
    const char* value = std::getenv(var.c_str());
    if (!value) throw std::runtime_error(var + " is not set (run the tests with `meson test`)");
    return value;
}

/// The ModuleError's message of Module::open(path, args...), or "loaded".
template <typename... Args>
std::string refusal(const fs::path& path, Args&&... args) {
    try {
        Module::open(path, std::forward<Args>(args)...);
        return "loaded";
    } catch (const ModuleError& e) {
        return e.what();
    }
}

bool mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// Overwrites `bytes` at `offset` of `file`.
void patch(const fs::path& file, std::streamoff offset, std::string_view bytes) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(offset);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

bool is_empty_dir(const fs::path& dir) { return fs::directory_iterator(dir) == fs::directory_iterator(); }

class ModuleLoader : public ::testing::Test {
protected:
    void SetUp() override {
        std::string templ = (fs::temp_directory_path() / "lel-module-test-XXXXXX").string();
        ASSERT_NE(mkdtemp(templ.data()), nullptr);
        dir_ = templ;
    }
    void TearDown() override {
        std::error_code ec;
        fs::permissions(dir_, fs::perms::owner_all, ec);
        fs::remove_all(dir_, ec);
    }
    /// A copy of test module `name` at `to` (mode 0644, our own).
    fs::path copy_of(const char* name, const fs::path& to) {
        fs::copy_file(test_module(name), to, fs::copy_options::overwrite_existing);
        fs::permissions(to, fs::perms(0644));
        return to;
    }
    static void skip_unless_root() {
        if (geteuid() != 0) GTEST_SKIP() << "needs root (chown to another user)";
    }

    fs::path dir_;
};

TEST_F(ModuleLoader, a_trusted_module_loads) {
    EXPECT_EQ(refusal(copy_of("SINE_440", dir_ / "sine.so")), "loaded");
}

TEST_F(ModuleLoader, a_module_owned_by_another_user_is_refused) {
    skip_unless_root();
    const fs::path module = copy_of("SINE_440", dir_ / "theirs.so");
    ASSERT_EQ(chown(module.c_str(), nobody, nobody), 0);
    const std::string why = refusal(module);
    EXPECT_TRUE(mentions(why, module.string())) << why;
    EXPECT_TRUE(mentions(why, "owned by uid 65534")) << why;
}

TEST_F(ModuleLoader, a_module_others_can_write_is_refused) {
    const fs::path module = copy_of("SINE_440", dir_ / "shared.so");
    fs::permissions(module, fs::perms(0666));
    const std::string why = refusal(module);
    EXPECT_TRUE(mentions(why, module.string())) << why;
    EXPECT_TRUE(mentions(why, "writable by others")) << why;
}

TEST_F(ModuleLoader, a_module_in_a_world_writable_directory_without_the_sticky_bit_is_refused) {
    fs::create_directory(dir_ / "open");
    fs::permissions(dir_ / "open", fs::perms(0777));
    const fs::path module = copy_of("SINE_440", dir_ / "open" / "sine.so");
    const std::string why = refusal(module);
    EXPECT_TRUE(mentions(why, (dir_ / "open").string())) << why;
    EXPECT_TRUE(mentions(why, "writable by others")) << why;
}

TEST_F(ModuleLoader, a_module_in_a_world_writable_sticky_directory_loads) {
    fs::create_directory(dir_ / "like-tmp");
    fs::permissions(dir_ / "like-tmp", fs::perms(01777));
    EXPECT_EQ(refusal(copy_of("SINE_440", dir_ / "like-tmp" / "sine.so")), "loaded");
}

TEST_F(ModuleLoader, a_module_under_a_directory_owned_by_another_user_is_refused) {
    skip_unless_root();
    fs::create_directories(dir_ / "theirs" / "mine");
    const fs::path module = copy_of("SINE_440", dir_ / "theirs" / "mine" / "sine.so");
    ASSERT_EQ(chown((dir_ / "theirs").c_str(), nobody, nobody), 0);
    const std::string why = refusal(module);
    EXPECT_TRUE(mentions(why, (dir_ / "theirs").string())) << why;
    EXPECT_TRUE(mentions(why, "owned by uid 65534")) << why;
}

TEST_F(ModuleLoader, a_symlink_to_a_trusted_module_is_followed) {
    const fs::path module = copy_of("SINE_440", dir_ / "sine.so");
    fs::create_symlink(module, dir_ / "link.so");
    EXPECT_EQ(refusal(dir_ / "link.so"), "loaded");
}

TEST_F(ModuleLoader, a_symlink_to_an_untrusted_module_is_refused) {
    fs::create_directory(dir_ / "open");
    fs::permissions(dir_ / "open", fs::perms(0777));
    copy_of("SINE_440", dir_ / "open" / "sine.so");
    fs::create_symlink(dir_ / "open" / "sine.so", dir_ / "link.so");
    const std::string why = refusal(dir_ / "link.so");
    EXPECT_TRUE(mentions(why, "writable by others")) << why;
}

TEST_F(ModuleLoader, a_fifo_is_refused_at_once) {
    const fs::path fifo = dir_ / "fifo.so";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    auto result = std::async(std::launch::async, [&] { return refusal(fifo); });
    if (result.wait_for(2s) != std::future_status::ready) {
        // Unblock the loader so that the test can end: a writer opens the FIFO.
        const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
        if (fd >= 0) close(fd);
        FAIL() << "the loader blocked on a FIFO";
    }
    const std::string why = result.get();
    EXPECT_TRUE(mentions(why, "not a regular file")) << why;
}

// The path is swapped (atomic renames) between a module and a FIFO while the
// loader loads it again and again: a loader that checks the path and then
// opens it again can open the FIFO and block for ever. It runs in a child
// process so that a hang can be ended by killing it.
TEST_F(ModuleLoader, a_path_flipping_between_a_module_and_a_fifo_never_hangs_the_loader) {
    const fs::path module = copy_of("SINE_440", dir_ / "sine.so");
    const fs::path path = dir_ / "flip.so";
    (void)scratch_dir();  // the child uses the parent's, and leaves it alone
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        std::atomic<bool> done{false};
        std::thread flipper([&] {
            const fs::path fifo_tmp = dir_ / "fifo.tmp", module_tmp = dir_ / "module.tmp";
            while (!done.load(std::memory_order_relaxed)) {
                mkfifo(fifo_tmp.c_str(), 0600);
                rename(fifo_tmp.c_str(), path.c_str());
                link(module.c_str(), module_tmp.c_str());
                rename(module_tmp.c_str(), path.c_str());
            }
        });
        while (!fs::exists(path)) std::this_thread::yield();
        const auto end = std::chrono::steady_clock::now() + 3s;
        while (std::chrono::steady_clock::now() < end) (void)refusal(path);
        done.store(true, std::memory_order_relaxed);
        flipper.join();
        _exit(0);
    }
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (waitpid(child, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            FAIL() << "the loader hung on a path that became a FIFO";
        }
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
}

TEST_F(ModuleLoader, a_300_mib_file_is_refused_for_its_size_without_being_copied) {
    const fs::path module = copy_of("SINE_440", dir_ / "huge.so");
    fs::resize_file(module, 300u << 20);  // sparse: a valid ELF header, then holes
    const auto start = std::chrono::steady_clock::now();
    const std::string why = refusal(module);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(mentions(why, "too large")) << why;
    EXPECT_TRUE(mentions(why, module.string())) << why;
    EXPECT_LT(took, 200ms) << "refusing should not read the file";
}

TEST_F(ModuleLoader, an_elf_file_for_another_machine_is_refused) {
    const fs::path module = copy_of("SINE_440", dir_ / "foreign.so");
    const char aarch64_le[2] = {static_cast<char>(183), 0};
    const char x86_64_le[2] = {62, 0};
    patch(module, 18, std::string_view(built_for_x86_64 ? aarch64_le : x86_64_le, 2));  // e_machine
    const std::string why = refusal(module);
    EXPECT_TRUE(mentions(why, "not a shared object for this machine")) << why;
}

TEST_F(ModuleLoader, an_elf_executable_is_refused) {
    const fs::path module = copy_of("SINE_440", dir_ / "exec.so");
    patch(module, 16, std::string_view("\x02\x00", 2));  // e_type = ET_EXEC
    const std::string why = refusal(module);
    EXPECT_TRUE(mentions(why, "not a shared object")) << why;
}

TEST_F(ModuleLoader, a_module_without_section_headers_is_refused_before_it_is_loaded) {
    const fs::path module = copy_of("SINE_440", dir_ / "stripped.so");
    patch(module, 40, std::string_view("\0\0\0\0\0\0\0\0", 8));  // e_shoff = 0
    const std::string why = refusal(module);
    EXPECT_TRUE(mentions(why, "no section headers")) << why;
}

TEST_F(ModuleLoader, the_abi_version_is_read_from_the_file) {
    for (const auto& [name, expected] : {std::pair<const char*, std::optional<uint32_t>>{"SINE_440", abi_version},
                                         {"WRONG_ABI", 999u}, {"NOT_LEL", std::nullopt}}) {
        const ModuleFile file = open_trusted_module(test_module(name));
        EXPECT_EQ(read_abi_version(file.fd.get(), file.size, name), expected) << name;
    }
}

TEST_F(ModuleLoader, a_shared_object_that_is_not_a_lel_module_is_refused) {
    const std::string why = refusal(copy_of("NOT_LEL", dir_ / "not_lel.so"));
    EXPECT_TRUE(mentions(why, "not a lel module")) << why;
}

TEST_F(ModuleLoader, refused_modules_leave_nothing_in_the_scratch_directory) {
    const fs::path module = copy_of("WRONG_ABI", dir_ / "wrong.so");
    (void)refusal(module);
    fs::resize_file(module, 300u << 20);
    (void)refusal(module);
    EXPECT_TRUE(is_empty_dir(scratch_dir()));
}

TEST_F(ModuleLoader, the_module_dir_admits_modules_under_it_only) {
    fs::create_directory(dir_ / "allowed");
    const fs::path allowed = resolve_module_dir(dir_ / "allowed");
    EXPECT_EQ(refusal(copy_of("SINE_440", dir_ / "allowed" / "sine.so"), allowed), "loaded");

    const fs::path outside = copy_of("SINE_440", dir_ / "outside.so");
    std::string why = refusal(outside, allowed);
    EXPECT_TRUE(mentions(why, "outside the module directory")) << why;
    fs::create_symlink(outside, dir_ / "allowed" / "escape.so");
    why = refusal(dir_ / "allowed" / "escape.so", allowed);
    EXPECT_TRUE(mentions(why, "it resolves to " + outside.string())) << why;
    why = refusal(dir_ / "allowed" / ".." / "outside.so", allowed);
    EXPECT_TRUE(mentions(why, "outside the module directory")) << why;
}

TEST_F(ModuleLoader, a_module_dir_others_can_write_is_refused) {
    fs::create_directory(dir_ / "open");
    fs::permissions(dir_ / "open", fs::perms(0777));
    try {
        resolve_module_dir(dir_ / "open");
        FAIL() << "accepted";
    } catch (const ModuleError& e) {
        EXPECT_TRUE(mentions(e.what(), "writable by others")) << e.what();
    }
}

TEST_F(ModuleLoader, stale_scratch_directories_of_this_user_are_removed_and_live_ones_kept) {
    const pid_t dead = fork();
    ASSERT_GE(dead, 0);
    if (dead == 0) _exit(0);
    ASSERT_EQ(waitpid(dead, nullptr, 0), dead);
    const std::string d = std::to_string(dead);
    const fs::path stale = dir_ / ("lel-modules-" + d + "-aaaaaa");
    const fs::path live = dir_ / ("lel-modules-" + std::to_string(getpid()) + "-bbbbbb");
    const fs::path other_name = dir_ / ("lel-modulesX-" + d + "-cccccc");
    const fs::path old_style = dir_ / "lel-modules-dddddd";
    for (const fs::path& p : {stale, live, other_name, old_style}) fs::create_directory(p);
    std::ofstream(stale / "leftover.so") << "left behind";
    fs::create_symlink(stale, dir_ / ("lel-modules-" + d + "-link"));
    const fs::path theirs = dir_ / ("lel-modules-" + d + "-eeeeee");
    const bool root = geteuid() == 0;
    if (root) {
        fs::create_directory(theirs);
        ASSERT_EQ(chown(theirs.c_str(), nobody, nobody), 0);
    }

    EXPECT_EQ(remove_stale_scratch_dirs(dir_), 1u);
    EXPECT_FALSE(fs::exists(stale));
    for (const fs::path& kept : {live, other_name, old_style}) EXPECT_TRUE(fs::exists(kept)) << kept;
    if (root) {
        EXPECT_TRUE(fs::exists(theirs)) << "another user's directory";
    }
}

TEST_F(ModuleLoader, a_module_built_for_another_abi_runs_none_of_its_code) {
    const fs::path marker = dir_ / "constructed";
    setenv("LEL_TEST_CTOR_MARKER", marker.c_str(), 1);
    const std::string why = refusal(copy_of("CTOR_MARKER", dir_ / "ctor.so"));
    unsetenv("LEL_TEST_CTOR_MARKER");
    EXPECT_TRUE(mentions(why, "ABI mismatch")) << why;
    EXPECT_FALSE(fs::exists(marker)) << "the module's static constructor ran before its ABI was checked";
}

// ------------------------------------------- the state directory (engine)
// A new Engine on the state directory of one that stopped plays its
// program again, each name on its state as it was (state_store.hpp). Here
// the first engine stops normally (its destructor runs); the integration
// test `leld persistence` kills leld with SIGKILL instead.

class EngineState : public ::testing::Test {
protected:
    EngineState() {
        std::string templ = (fs::temp_directory_path() / "lel-engine-state-XXXXXX").string();
        dir_ = mkdtemp(templ.data());
        config_.sample_rate = 48000.0;
        config_.max_block = 64;
        config_.state_doubles = 1u << 16;
        config_.max_names = 64;
        config_.fade_ms = 0.0;
        config_.state_dir = dir_ / "state";
    }
    ~EngineState() override { fs::remove_all(dir_); }

    /// The counter's left channel (its raw state) over `frames` more frames.
    static std::vector<float> render(Engine& e, std::size_t frames) {
        std::vector<StereoFrame> out(frames);
        e.renderer().render(out);
        e.collect();
        std::vector<float> left;
        for (const StereoFrame& f : out) left.push_back(f.left);
        return left;
    }

    fs::path dir_;
    EngineConfig config_;
};

TEST_F(EngineState, a_new_engine_resumes_the_program_and_the_counter_goes_on_from_its_last_value) {
    float last = 0.0f;
    {
        Engine e(config_);
        const CommandResult r = e.load(test_module("COUNTER"));
        ASSERT_TRUE(r) << r.message;
        last = render(e, 4800).back();
        ASSERT_GT(last, 0.0f);
    }
    Engine e(config_);
    const ResumeResult resumed = e.resume();
    EXPECT_EQ(resumed.names, 1u);
    EXPECT_EQ(resumed.steps, 1u);
    EXPECT_EQ(resumed.failed, 0u);
    EXPECT_EQ(resumed.signals, 1u);
    const std::vector<float> next = render(e, 64);
    // The count went on by one sample: 0.5 / (100 s * 48000) higher.
    EXPECT_NEAR(next.front(), last + 0.5 / (100.0 * 48000.0), 1e-7) << "last before " << last;
}

TEST_F(EngineState, what_a_clear_left_resumes_to_nothing_and_a_missing_module_copy_fails_one_step) {
    {
        Engine e(config_);
        ASSERT_TRUE(e.load(test_module("COUNTER")));
        ASSERT_TRUE(e.clear());
    }
    {
        Engine e(config_);
        const ResumeResult resumed = e.resume();
        EXPECT_EQ(resumed.steps, 0u) << "a program that ended in a clear has nothing to replay";
        EXPECT_EQ(resumed.signals, 0u);
        ASSERT_TRUE(e.load(test_module("COUNTER")));
    }
    for (const fs::directory_entry& m : fs::directory_iterator(config_.state_dir / "modules")) fs::remove(m.path());
    Engine e(config_);
    const ResumeResult resumed = e.resume();
    EXPECT_EQ(resumed.steps, 1u);
    EXPECT_EQ(resumed.failed, 1u);
    EXPECT_EQ(resumed.signals, 0u);
}

// leld's answer to a JACK server back at another rate (playback.hpp): a new
// playback follows on from the old one through the state directory.
TEST_F(EngineState, a_playback_that_follows_on_at_another_rate_keeps_the_state_the_instant_and_the_beat) {
    Playback::Settings settings;
    settings.engine = config_;
    settings.period = 64;
    auto playback = std::make_unique<Playback>(settings);
    ASSERT_TRUE(playback->engine().load(test_module("COUNTER")));
    playback->engine().renderer().set_bpm(90.0);
    const float last = render(playback->engine(), 4800).back();  // 0.1 s at 48 kHz
    const double beat_before = playback->engine().renderer().beat_grid().base + 4800 * 90.0 / 60.0 / 48000.0;

    const Playback::Settings next = playback->follow_on(96000, 256);
    EXPECT_EQ(next.engine.sample_rate, 96000.0);
    EXPECT_EQ(next.period, 256u);
    EXPECT_EQ(next.engine.start_frame, 9600u) << "the same instant at the new rate";
    EXPECT_FALSE(next.engine.fresh_state);
    playback.reset();  // saves, and lets go of the state directory
    playback = std::make_unique<Playback>(next);
    Engine& e = playback->engine();
    EXPECT_EQ(playback->depth(), 512u) << "two of the new periods";
    EXPECT_EQ(playback->block(), 256u);
    EXPECT_EQ(e.renderer().frame_approx(), 9600u);
    EXPECT_NEAR(e.renderer().bpm(), 90.0, 1e-9);
    const Renderer::BeatGrid grid = e.renderer().beat_grid();
    EXPECT_NEAR(grid.base + 9600 * grid.beats_per_frame, beat_before, 1e-9) << "s.beat goes on";
    const ResumeResult resumed = e.resume();
    EXPECT_EQ(resumed.signals, 1u);
    EXPECT_EQ(resumed.failed, 0u);
    // The count goes on by one sample, now over 100 s of the new rate.
    const std::vector<float> first = render(e, 64);
    const double count_before = last * 200.0 * 48000.0;
    EXPECT_NEAR(first.front() * 200.0 * 96000.0, count_before + 1.0, 0.5);
}

TEST_F(EngineState, a_new_engine_goes_on_from_the_clock_the_last_one_saved_when_asked_to) {
    {
        Engine e(config_);
        ASSERT_TRUE(e.load(test_module("COUNTER")));
        e.renderer().set_bpm(90.0);
        e.set_tempo_bpm(90.0);
        e.set_fade_ms(20.0);
        render(e, 4800);  // collects: saves the clock
    }
    EngineConfig twice = config_;
    twice.sample_rate = 96000.0;
    twice.resume_clock = true;
    twice.fade_from_state = true;
    {
        Engine e(twice);
        EXPECT_EQ(e.renderer().frame_approx(), 9600u) << "0.1 s at the new rate";
        EXPECT_NEAR(e.renderer().bpm(), 90.0, 1e-9);
        EXPECT_EQ(e.tempo_bpm(), 90.0);
        EXPECT_NEAR(e.fade_ms(), 20.0, 1e-9);
        const Renderer::BeatGrid grid = e.renderer().beat_grid();
        EXPECT_NEAR(grid.base + 9600 * grid.beats_per_frame, 4800 * 90.0 / 60.0 / 48000.0, 1e-9) << "s.beat goes on";
    }
    Engine e(config_);  // not asked to: time starts at 0, at 120 bpm, with the configured fades
    EXPECT_EQ(e.renderer().frame_approx(), 0u);
    EXPECT_NEAR(e.renderer().bpm(), 120.0, 1e-9);
    EXPECT_EQ(e.tempo_bpm(), 0.0);
    EXPECT_EQ(e.fade_ms(), 0.0);
}

}  // namespace
}  // namespace lel
