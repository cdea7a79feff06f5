#include "jack_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace lel {
namespace {

void silence_jack_errors_to_debug() {
    jack_set_error_function([](const char* m) { spdlog::debug("jack: {}", m); });
    jack_set_info_function([](const char* m) { spdlog::debug("jack: {}", m); });
}

}  // namespace

JackSession::JackSession(std::string name) : name_(std::move(name)) {
    silence_jack_errors_to_debug();
    client_ = std::make_unique<JackClient>(name_);
}

JackSession::~JackSession() = default;

std::vector<std::string> JackSession::connect(const std::vector<std::string>& targets) {
    return client_ ? client_->connect(targets) : std::vector<std::string>{"no JACK server: nothing connected"};
}

uint64_t JackSession::consumed_by_lost() const noexcept { return lost_.empty() ? 0 : lost_.back()->consumed_approx(); }

JackSession::Change JackSession::follow() {
    const auto now = std::chrono::steady_clock::now();
    if (client_ && client_->lost()) {
        spdlog::warn("leld: the JACK server went away; keeping every signal's state and the program, waiting for "
                     "it to come back ({} connections to restore)", links_.size());
        underruns_before_ += client_->underruns();
        xruns_before_ += client_->xruns();
        lost_.push_back(std::move(client_));
        backoff_ = std::chrono::milliseconds(100);
        next_try_ = now;
        return Change::lost;
    }
    if (!client_) {
        if (now < next_try_) return Change::none;
        try {
            silence_jack_errors_to_debug();  // libjack forgets them with its last client
            client_ = std::make_unique<JackClient>(name_);
            return Change::back;
        } catch (const JackError&) {
            next_try_ = now + backoff_;
            backoff_ = std::min(2 * backoff_, std::chrono::milliseconds(2000));
            return Change::none;
        }
    }
    follow_connections();
    return Change::none;
}

bool JackSession::activate(const AudioStreams& streams, uint64_t consumed_before) {
    if (lost_.empty()) {
        client_->activate(streams, consumed_before);  // the first client: the daemon connects it (connect())
        return true;
    }
    try {
        client_->activate(streams, consumed_before);
    } catch (const JackError& e) {
        spdlog::warn("leld: the JACK server came back but the client cannot start ({}); waiting for it again",
                     e.what());
        underruns_before_ += client_->underruns();
        xruns_before_ += client_->xruns();
        lost_.push_back(std::move(client_));
        next_try_ = std::chrono::steady_clock::now() + backoff_;
        return false;
    }
    ++reconnects_;
    waiting_ = client_->reconnect(links_);
    spdlog::info("leld: the JACK server is back (reconnect {}): playing on; {} of {} connections restored, {} waiting "
                 "for their ports", reconnects_, links_.size() - waiting_.size(), links_.size(), waiting_.size());
    return true;
}

void JackSession::follow_connections() {
    if (!waiting_.empty()) {
        const std::size_t before = waiting_.size();
        waiting_ = client_->reconnect(waiting_);
        if (waiting_.size() < before) {
            spdlog::info("leld: {} connections restored as their ports appeared, {} still waiting",
                         before - waiting_.size(), waiting_.size());
        }
    }
    if (!client_->take_connections_changed()) return;
    std::vector<JackClient::PortLink> now_links = client_->connections();
    for (const auto& l : links_) {
        if (std::find(now_links.begin(), now_links.end(), l) != now_links.end() || client_->has_port(l.other)) continue;
        now_links.push_back(l);  // its other port is gone: wait for it
        if (std::find(waiting_.begin(), waiting_.end(), l) == waiting_.end()) waiting_.push_back(l);
    }
    links_ = std::move(now_links);
}

}  // namespace lel
