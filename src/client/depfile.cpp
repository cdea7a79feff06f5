#include "depfile.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace lel::client {

std::vector<std::string> dependencies_in(const std::string& text) {
    std::vector<std::string> words;
    std::string word;
    const auto flush = [&] {
        if (!word.empty()) words.push_back(std::move(word));
        word.clear();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const char next = i + 1 < text.size() ? text[i + 1] : '\0';
        if (c == '\\' && next == '\n') {
            flush();
            ++i;
        } else if (c == '\\' && (next == ' ' || next == '#' || next == '\\')) {
            word += next;
            ++i;
        } else if (c == '$' && next == '$') {
            word += '$';
            ++i;
        } else if (std::isspace(static_cast<unsigned char>(c))) {
            flush();
        } else {
            word += c;
        }
    }
    flush();
    const auto target = std::find_if(words.begin(), words.end(), [](const std::string& w) { return w.back() == ':'; });
    if (target == words.end()) return {};
    return {std::next(target), words.end()};
}

}  // namespace lel::client
