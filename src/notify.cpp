#include "notify.hpp"

#include "protocol.hpp"

#include "engine.hpp"

#include <algorithm>
#include <cstring>

namespace lel {
namespace {

bool same(const OscServer::Sender& a, const OscServer::Sender& b) {
    return a.length == b.length && std::memcmp(&a.address, &b.address, a.length) == 0;
}

}  // namespace

OscMessage event(std::string_view kind) {
    OscMessage m{std::string(protocol::event)};
    m.add(kind);
    return m;
}

bool Subscribers::add(const OscServer::Sender& who) {
    if (std::any_of(list_.begin(), list_.end(), [&](const auto& s) { return same(s, who); })) return true;
    if (list_.size() >= max_subscribers) return false;
    list_.push_back(who);
    return true;
}

bool Subscribers::remove(const OscServer::Sender& who) {
    return std::erase_if(list_, [&](const auto& s) { return same(s, who); }) > 0;
}

void Subscribers::send(OscServer& server, const OscMessage& message) const {
    for (const OscServer::Sender& s : list_) server.reply_to(s, message);
}

void Subscribers::report_mutes(OscServer& server, const Engine& engine) {
    for (const SignalEntry& e : engine.registry().entries()) {
        if (e.callable->fault.load(std::memory_order_relaxed) == 0) continue;
        if (!muted_.insert(e.callable.get()).second) continue;
        if (list_.empty()) continue;
        OscMessage m = event("muted");
        m.add(e.name);
        send(server, m);
    }
    // Forget callables no longer registered (their addresses may come again).
    std::erase_if(muted_, [&](const void* c) {
        const auto entries = engine.registry().entries();
        return std::none_of(entries.begin(), entries.end(), [&](const SignalEntry& e) { return e.callable.get() == c; });
    });
}

void Subscribers::report_glitches(OscServer& server, uint64_t underruns, uint64_t xruns) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_glitch_ < std::chrono::milliseconds(250)) return;
    bool sent = false;
    for (auto [kind, total, last] : {std::tuple{"underruns", underruns, &underruns_}, std::tuple{"xruns", xruns, &xruns_}}) {
        if (total <= *last) continue;
        *last = total;
        if (list_.empty()) continue;
        OscMessage m = event(kind);
        m.add(static_cast<int32_t>(std::min<uint64_t>(total, INT32_MAX)));
        send(server, m);
        sent = true;
    }
    if (sent) last_glitch_ = now;
}

}  // namespace lel
