// bench/load_latency — the time from sending /lel/load to receiving the
// /lel/done that reports the swap frame, over N loads alternating between
// module files. Prints min, median, p95 and max in milliseconds.
//
//     load_latency --port 57140 --loads 100 A.so B.so
//
// A benchmark, not a test: it prints figures and fails only when leld does.
#include "osc_client.hpp"
#include "stats.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <vector>

int main(int argc, char** argv) {
    uint16_t port = 57140;
    int loads = 100;
    std::vector<std::string> modules;
    CLI::App app{"Time /lel/load -> /lel/done over repeated loads"};
    app.add_option("-p,--port", port, "leld's OSC port")->capture_default_str();
    app.add_option("-n,--loads", loads, "number of loads")->capture_default_str();
    app.add_option("modules", modules, "module files (.so) to alternate")->required();
    CLI11_PARSE(app, argc, argv);

    lel::client::OscClient client("127.0.0.1", port);
    std::vector<double> ms;
    ms.reserve(static_cast<std::size_t>(loads));
    for (int i = 0; i < loads; ++i) {
        const std::string path = std::filesystem::absolute(modules[static_cast<std::size_t>(i) % modules.size()]);
        const auto x = client.request({"/lel/load", {path}}, std::chrono::milliseconds(5000));
        if (!x || x.reply.path != "/lel/done") {
            fmt::print(stderr, "load {} failed: {}\n", i, x ? x.reply.string_at(1).value_or("?") : "no answer");
            return 1;
        }
        if (x.reply.integer_at(3).value_or(-1) < 0) {
            fmt::print(stderr, "load {}: leld did not report a swap frame\n", i);
            return 1;
        }
        ms.push_back(x.round_trip.count());
    }
    const auto at = [&](double q) { return lel::bench::percentile(ms, q); };
    fmt::print("load -> done over {} loads: min {:.3f} ms, median {:.3f} ms, p95 {:.3f} ms, max {:.3f} ms\n",
               ms.size(), at(0.0), at(0.5), at(0.95), at(1.0));
    fmt::print("load_done_median_ms {:.3f}\nload_done_p95_ms {:.3f}\n", at(0.5), at(0.95));
    return 0;
}
