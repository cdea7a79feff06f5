#include "routing.hpp"

#include "program.hpp"
#include "state_arena.hpp"

#include <lel/abi.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace lel {

void BusTable::assign(const Registry& registry) {
    // First count what is new, so that running out changes nothing.
    std::vector<std::string> wanted;
    auto want = [&](const std::string& name) {
        if (!buses_.contains(name) && std::find(wanted.begin(), wanted.end(), name) == wanted.end()) {
            wanted.push_back(name);
        }
    };
    for (const SignalEntry& e : registry.entries()) {
        for (const std::string& source : e.listens) want(source);
        if (!e.main) want(e.name);
    }
    if (buses_.size() + wanted.size() > max_buses_) {
        throw RoutingError(fmt::format("this load needs {} buses for the signals listened to and the sends "
                                       "(SignalOptions{{.main = false}}); leld has {} and {} are taken until "
                                       "/lel/reset",
                                       buses_.size() + wanted.size(), max_buses_, buses_.size()));
    }
    for (std::string& name : wanted) {
        const auto bus = static_cast<uint32_t>(buses_.size());
        buses_.emplace(std::move(name), Bus{bus, true});
    }
    for (const SignalEntry& e : registry.entries()) {
        if (const auto it = buses_.find(e.name); it != buses_.end()) it->second.main = e.main;
    }
}

void BusTable::clear() noexcept { buses_.clear(); }

uint32_t BusTable::bus_of(std::string_view name) const noexcept {
    const auto it = buses_.find(std::string(name));
    return it == buses_.end() ? LEL_NO_BUS : it->second.bus;
}

std::vector<BusRoute> BusTable::routes(const StateArena& arena) const {
    std::vector<BusRoute> out;
    out.reserve(buses_.size());
    for (const auto& [name, b] : buses_) {
        if (const StateArena::Lease* lease = arena.find(name)) out.push_back(BusRoute{lease->index(), b.bus, b.main});
    }
    return out;
}

std::vector<std::size_t> render_order(std::span<const SignalEntry> entries) {
    std::unordered_map<std::string_view, std::size_t> at;
    for (std::size_t i = 0; i < entries.size(); ++i) at.emplace(entries[i].name, i);
    enum : uint8_t { unseen, visiting, done };
    std::vector<uint8_t> mark(entries.size(), unseen);
    std::vector<std::size_t> order;
    order.reserve(entries.size());
    // Depth first, iteratively (a long chain of listeners must not blow the
    // stack): a frame is (entry, next listen to look at).
    std::vector<std::pair<std::size_t, std::size_t>> stack;
    for (std::size_t root = 0; root < entries.size(); ++root) {
        if (mark[root] != unseen) continue;
        mark[root] = visiting;
        stack.emplace_back(root, 0);
        while (!stack.empty()) {
            auto& [i, next] = stack.back();
            const auto& listens = entries[i].listens;
            if (next < listens.size()) {
                const auto it = at.find(listens[next++]);
                if (it != at.end() && mark[it->second] == unseen) {
                    mark[it->second] = visiting;
                    stack.emplace_back(it->second, 0);
                }
                continue;  // visiting: a cycle, ignored; done: already placed
            }
            mark[i] = done;
            order.push_back(i);
            stack.pop_back();
        }
    }
    return order;
}

}  // namespace lel
