#include "diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <utility>

namespace lel::client {

namespace {

using Severity = Diagnostic::Severity;

unsigned number(const std::ssub_match& m) {
    const std::string digits = m.str();
    unsigned n = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), n);
    return n;
}

// One line of the compiler's output, as far as it matters here.
struct Line {
    enum class Kind { other, diagnostic, context } kind = Kind::other;
    Severity severity = Severity::note;
    SourceLocation where;
    std::string message;
};

Line read_line(const std::string& text) {
    // `file:line[:col]: rest`; the path is the shortest prefix that fits.
    static const std::regex located(R"(^(.+?):(\d+):(?:(\d+):)? (.*)$)");
    // `program: error: message` (the driver, collect2, cc1plus).
    static const std::regex unlocated(R"(^([^\s:]+): (?:fatal )?(error|warning): (.*)$)");
    static const std::pair<std::string_view, Severity> severities[] = {
        {"fatal error: ", Severity::error}, {"error: ", Severity::error},
        {"warning: ", Severity::warning},   {"note: ", Severity::note}};
    Line line;
    std::smatch m;
    if (std::regex_match(text, m, located)) {
        line.where = {m[1].str(), number(m[2]), number(m[3])};
        const std::string rest = m[4].str();
        for (const auto& [prefix, severity] : severities) {
            if (rest.starts_with(prefix)) {
                line.kind = Line::Kind::diagnostic;
                line.severity = severity;
                line.message = rest.substr(prefix.size());
                return line;
            }
        }
        // GCC's instantiation context: `file:line:col:   required from here`.
        if (rest.starts_with("  ")) line.kind = Line::Kind::context;
        return line;
    }
    if (std::regex_match(text, m, unlocated)) {
        line.kind = Line::Kind::diagnostic;
        line.severity = m[2] == "error" ? Severity::error : Severity::warning;
        line.where.file = m[1].str();
        line.message = m[3].str();
    }
    return line;
}

// Where a diagnostic is shown: in the user's file it is in, or the one that
// led into the header it is in (`via` then names that header's line).
struct Placed {
    const Diagnostic* diagnostic = nullptr;
    SourceLocation at;
    std::optional<SourceLocation> via;
};

std::string_view severity_name(Severity s) {
    switch (s) {
        case Severity::error: return "error";
        case Severity::warning: return "warning";
        case Severity::note: break;
    }
    return "note";
}

std::string location_text(const SourceLocation& at) {
    if (at.column == 0) return fmt::format("{}:{}", at.file, at.line);
    return fmt::format("{}:{}:{}", at.file, at.line, at.column);
}

// Line `number` of `file` (1-based), from a cache of files read whole.
std::optional<std::string> source_line(std::map<std::string, std::vector<std::string>>& files, const std::string& file,
                                       unsigned number) {
    auto [it, fresh] = files.try_emplace(file);
    if (fresh) {
        std::ifstream in(file, std::ios::binary);
        for (std::string text; std::getline(in, text);) {
            if (!text.empty() && text.back() == '\r') text.pop_back();
            it->second.push_back(std::move(text));
        }
    }
    if (number == 0 || number > it->second.size()) return std::nullopt;
    return it->second[number - 1];
}

std::string format(const Placed& p, std::map<std::string, std::vector<std::string>>& files) {
    const Diagnostic& d = *p.diagnostic;
    std::string text = fmt::format("{}: {}: {}", location_text(p.at), severity_name(d.severity), d.message);
    if (p.via) {
        const std::string& file = p.via->file;
        text += fmt::format(" (in {}:{})", file.substr(file.find_last_of('/') + 1), p.via->line);
    }
    text += '\n';
    if (const auto source = source_line(files, p.at.file, p.at.line)) {
        text += fmt::format("{:>5} | {}\n", p.at.line, *source);
        if (p.at.column > 0) {
            std::string indent;  // the source's own tabs, so that the caret lines up
            for (std::size_t i = 0; i + 1 < p.at.column && i < source->size(); ++i) {
                indent += (*source)[i] == '\t' ? '\t' : ' ';
            }
            text += fmt::format("{:>5} | {}^\n", "", indent);
        }
    }
    return text;
}

}  // namespace

std::vector<Diagnostic> parse_diagnostics(std::string_view output) {
    std::vector<Diagnostic> diagnostics;
    std::vector<SourceLocation> pending;  // context read before the diagnostic it belongs to
    std::size_t start = 0;
    while (start < output.size()) {
        std::size_t end = output.find('\n', start);
        if (end == std::string_view::npos) end = output.size();
        const Line line = read_line(std::string(output.substr(start, end - start)));
        start = end + 1;
        if (line.kind == Line::Kind::context) {
            pending.push_back(line.where);
        } else if (line.kind == Line::Kind::diagnostic && line.severity != Severity::note) {
            diagnostics.push_back({line.severity, line.where, line.message, std::exchange(pending, {})});
        } else if (line.kind == Line::Kind::diagnostic) {  // a note: context of the one before it
            if (pending.empty() && !diagnostics.empty()) {
                diagnostics.back().context.push_back(line.where);
            } else {
                pending.push_back(line.where);
            }
        }
    }
    return diagnostics;
}

DiagnosticSummary summarize(std::string_view output, Severity severity,
                            const std::function<bool(std::string_view)>& is_users_file, std::size_t max_shown) {
    const std::vector<Diagnostic> diagnostics = parse_diagnostics(output);
    const auto users = [&](const SourceLocation& at) { return at.line > 0 && is_users_file(at.file); };
    std::vector<Placed> direct, reached;
    std::size_t elsewhere = 0;
    for (const Diagnostic& d : diagnostics) {
        if (d.severity != severity) continue;
        if (users(d.where)) {
            direct.push_back({&d, d.where, std::nullopt});
        } else if (const auto in = std::find_if(d.context.begin(), d.context.end(), users); in != d.context.end()) {
            reached.push_back({&d, *in, d.where});
        } else {
            ++elsewhere;
        }
    }

    DiagnosticSummary summary;
    if (direct.empty() && reached.empty()) {
        summary.text = std::string(output);
        return summary;
    }
    std::vector<Placed> shown;
    if (!direct.empty()) {
        shown = std::move(direct);
        summary.follow_on = reached.size() + elsewhere;
    } else {
        std::set<std::pair<std::string, unsigned>> lines;
        for (Placed& p : reached) {
            if (lines.emplace(p.at.file, p.at.line).second) shown.push_back(std::move(p));
        }
        summary.follow_on = reached.size() - shown.size() + elsewhere;
    }
    summary.cut = true;
    summary.total = shown.size();
    summary.shown = std::min(shown.size(), max_shown);
    std::map<std::string, std::vector<std::string>> files;
    for (std::size_t i = 0; i < summary.shown; ++i) summary.text += format(shown[i], files);
    return summary;
}

}  // namespace lel::client
