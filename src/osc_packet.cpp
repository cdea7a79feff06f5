#include "osc_packet.hpp"

#include <cstdint>
#include <cstring>
#include <fmt/format.h>

namespace lel {

namespace {

constexpr std::size_t align4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

uint32_t read_be32(const char* p) {
    unsigned char b[4];
    std::memcpy(b, p, 4);
    return uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | uint32_t{b[3]};
}

/// A type tag as it can be shown in a message: itself if printable, else hex.
std::string show_tag(char tag) {
    const auto c = static_cast<unsigned char>(tag);
    return c >= 0x20 && c < 0x7f ? fmt::format("'{}'", tag) : fmt::format("0x{:02x}", c);
}

/// Reads a message's parts front to back; every read is bounded by the
/// packet, and the first failure is kept as the reason.
class Reader {
public:
    explicit Reader(std::span<const char> packet) : p_(packet) {}

    std::size_t at() const noexcept { return at_; }
    std::size_t left() const noexcept { return p_.size() - at_; }
    const char* here() const noexcept { return p_.data() + at_; }

    /// A NUL-terminated string zero-padded to 4 bytes; `what` names it in
    /// the reason. Returns its length (without padding) or nothing.
    std::optional<std::size_t> string(std::string_view what) {
        const void* nul = std::memchr(here(), '\0', left());
        if (!nul) return failed(fmt::format("{} at offset {} has no NUL before the end of the packet", what, at_));
        const auto length = static_cast<std::size_t>(static_cast<const char*>(nul) - here());
        const std::size_t padded = align4(length + 1);
        if (padded > left()) return failed(fmt::format("{} at offset {} is not padded to 4 bytes inside the packet", what, at_));
        for (std::size_t i = length; i < padded; ++i) {
            if (here()[i] != '\0') return failed(fmt::format("{} at offset {} has a non-zero pad byte", what, at_));
        }
        at_ += padded;
        return length;
    }

    /// Skips `n` bytes of argument `what` if the packet holds them.
    bool take(std::size_t n, std::string_view what) {
        if (n > left()) {
            failed(fmt::format("{} at offset {} needs {} bytes, {} left", what, at_, n, left()));
            return false;
        }
        at_ += n;
        return true;
    }

    /// A blob: an int32 size >= 0, then that many bytes zero-padded to 4.
    bool blob() {
        const std::size_t start = at_;
        if (!take(4, "blob size")) return false;
        const auto size = static_cast<int32_t>(read_be32(p_.data() + start));
        if (size < 0) {
            failed(fmt::format("blob at offset {} has a negative size ({})", start, size));
            return false;
        }
        const std::size_t padded = align4(static_cast<std::size_t>(size));
        if (padded > left()) {
            failed(fmt::format("blob at offset {} of {} bytes does not fit in the {} bytes left", start, size, left()));
            return false;
        }
        for (std::size_t i = static_cast<std::size_t>(size); i < padded; ++i) {
            if (here()[i] != '\0') {
                failed(fmt::format("blob at offset {} has a non-zero pad byte", start));
                return false;
            }
        }
        at_ += padded;
        return true;
    }

    std::nullopt_t failed(std::string why) {
        if (!why_) why_ = std::move(why);
        return std::nullopt;
    }
    std::optional<std::string> why() const { return why_; }

private:
    std::span<const char> p_;
    std::size_t at_ = 0;
    std::optional<std::string> why_;
};

std::optional<std::string> check_message(std::span<const char> packet) {
    if (packet[0] != '/') return "malformed OSC packet: an address starts with '/'";
    Reader r(packet);
    if (!r.string("address")) return r.why();
    if (r.left() == 0) return "malformed OSC message: no type tag string";
    if (*r.here() != ',') return fmt::format("malformed OSC message: the type tag string at offset {} does not start with ','", r.at());
    const char* tags = r.here();
    const auto tag_count = r.string("type tag string");
    if (!tag_count) return r.why();

    int open_arrays = 0;
    for (std::size_t i = 1; i < *tag_count; ++i) {
        const char tag = tags[i];
        const std::string what = fmt::format("argument {} ({})", i, show_tag(tag));
        bool ok = true;
        switch (tag) {
            case 'i': case 'f': case 'c': case 'r': case 'm': ok = r.take(4, what); break;
            case 'h': case 't': case 'd': ok = r.take(8, what); break;
            case 's': case 'S': ok = r.string(what).has_value(); break;
            case 'b': ok = r.blob(); break;
            case 'T': case 'F': case 'N': case 'I': break;
            case '[': ++open_arrays; break;
            case ']':
                if (--open_arrays < 0) return fmt::format("malformed OSC message: ']' at type tag {} closes no array", i);
                break;
            default: return fmt::format("malformed OSC message: unknown type tag {} at position {}", show_tag(tag), i);
        }
        if (!ok) return fmt::format("malformed OSC message: {}", *r.why());
    }
    if (open_arrays != 0) return "malformed OSC message: an array ('[') is not closed";
    if (r.left() != 0) return fmt::format("malformed OSC message: {} bytes after the last argument", r.left());
    return std::nullopt;
}

std::optional<std::string> check_bundle(std::span<const char> packet, int max_depth) {
    static constexpr char tag[8] = {'#', 'b', 'u', 'n', 'd', 'l', 'e', '\0'};
    if (packet.size() < 16 || std::memcmp(packet.data(), tag, sizeof tag) != 0) {
        return fmt::format("malformed OSC bundle of {} bytes: it starts with \"#bundle\\0\" and an 8-byte time tag", packet.size());
    }
    if (max_depth <= 0) return "malformed OSC bundle: bundles nested too deep";
    std::size_t at = 16;
    while (at < packet.size()) {
        if (packet.size() - at < 4) return fmt::format("malformed OSC bundle: element size at offset {} cut short", at);
        const uint32_t size = read_be32(packet.data() + at);
        at += 4;
        if (size == 0 || size % 4 != 0 || size > packet.size() - at) {
            return fmt::format("malformed OSC bundle: element of {} bytes at offset {} of {}", size, at, packet.size());
        }
        if (auto why = check_osc_packet(packet.subspan(at, size), max_depth - 1)) return why;
        at += size;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> check_osc_packet(std::span<const char> packet, int max_depth) {
    if (packet.empty()) return "empty OSC packet";
    if (packet.size() % 4 != 0) return fmt::format("malformed OSC packet of {} bytes: not a multiple of 4", packet.size());
    if (packet[0] == '#') return check_bundle(packet, max_depth);
    return check_message(packet);
}

}  // namespace lel
