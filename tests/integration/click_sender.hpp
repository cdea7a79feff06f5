// A JACK client for the integration tests that plays clicks into leld's
// audio inputs at known JACK frame times (routing_test.cpp measures the
// input-to-output latency with it, midi_test.cpp compares MIDI's with it).
#pragma once

#include "harness.hpp"

#include <jack/jack.h>

#include <string>

namespace lel::test {

inline constexpr jack_nframes_t click_every = 4800;  // 100 ms at 48 kHz

/// A JACK client whose two output ports, connected to <lel>:in_1 and
/// <lel>:in_2, play 0.5 (left) and -0.25 (right) at every frame time that
/// is a multiple of click_every, and 0 elsewhere.
/// Threads: construction and destruction on the test's thread; process()
/// on JACK's real-time thread (no allocation, no locks).
class ClickSender {
public:
    explicit ClickSender(const std::string& lel_client) {
        jack_status_t status{};
        client_ = jack_client_open("lel-test-sender", JackNoStartServer, &status);
        if (!client_) throw HarnessError("the sender cannot open a JACK client");
        for (int i = 0; i < 2; ++i) {
            const std::string name = "out_" + std::to_string(i + 1);
            ports_[i] = jack_port_register(client_, name.c_str(), JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
        }
        if (!ports_[0] || !ports_[1] || jack_set_process_callback(client_, &ClickSender::process, this) != 0 ||
            jack_activate(client_) != 0) {
            jack_client_close(client_);
            throw HarnessError("the sender cannot register its ports or activate");
        }
        for (int i = 0; i < 2; ++i) {
            const std::string to = lel_client + ":in_" + std::to_string(i + 1);
            if (jack_connect(client_, jack_port_name(ports_[i]), to.c_str()) != 0) {
                jack_client_close(client_);
                throw HarnessError("the sender cannot connect to " + to);
            }
        }
    }
    ~ClickSender() { jack_client_close(client_); }
    ClickSender(const ClickSender&) = delete;
    ClickSender& operator=(const ClickSender&) = delete;

private:
    static int process(jack_nframes_t frames, void* arg) noexcept {
        auto& self = *static_cast<ClickSender*>(arg);
        auto* left = static_cast<float*>(jack_port_get_buffer(self.ports_[0], frames));
        auto* right = static_cast<float*>(jack_port_get_buffer(self.ports_[1], frames));
        const jack_nframes_t start = jack_last_frame_time(self.client_);
        for (jack_nframes_t i = 0; i < frames; ++i) {
            const bool click = (start + i) % click_every == 0;
            left[i] = click ? 0.5f : 0.0f;
            right[i] = click ? -0.25f : 0.0f;
        }
        return 0;
    }

    jack_client_t* client_ = nullptr;
    jack_port_t* ports_[2] = {nullptr, nullptr};
};

}  // namespace lel::test
