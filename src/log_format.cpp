#include "log_format.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <memory>

namespace lel {
namespace {

constexpr char hex[] = "0123456789abcdef";

// Appends the escaped form of `text` to `out` (a std::string or spdlog's
// memory buffer: anything with push_back).
template <class Out>
void append_escaped(Out& out, std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0u;
        if (c == 0xc2 && next >= 0x80 && next <= 0x9f) {  // U+0080..U+009F, the C1 controls
            for (const char e : {'\\', 'u', '0', '0', hex[next >> 4], hex[next & 15]}) out.push_back(e);
            ++i;
            continue;
        }
        if (c >= 0x20 && c != 0x7f) {
            out.push_back(static_cast<char>(c));
            continue;
        }
        out.push_back('\\');
        switch (c) {
            case '\n': out.push_back('n'); break;
            case '\r': out.push_back('r'); break;
            case '\t': out.push_back('t'); break;
            default:
                out.push_back('x');
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 15]);
        }
    }
}

// %* in a pattern: the record's message, escaped.
class EscapedMessage final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        append_escaped(dest, std::string_view(msg.payload.data(), msg.payload.size()));
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<EscapedMessage>(); }
};

}  // namespace

std::string escape_control(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    append_escaped(out, text);
    return out;
}

void install_log_format() {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<EscapedMessage>('*').set_pattern("[%H:%M:%S.%e] [%^%l%$] %*");
    spdlog::set_formatter(std::move(formatter));
}

}  // namespace lel
