// bench/param_rate — /lel/set at a steady rate into a playing leld: do the
// sets cost the audio anything? Sends RATE sets per second for SECONDS to
// leld on 127.0.0.1:PORT (each to signal SIGNAL's parameter PARAM, values
// sweeping between LOW and HIGH), reads every answer, and prints the sets
// sent, answered done / fail / not at all, and leld's underruns and xruns
// over the run (deltas of /lel/status). A benchmark: it prints figures and
// fails only when leld does not answer at all.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <lo/lo.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

namespace {

struct Counts {
    long done = 0, fail = 0;
    double underruns = -1, xruns = -1;
    std::string first_failure;
};

int on_answer(const char* path, const char* types, lo_arg** argv, int argc, lo_message, void* self) {
    auto& c = *static_cast<Counts*>(self);
    const std::string p = path;
    if (p == "/lel/done") ++c.done;
    if (p == "/lel/fail") {
        ++c.fail;
        if (c.first_failure.empty() && argc > 1 && types[1] == 's') c.first_failure = reinterpret_cast<const char*>(argv[1]);
    }
    if (p == "/lel/status.reply") {
        for (int i = 0; i + 1 < argc; i += 2) {
            if (types[i] != 's') continue;
            // liblo's argument pointers need not be aligned: copy.
            const std::string key = reinterpret_cast<const char*>(argv[i]);
            double v = 0.0;
            if (types[i + 1] == 'i') {
                int32_t n;
                std::memcpy(&n, argv[i + 1], sizeof n);
                v = n;
            } else if (types[i + 1] == 'd') {
                std::memcpy(&v, argv[i + 1], sizeof v);
            }
            if (key == "underruns") c.underruns = v;
            if (key == "xruns") c.xruns = v;
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    int port = 57140, rate = 10000;
    double seconds = 10.0, low = 200.0, high = 4000.0;
    std::string signal = "bass", param = "cutoff";
    CLI::App app{"/lel/set at a steady rate into a playing leld"};
    app.add_option("--port", port, "leld's OSC port");
    app.add_option("--rate", rate, "sets per second");
    app.add_option("--seconds", seconds, "how long");
    app.add_option("--signal", signal);
    app.add_option("--param", param);
    app.add_option("--low", low);
    app.add_option("--high", high);
    CLI11_PARSE(app, argc, argv);

    Counts counts;
    lo_server me = lo_server_new_with_proto(nullptr, LO_UDP, nullptr);
    lo_server_add_method(me, nullptr, nullptr, on_answer, &counts);
    lo_address leld = lo_address_new("127.0.0.1", std::to_string(port).c_str());
    auto status = [&] {
        lo_send_from(leld, me, LO_TT_IMMEDIATE, "/lel/status", "");
        for (int i = 0; i < 200 && counts.underruns < 0; ++i) lo_server_recv_noblock(me, 10);
    };
    status();
    if (counts.underruns < 0) {
        std::fprintf(stderr, "param_rate: no answer from leld on port %d\n", port);
        return 1;
    }
    const double underruns0 = counts.underruns, xruns0 = counts.xruns;
    counts = Counts{};

    const long total = static_cast<long>(rate * seconds);
    const auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < total; ++i) {
        // Paced: set i goes at start + i / rate.
        const auto due = start + std::chrono::nanoseconds(static_cast<int64_t>(1e9 * double(i) / rate));
        while (std::chrono::steady_clock::now() < due) {
            if (lo_server_recv_noblock(me, 0) == 0) std::this_thread::sleep_for(std::chrono::microseconds(20));
        }
        const double x = low + (high - low) * (0.5 + 0.5 * std::sin(double(i) * 1e-3));
        lo_send_from(leld, me, LO_TT_IMMEDIATE, "/lel/set", "ssd", signal.c_str(), param.c_str(), x);
    }
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (int i = 0; i < 200 && counts.done + counts.fail < total; ++i) lo_server_recv_noblock(me, 10);
    const long answered = counts.done + counts.fail;
    counts.underruns = counts.xruns = -1;
    status();
    fmt::print("param_rate_sent {}\nparam_rate_per_second {:.0f}\nparam_rate_done {}\nparam_rate_fail {}\n"
               "param_rate_unanswered {}\nparam_rate_underruns {}\nparam_rate_xruns {}\n",
               total, double(total) / took, counts.done, counts.fail, total - answered,
               counts.underruns - underruns0, counts.xruns - xruns0);
    if (!counts.first_failure.empty()) fmt::print("# first failure: {}\n", counts.first_failure);
    lo_address_free(leld);
    lo_server_free(me);
    return 0;
}
