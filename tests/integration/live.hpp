// lel integration tests — the fixture of the tests that play: a fresh
// jackd, leld and capture client for every attempt, and attempts spoiled by
// the machine (not by leld) run again.
#pragma once

#include "capture.hpp"
#include "harness.hpp"
#include "retry.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace lel::test {

/// Each test runs its body through run(): a fresh jackd, leld and capture.
///
/// Design: real-time audio on a shared machine can glitch for reasons leld
/// cannot help: the dummy driver's timer fires late, or the whole graph
/// misses a cycle (JACK reports an xrun to every client), or leld's
/// producer is starved of CPU (leld counts an underrun). An attempt that
/// fails while the capture saw an xrun or leld underran is therefore
/// discarded, failures and all (retry_on_glitches in retry.hpp), and run again,
/// up to five times (the 2-core VMs CI runs on glitch now and then, a few
/// xruns in a minute, with nothing else running); its logs still go to stderr. A failure without such a
/// glitch, or in the last attempt, is reported as it was.
class LiveLeld : public ::testing::Test {
protected:
    static constexpr int attempts = 5;

    void run(const std::function<void()>& body) {
        retry_on_glitches(attempts, [&](int attempt, const std::function<bool()>& failed) {
            try {
                start();
                body();
            } catch (const std::exception& e) {
                ADD_FAILURE() << e.what();
            }
            const std::string glitches = describe_glitches();
            if (failed()) print_diagnostics(attempt, glitches);
            stop();
            return glitches;
        });
    }

    void TearDown() override { stop(); }

    OscClient& osc() { return leld_->osc(); }
    Capture& capture() { return *capture_; }

    /// Sends `message` and returns leld's answer; a missing answer fails the test.
    OscReply call(const OscOut& message, std::chrono::milliseconds timeout = 3000ms) {
        return expect_call(osc(), message, timeout);
    }

    OscReply status() { return lel::test::status(osc()); }
    int64_t status_int(std::string_view key) { return lel::test::status_int(osc(), key); }

    /// Waits for `seconds` more audio; failing that, fails the test.
    void record(double seconds) {
        if (!capture().wait_seconds(seconds)) throw HarnessError("the capture did not advance (JACK stalled?)");
    }

private:
    void start() {
        jack_.emplace(dir_.path());
        leld_.emplace(dir_.path(), leld_args_, leld_env_);
        capture_.emplace(leld_->client_name());
        if (!capture_->wait_frames(JackServer::period, 2000ms))
            throw HarnessError("the capture client records nothing");
        underruns_at_start_ = status_int("underruns");
    }

    void stop() {
        capture_.reset();
        leld_.reset();
        jack_.reset();
        underruns_at_start_.reset();
    }

    // "" when the attempt ran clean, else what went wrong with real time.
    std::string describe_glitches() {
        std::string out;
        if (capture_ && capture_->xruns() > 0) out = std::to_string(capture_->xruns()) + " JACK xruns";
        if (leld_ && !leld_->process().try_wait() && underruns_at_start_) {
            try {
                const int64_t underruns = status_int("underruns") - *underruns_at_start_;
                if (underruns > 0) out += (out.empty() ? "" : ", ") + std::to_string(underruns) + " leld underruns";
            } catch (const std::exception&) {
                // no status: the test's own failures say why
            }
        }
        return out;
    }

    void print_diagnostics(int attempt, const std::string& glitches) {
        std::cerr << "=== attempt " << attempt << (glitches.empty() ? "" : " (" + glitches + ")") << " failed\n"
                  << "--- leld (" << (leld_ ? leld_->client_name() : "?") << ") log tail:\n"
                  << (leld_ ? leld_->log_tail() : "") << "--- jackd log tail:\n"
                  << (jack_ ? jack_->log_tail() : "");
        if (capture_) {
            std::cerr << "--- capture: " << capture_->frames_approx() << " frames, overflowed "
                      << capture_->overflowed() << ", disconnections " << capture_->disconnections() << "\n";
        }
    }

protected:
    /// What leld is started with besides its port and name; set before run().
    std::vector<std::string> leld_args_ = Leld::no_fades();
    EnvChanges leld_env_;  ///< set for leld's environment (a test's NOTIFY_SOCKET, ...)
    TempDir dir_;
    std::optional<JackServer> jack_;
    std::optional<Leld> leld_;
    std::optional<Capture> capture_;

private:
    std::optional<int64_t> underruns_at_start_;
};

}  // namespace lel::test
