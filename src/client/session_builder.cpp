#include "session_builder.hpp"

#include "atomic_file.hpp"
#include "config.hpp"
#include "depfile.hpp"
#include "diagnostics.hpp"
#include "subprocess.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fmt/format.h>

namespace lel::client {
namespace fs = std::filesystem;

namespace {

// The newest modification time of any file under `dir` (min() if none).
fs::file_time_type newest_under(const fs::path& dir) {
    auto newest = fs::file_time_type::min();
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file(ec)) newest = std::max(newest, it->last_write_time(ec));
    }
    return newest;
}

// Where the compiler's dependency list of `module` is kept: beside it,
// hidden, replaced together with the module.
fs::path dependency_file_of(const fs::path& module) {
    return module.parent_path() / fmt::format(".{}.d", module.filename().string());
}

// How many errors, how many shown, and that -v shows them all.
std::string errors_message(const DiagnosticSummary& s) {
    std::string text = fmt::format("{} error{}", s.total, s.total == 1 ? "" : "s");
    if (s.shown < s.total) text += fmt::format(", the first {} shown", s.shown);
    if (s.follow_on > 0) {
        text += fmt::format(", and {} more inside headers that follow{} from {}", s.follow_on,
                            s.follow_on == 1 ? "s" : "", s.total == 1 ? "it" : "them");
    }
    return text + " (-v shows the compiler's whole output)";
}

}  // namespace

bool is_session_source(const fs::path& file) {
    const std::string ext = file.extension().string();
    return ext == ".cpp" || ext == ".cc" || ext == ".cxx" || ext == ".c++" || ext == ".C";
}

fs::path default_module_path(const fs::path& source) {
    fs::path module = source;
    return module.replace_extension(".so");
}

std::vector<std::string> SessionBuilder::compile_flags() const {
    std::vector<std::string> argv = toolchain_.compiler;
    argv.insert(argv.end(), config::module_flags.begin(), config::module_flags.end());
    argv.insert(argv.end(), config::module_opt_flags.begin(), config::module_opt_flags.end());
    // Absolute, so that the precompiled header's list of headers read means
    // the same files from any working directory.
    argv.push_back("-I" + fs::absolute(toolchain_.include_dir).lexically_normal().string());
    return argv;
}

std::vector<std::string> SessionBuilder::command(const fs::path& source, const fs::path& output,
                                                 const std::vector<std::string>& pch_flags) const {
    std::vector<std::string> argv = compile_flags();
    argv.insert(argv.end(), pch_flags.begin(), pch_flags.end());
    argv.insert(argv.end(), {"-shared", source.string(), "-o", output.string()});
    return argv;
}

PrecompiledHeader SessionBuilder::precompiled_header(bool verbose) const {
    PrecompiledHeader pch;
    if (pch_failure_.empty()) {
        pch = find_or_build_pch(toolchain_, compile_flags(), verbose);
        if (!pch && pch.built) pch_failure_ = pch.message;  // not again for every save of a `lel watch`
    } else {
        pch.message = pch_failure_;
    }
    if (verbose && pch.built && pch) {
        fmt::print("lel: precompiled lel's headers into {} in {:.2f} s\n", pch.file.string(), pch.seconds);
    } else if (verbose && !pch) {
        fmt::print("lel: compiling without a precompiled header: {}\n", pch.message);
    }
    return pch;
}

std::vector<fs::path> SessionBuilder::dependencies(const fs::path& module) const {
    std::vector<fs::path> files;
    for (const std::string& file : dependencies_in(read_whole(dependency_file_of(module)))) {
        files.push_back(fs::absolute(file).lexically_normal());
    }
    return files;
}

bool SessionBuilder::users_file(const fs::path& file) const {
    const auto under = [&](const fs::path& dir) {
        if (dir.empty()) return false;
        const fs::path d = fs::absolute(dir).lexically_normal();
        const auto [end, _] = std::mismatch(d.begin(), d.end(), file.begin(), file.end());
        return end == d.end();
    };
    return !under("/usr") && !under(toolchain_.include_dir) && !under(toolchain_.cache_dir);
}

std::vector<fs::path> SessionBuilder::user_files(const fs::path& source, const fs::path& module) const {
    const fs::path own_source = fs::absolute(source).lexically_normal();
    std::vector<fs::path> files{source};
    for (const fs::path& file : dependencies(module)) {
        if (file != own_source && users_file(file)) files.push_back(file);
    }
    return files;
}

bool SessionBuilder::stale(const fs::path& source, const fs::path& module) const {
    std::error_code ec;
    const auto built = fs::last_write_time(module, ec);
    if (ec) return true;
    const auto edited = fs::last_write_time(source, ec);
    if (ec || built < edited) return true;
    if (built < newest_under(toolchain_.include_dir / "lel")) return true;
    for (const fs::path& file : dependencies(module)) {
        const auto changed = fs::last_write_time(file, ec);
        if (ec || built < changed) return true;  // a header that went is a change too
    }
    return false;
}

BuildResult SessionBuilder::build(const fs::path& source, fs::path output, bool force, bool verbose) const {
    BuildResult result;
    if (output.empty()) output = default_module_path(source);
    result.module = fs::absolute(output).lexically_normal();

    std::error_code ec;
    if (!fs::is_regular_file(source, ec)) {
        result.message = fmt::format("no session file '{}'", source.string());
        return result;
    }
    if (!fs::exists(toolchain_.include_dir / "lel" / "lel.hpp", ec)) {
        result.message = fmt::format("lel's headers are not in '{}' (set LEL_INCLUDE_DIR to the directory that "
                                     "holds lel/lel.hpp)", toolchain_.include_dir.string());
        return result;
    }
    if (!force && !stale(source, result.module)) {
        result.outcome = BuildResult::Outcome::up_to_date;
        return result;
    }

    const PrecompiledHeader pch = precompiled_header(verbose);
    result.pch_seconds = pch.seconds;

    AtomicFile module(result.module);
    AtomicFile dependency_list(dependency_file_of(result.module));
    result.command = command(source, module.temporary(), pch.flags);
    result.command.insert(result.command.end(), {"-MD", "-MF", dependency_list.temporary().string()});
    if (verbose) fmt::print("{}\n", quoted_command(result.command));
    std::fflush(stdout);  // before the compiler's own output

    const auto start = std::chrono::steady_clock::now();
    ChildStatus child = run_child(result.command, verbose ? ChildOutput::inherit : ChildOutput::capture, "the compiler");
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.compiler_output = std::move(child.output);
    if (!child.started) {
        result.message = child.message + " (set LEL_CXX to choose another)";
        return result;
    }
    if (!result.compiler_output.empty()) {
        const auto summary = summarize(
            result.compiler_output, child ? Diagnostic::Severity::warning : Diagnostic::Severity::error,
            [&, own = fs::absolute(source).lexically_normal()](std::string_view file) {
                const fs::path path = fs::absolute(file).lexically_normal();
                return path == own || users_file(path);
            },
            max_errors_shown);
        result.diagnostics = summary.text;
        if (!child && summary.cut) result.message = errors_message(summary);
    }
    if (!child) {
        if (result.message.empty()) result.message = child.message;
        return result;
    }
    // The list first: a module never stands beside a list older than itself.
    dependency_list.commit();  // without it the module is only rebuilt more often
    if (const std::error_code failed = module.commit()) {
        result.message = fmt::format("cannot write '{}': {}", result.module.string(), failed.message());
        return result;
    }
    result.outcome = BuildResult::Outcome::built;
    return result;
}

}  // namespace lel::client
