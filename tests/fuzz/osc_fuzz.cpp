// libFuzzer target: every datagram leld could receive, through the one entry
// point every packet goes through, OscServer::handle_datagram, with every
// command installed over an Engine without JACK. The "producer" is this
// target: after each input it renders one block in the same thread, so
// programs are taken, swapped and retired, and deferred answers are sent.
//
// Built by the fuzz build (clang-22, -Dfuzz=true: ASan + UBSan + libFuzzer;
// see scripts/test) and, with tests/fuzz/replay_main.cpp, in every build as
// `osc_fuzz_replay`, which runs the seed corpus once (suite fuzz).
//
// Nothing leaves the process: the server is bound to 127.0.0.1 port 0 and
// the sender has length 0, so no answer is sent; /lel/quit sets a flag.
// /lel/load never loads a real library, whatever path the fuzzer makes up:
// the engine's module directory (leld --module-dir) is an empty temporary
// directory, removed at exit.
#include "commands.hpp"
#include "engine.hpp"
#include "module_file.hpp"
#include "osc_server.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

// An empty directory of our own, for the engine to confine loads to.
std::filesystem::path empty_module_dir() {
    std::string dir = (std::filesystem::temp_directory_path() / "lel-fuzz-modules-XXXXXX").string();
    if (!mkdtemp(dir.data())) std::abort();
    static const std::filesystem::path made = dir;
    std::atexit([] { std::filesystem::remove(made); });
    return lel::resolve_module_dir(dir);
}

lel::EngineConfig engine_config() {
    lel::EngineConfig config;
    config.max_block = 64;
    config.state_doubles = 1u << 16;
    config.module_dir = empty_module_dir();
    return config;
}

struct Target {
    lel::Engine engine{engine_config()};
    lel::OscServer server{"127.0.0.1", 0};
    lel::CommandContext context{.engine = &engine, .runtime = {}, .quit = {}, .swap_timeout = {},
                                .deferred = {}};
    bool quit_asked = false;
    std::array<lel::StereoFrame, 64> block{};

    Target() {
        spdlog::set_level(spdlog::level::off);  // every malformed packet is logged: too slow, too loud
        context.quit = [this] { quit_asked = true; };
        context.swap_timeout = std::chrono::milliseconds(0);  // no real producer to wait for
        lel::install_commands(server, context);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    static Target target;
    target.server.handle_datagram(reinterpret_cast<const char*>(data), size, lel::OscServer::Sender{});
    target.engine.renderer().render(target.block);
    target.engine.collect();
    lel::flush_deferred(target.context, target.server);
    return 0;
}
