// lel — routing, control side: which names have a bus, and the order in
// which a program's signals render, so that every signal renders after the
// signals it listens to (lel::listen, include/lel/dsp/routing.hpp).
//
// Design: a name gets a bus the first time a load makes it a source (some
// signal listens to it) or a send (SignalOptions{.main = false}), and keeps
// it until /lel/reset. Keeping it is what makes removing or reloading a
// source click-free for its listeners: every voice of the name, the one
// fading out included, renders into the same bus, whatever program it
// belongs to. The renderer's side (buses, the per-name bus index) is in
// renderer.hpp; a Program carries the routes (name index -> bus) and, per
// voice, the bus of each listen call.
//
// Threads: control thread only.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lel {

class Registry;
class StateArena;
struct SignalEntry;

/// Thrown when a load needs more buses than there are.
class RoutingError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Where one name's voices render: its bus, and whether the bus goes on
/// into the main mix.
struct BusRoute {
    uint32_t name_index;  ///< StateArena::Lease::index()
    uint32_t bus;
    bool main;
    /// Some voice reads the bus before the name's voice writes it (a
    /// cycle): it keeps its last block until written. Other buses start
    /// every block silent.
    bool late = false;
};

class BusTable {
public:
    /// Buses the renderer has (Renderer::max_buses).
    explicit BusTable(uint32_t max_buses) : max_buses_(max_buses) {}

    /// Gives a bus to every name `registry` listens to or keeps out of the
    /// main mix, and notes each playing source's main flag. All or nothing:
    /// throws RoutingError (and changes nothing) when the buses run out.
    void assign(const Registry& registry);
    /// Forgets every bus (/lel/reset).
    void clear() noexcept;

    /// The bus of `name`, or LEL_NO_BUS.
    uint32_t bus_of(std::string_view name) const noexcept;
    /// A route for every name with a bus that has a name index in `arena`.
    std::vector<BusRoute> routes(const StateArena& arena) const;
    std::size_t size() const noexcept { return buses_.size(); }

private:
    struct Bus {
        uint32_t bus;
        bool main;
    };
    uint32_t max_buses_;
    std::unordered_map<std::string, Bus> buses_;
};

/// The order to render `entries` in: each entry after the entries it
/// listens to, otherwise in registration order. A listen that closes a
/// cycle is ignored for ordering (that listener hears its source a block
/// late). Returns a permutation of 0..entries.size()-1.
std::vector<std::size_t> render_order(std::span<const SignalEntry> entries);

}  // namespace lel
