// A JACK client for the integration tests that plays clicks into leld's
// audio inputs at known JACK frame times (routing_test.cpp measures the
// input-to-output latency with it, midi_test.cpp compares MIDI's with it).
#pragma once

#include "harness.hpp"

#include <jack/jack.h>

#include <string>
#include <vector>

namespace lel::test {

inline constexpr jack_nframes_t click_every = 4800;  // 100 ms at 48 kHz

/// An output port a test sender registers, and the port it connects to.
struct SenderPort {
    std::string name;
    const char* type;  ///< JACK_DEFAULT_AUDIO_TYPE or JACK_DEFAULT_MIDI_TYPE
    std::string to;
    jack_port_t** port;  ///< where the registered port goes
};

/// Opens the JACK client `name` into `client` (before it activates: the
/// process callback may read it at once), registers `ports`, runs `process`
/// and connects each port to its target. Throws HarnessError (having closed
/// the client) when any step fails.
inline void open_sender(jack_client_t*& client, const char* name, JackProcessCallback process, void* arg,
                        const std::vector<SenderPort>& ports) {
    jack_status_t status{};
    client = jack_client_open(name, JackNoStartServer, &status);
    if (!client) throw HarnessError(std::string(name) + " cannot open a JACK client");
    const auto fail = [&](const std::string& why) {
        jack_client_close(client);
        throw HarnessError(std::string(name) + " " + why);
    };
    for (const SenderPort& p : ports) {
        *p.port = jack_port_register(client, p.name.c_str(), p.type, JackPortIsOutput, 0);
        if (!*p.port) fail("cannot register " + p.name);
    }
    if (jack_set_process_callback(client, process, arg) != 0 || jack_activate(client) != 0) fail("cannot activate");
    for (const SenderPort& p : ports) {
        if (jack_connect(client, jack_port_name(*p.port), p.to.c_str()) != 0) fail("cannot connect to " + p.to);
    }
}

/// A JACK client whose two output ports, connected to <lel>:in_1 and
/// <lel>:in_2, play 0.5 (left) and -0.25 (right) at every frame time that
/// is a multiple of click_every, and 0 elsewhere.
/// Threads: construction and destruction on the test's thread; process()
/// on JACK's real-time thread (no allocation, no locks).
class ClickSender {
public:
    explicit ClickSender(const std::string& lel_client) {
        open_sender(client_, "lel-test-sender", &ClickSender::process, this,
                    {{"out_1", JACK_DEFAULT_AUDIO_TYPE, lel_client + ":in_1", &ports_[0]},
                     {"out_2", JACK_DEFAULT_AUDIO_TYPE, lel_client + ":in_2", &ports_[1]}});
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
