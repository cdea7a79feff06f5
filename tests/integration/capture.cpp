#include "capture.hpp"

#include "harness.hpp"

#include <jack/uuid.h>

#include <algorithm>
#include <cstring>
#include <thread>

namespace lel::test {

Capture::Capture(const std::string& lel_client, double seconds, std::string name, bool connect)
    : lel_client_(lel_client) {
    jack_status_t status{};
    if (name.empty()) name = unique_name("lel-capture");
    client_ = jack_client_open(name.c_str(), JackNoStartServer, &status);
    if (!client_) throw HarnessError("capture: cannot open a JACK client (status " + std::to_string(status) + ")");
    sample_rate_ = jack_get_sample_rate(client_);
    const auto frames = static_cast<std::size_t>(seconds * sample_rate_);
    left_.assign(frames, 0.0f);  // touched now, so the callback never faults pages in
    right_.assign(frames, 0.0f);
    lel_uuid_ = lel_uuid();
    if (lel_uuid_.empty()) {
        jack_client_close(client_);
        throw HarnessError("capture: no JACK client named '" + lel_client + "'");
    }
    for (int i = 0; i < 2; ++i) {
        const std::string port = "in_" + std::to_string(i + 1);
        ports_[i] = jack_port_register(client_, port.c_str(), JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
    }
    jack_set_process_callback(client_, &Capture::process, this);
    jack_set_port_connect_callback(client_, &Capture::on_connect, this);
    jack_set_client_registration_callback(client_, &Capture::on_client, this);
    jack_set_xrun_callback(client_, &Capture::on_xrun, this);
    jack_on_shutdown(client_, [](void* self) { static_cast<Capture*>(self)->lost_.store(true); }, this);
    if (!ports_[0] || !ports_[1] || jack_activate(client_) != 0) {
        jack_client_close(client_);
        throw HarnessError("capture: cannot register ports or activate");
    }
    for (int i = 0; i < 2 && connect; ++i) {
        const std::string from = lel_client + ":out_" + std::to_string(i + 1);
        if (jack_connect(client_, from.c_str(), jack_port_name(ports_[i])) != 0) {
            jack_client_close(client_);
            throw HarnessError("capture: cannot connect " + from);
        }
    }
}

Capture::~Capture() {
    if (lost_.load()) return;  // the server is gone: closing would wait for it
    jack_deactivate(client_);
    jack_client_close(client_);
}

std::string Capture::lel_uuid() const {
    char* uuid = jack_get_uuid_for_client_name(client_, lel_client_.c_str());
    if (!uuid) return {};
    std::string out(uuid);
    jack_free(uuid);
    return out;
}

int Capture::process(jack_nframes_t frames, void* arg) noexcept {
    auto& self = *static_cast<Capture*>(arg);
    const std::size_t at = self.written_.load(std::memory_order_relaxed);  // only this thread stores it
    if (at == 0) self.first_frame_time_.store(jack_last_frame_time(self.client_), std::memory_order_release);
    const std::size_t n = std::min<std::size_t>(frames, self.left_.size() - at);
    if (n < frames) self.overflowed_.store(true, std::memory_order_relaxed);
    if (n == 0) return 0;
    std::memcpy(self.left_.data() + at, jack_port_get_buffer(self.ports_[0], frames), n * sizeof(float));
    std::memcpy(self.right_.data() + at, jack_port_get_buffer(self.ports_[1], frames), n * sizeof(float));
    self.written_.store(at + n, std::memory_order_release);  // pairs with frames_approx()'s acquire
    return 0;
}

void Capture::on_connect(jack_port_id_t a, jack_port_id_t b, int connect, void* arg) noexcept {
    auto& self = *static_cast<Capture*>(arg);
    if (connect) return;
    const jack_port_t* pa = jack_port_by_id(self.client_, a);
    const jack_port_t* pb = jack_port_by_id(self.client_, b);
    for (const jack_port_t* ours : self.ports_) {
        if (ours && (pa == ours || pb == ours)) {
            self.disconnections_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
    }
}

void Capture::on_client(const char* name, int registered, void* arg) noexcept {
    auto& self = *static_cast<Capture*>(arg);
    if (!registered && name && self.lel_client_ == name) self.unregistrations_.fetch_add(1, std::memory_order_relaxed);
}

int Capture::on_xrun(void* arg) noexcept {
    static_cast<Capture*>(arg)->xruns_.fetch_add(1, std::memory_order_relaxed);
    return 0;
}

bool Capture::wait_frames(std::size_t count, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (frames_approx() < count) {
        if (overflowed() || Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

bool Capture::wait_seconds(double seconds) {
    const auto frames = static_cast<std::size_t>(seconds * sample_rate_);
    // The dummy driver runs in real time; allow generous slack for a loaded machine.
    const auto timeout = std::chrono::milliseconds(static_cast<long>(seconds * 3000.0) + 2000);
    return wait_frames(frames_approx() + frames, timeout);
}

Take Capture::take(std::size_t begin, std::size_t end) const {
    end = std::min(end, frames_approx());
    begin = std::min(begin, end);
    Take t;
    t.begin = begin;
    t.left.assign(left_.begin() + static_cast<std::ptrdiff_t>(begin), left_.begin() + static_cast<std::ptrdiff_t>(end));
    t.right.assign(right_.begin() + static_cast<std::ptrdiff_t>(begin),
                   right_.begin() + static_cast<std::ptrdiff_t>(end));
    return t;
}

bool Capture::connected_to_same_client() const {
    if (lel_uuid() != lel_uuid_) return false;
    for (int i = 0; i < 2; ++i) {
        const char** links = jack_port_get_all_connections(client_, ports_[i]);
        const std::string want = lel_client_ + ":out_" + std::to_string(i + 1);
        const bool ok = links && links[0] && want == links[0] && !links[1];
        if (links) jack_free(links);
        if (!ok) return false;
    }
    return true;
}

}  // namespace lel::test
