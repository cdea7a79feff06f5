// lel — the session builder a module's LEL_SESSION body receives.
#pragma once

#include <lel/abi.hpp>
#include <lel/context.hpp>
#include <lel/detail/block.hpp>
#include <lel/dsp/samples.hpp>

#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace lel {

/// Per-signal options for Session::add.
struct SignalOptions {
    /// Doubles of persistent state. A name keeps its slice for the life of the
    /// daemon; asking for more than before grows it (old values are kept).
    uint32_t state = default_state_size;
    /// False: the signal stays out of the main mix, and only the signals
    /// that listen to it (lel::listen) hear it: a send.
    bool main = true;
};

/// Builds the next program. It starts as the set of signals registered now;
/// every change is staged and published at once when the session body
/// returns, or dropped whole if the body throws or a call fails.
/// Control thread only: nothing here runs in real time.
class Session {
public:
    explicit Session(const lel_host* host) noexcept : host_(host) {}

    /// Drops every registered signal. Their state is kept under their names.
    Session& clear() {
        host_->clear(host_->self);
        return *this;
    }

    /// Drops the signal `name`; a name that is not registered is not an error.
    Session& remove(std::string_view name) {
        const std::string n(name);
        host_->remove(host_->self, n.c_str());
        return *this;
    }

    /// Adds `fn` as the signal `name`, replacing a signal of that name.
    /// `fn` is called as `fn(s)` with a lel::Context& and returns a double
    /// (mono) or a lel::Frame (stereo). It is copied (or moved) now: captures
    /// are control-time data.
    template <class F>
    Session& add(std::string_view name, F&& fn, SignalOptions options = {}) {
        using Fn = std::decay_t<F>;
        static_assert(std::is_invocable_v<Fn&, Context&>,
                      "a lel signal is callable as f(s) with s a lel::Context&");
        using R = detail::signal_result_t<Fn>;
        static_assert(detail::is_mono<R> || detail::is_stereo<R>,
                      "a lel signal returns a number (mono) or a lel::Frame (stereo)");
        const std::string n(name);
        auto owned = std::make_unique<Fn>(std::forward<F>(fn));
        lel_signal_desc desc{};
        desc.name = n.c_str();
        desc.render = &detail::render_block<Fn>;
        desc.destroy = &detail::destroy<Fn>;
        desc.user = owned.release();  // the host owns it from here, even on failure
        desc.state_size = options.state;
        desc.channels = detail::is_stereo<R> ? 2u : 1u;
        desc.probe = &detail::probe<Fn>;
        desc.flags = options.main ? 0u : LEL_SIGNAL_NOT_MAIN;
        host_->add(host_->self, &desc);
        return *this;
    }

    /// Reads the sound file at `path` for signals to play (lel::play): any
    /// format libsndfile reads (WAV, AIFF, FLAC, Ogg, ...), converted to
    /// leld's rate; a file of more than two channels gives its first two. A
    /// relative path is relative to the module's directory (where `lel build`
    /// puts it: beside the session file). Loading the same unchanged file
    /// again reuses leld's copy. The result is valid for the signals this
    /// load adds: capture it by value. A missing or unreadable file fails
    /// the load with its path and the reason, and throws to end the body.
    Sample sample(std::string_view path) {
        const std::string p(path);
        lel_sample out{};
        if (host_->sample(host_->self, p.c_str(), &out) != 0) {
            throw std::runtime_error("cannot read the sample " + p);  // the host's own reason is reported
        }
        return Sample{out.data, out.frames, out.channels, out.sample_rate};
    }

    /// Fails the whole load with `message` (an empty one too); nothing is
    /// changed.
    void fail(std::string_view message) {
        const std::string m(message);
        host_->fail(host_->self, m.c_str());
    }

private:
    const lel_host* host_;
};

namespace detail {

/// Runs a session body, turning any exception into a failed load so that no
/// exception crosses the C boundary. An exception is a failure whatever its
/// message, an empty one too.
inline void run_session(const lel_host* host, void (*body)(Session&)) noexcept {
    try {
        Session session(host);
        body(session);
    } catch (const std::exception& e) {
        const char* what = e.what();
        host->fail(host->self, what && *what ? what : "the session threw an exception with an empty message");
    } catch (...) {
        host->fail(host->self, "the session threw an exception that is not a std::exception");
    }
}

}  // namespace detail
}  // namespace lel

#define LEL_DETAIL_EXPORT extern "C" __attribute__((visibility("default")))

/// Defines a session: `LEL_SESSION(session) { session.add(...); }`.
#define LEL_SESSION(var)                                                            \
    static void lel_session_body_(::lel::Session& var);                             \
    LEL_DETAIL_EXPORT const uint32_t lel_module_abi_version = LEL_ABI_VERSION;      \
    LEL_DETAIL_EXPORT void lel_module_entry(const lel_host* host) {                \
        ::lel::detail::run_session(host, &lel_session_body_);                       \
    }                                                                               \
    static void lel_session_body_(::lel::Session& var)
