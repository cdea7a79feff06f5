// diagnostics: g++'s and clang's output read back and cut down to the
// user's own lines. The outputs are real ones (g++ 12.2, clang 22), of the
// sessions in tests/client/lel_cli_test.cpp, with lel's include directory
// written as /opt/lel/include; their source files are not there, so no
// source line is quoted.
#include "diagnostics.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace {

using namespace lel::client;
using Severity = Diagnostic::Severity;

/// In this test, a file of the user's is one with a relative path.
bool users(std::string_view file) { return !file.starts_with("/"); }

std::size_t count_lines(const std::string& text) {
    std::size_t n = 0;
    for (const char c : text) n += c == '\n';
    return n;
}

// `lel::saww` and `gian` in a signal's lambda; g++ then fails lel's
// static_assert on the signal and std::invoke_result in <type_traits>.
constexpr std::string_view gcc_two_typos = R"gcc(typos.cpp: In lambda function:
typos.cpp:5:31: error: ‘saww’ is not a member of ‘lel’; did you mean ‘saw’?
    5 |         const double x = lel::saww(s, 55.0);
      |                               ^~~~
      |                               saw
typos.cpp:6:49: error: ‘gian’ was not declared in this scope
    6 |         return lel::lowpass(s, x, 800.0, 4.0) * gian;
      |                                                 ^~~~
In file included from /opt/lel/include/lel/lel.hpp:24,
                 from typos.cpp:1:
/opt/lel/include/lel/session.hpp: In instantiation of ‘lel::Session& lel::Session::add(std::string_view, F&&, lel::SignalOptions) [with F = lel_session_body_(lel::Session&)::<lambda(auto:17&)>; std::string_view = std::basic_string_view<char>]’:
typos.cpp:4:16:   required from here
/opt/lel/include/lel/session.hpp:53:28: error: static assertion failed: a lel signal is callable as f(s) with s a lel::Context&
   53 |         static_assert(std::is_invocable_v<Fn&, Context&>,
      |                       ~~~~~^~~~~~~~~~~~~~~~~~~~~~~~~~~~~
/opt/lel/include/lel/session.hpp:53:28: note: ‘std::is_invocable_v<lel_session_body_(lel::Session&)::<lambda(auto:17&)>&, lel::Context&>’ evaluates to false
In file included from /usr/include/c++/12/concepts:44,
                 from /usr/include/c++/12/compare:39,
                 from /usr/include/c++/12/array:38,
                 from /usr/include/c++/12/span:41,
                 from /opt/lel/include/lel/context.hpp:6,
                 from /opt/lel/include/lel/lel.hpp:14:
/usr/include/c++/12/type_traits: In substitution of ‘template<class _Fn, class ... _Args> using invoke_result_t = typename std::invoke_result::type [with _Fn = lel_session_body_(lel::Session&)::<lambda(auto:17&)>&; _Args = {lel::Context&}]’:
/opt/lel/include/lel/detail/block.hpp:42:7:   required by substitution of ‘template<class F> using signal_result_t = std::invoke_result_t<F&, lel::Context&> [with F = lel_session_body_(lel::Session&)::<lambda(auto:17&)>]’
/opt/lel/include/lel/session.hpp:55:15:   required from ‘lel::Session& lel::Session::add(std::string_view, F&&, lel::SignalOptions) [with F = lel_session_body_(lel::Session&)::<lambda(auto:17&)>; std::string_view = std::basic_string_view<char>]’
typos.cpp:4:16:   required from here
/usr/include/c++/12/type_traits:3034:11: error: no type named ‘type’ in ‘struct std::invoke_result<lel_session_body_(lel::Session&)::<lambda(auto:17&)>&, lel::Context&>’
 3034 |     using invoke_result_t = typename invoke_result<_Fn, _Args...>::type;
      |           ^~~~~~~~~~~~~~~
)gcc";

// A signal that returns a std::string: the error is only in lel's header.
constexpr std::string_view gcc_wrong_return = R"gcc(In file included from /opt/lel/include/lel/lel.hpp:24,
                 from wrongtype.cpp:1:
/opt/lel/include/lel/session.hpp: In instantiation of ‘lel::Session& lel::Session::add(std::string_view, F&&, lel::SignalOptions) [with F = lel_session_body_(lel::Session&)::<lambda(auto:17&)>; std::string_view = std::basic_string_view<char>]’:
wrongtype.cpp:5:16:   required from here
/opt/lel/include/lel/session.hpp:56:42: error: static assertion failed: a lel signal returns a number (mono) or a lel::Frame (stereo)
   56 |         static_assert(detail::is_mono<R> || detail::is_stereo<R>,
      |                       ~~~~~~~~~~~~~~~~~~~^~~~~~~~~~~~~~~~~~~~~~~
/opt/lel/include/lel/session.hpp:56:42: note: ‘(((bool)lel::detail::is_mono<std::__cxx11::basic_string<char> >) || ((bool)lel::detail::is_stereo<std::__cxx11::basic_string<char> >))’ evaluates to false
)gcc";
constexpr std::string_view clang_wrong_return = R"clang(In file included from wrongtype.cpp:1:
In file included from /opt/lel/include/lel/lel.hpp:24:
/opt/lel/include/lel/session.hpp:56:23: error: static assertion failed due to requirement 'detail::is_mono<std::basic_string<char, std::char_traits<char>, std::allocator<char>>> || detail::is_stereo<std::basic_string<char, std::char_traits<char>, std::allocator<char>>>': a lel signal returns a number (mono) or a lel::Frame (stereo)
   56 |         static_assert(detail::is_mono<R> || detail::is_stereo<R>,
      |                       ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
wrongtype.cpp:5:13: note: in instantiation of function template specialization 'lel::Session::add<(lambda at wrongtype.cpp:5:26)>' requested here
    5 |     session.add("words", [](auto& s) { return std::string("la"); });
      |             ^
In file included from wrongtype.cpp:1:
In file included from /opt/lel/include/lel/lel.hpp:24:
In file included from /opt/lel/include/lel/session.hpp:6:
/opt/lel/include/lel/detail/block.hpp:107:23: error: no matching conversion for static_cast from 'std::string' (aka 'basic_string<char>') to 'double'
  107 |             left[i] = static_cast<double>(f(s));
      |                       ^~~~~~~~~~~~~~~~~~~~~~~~~
/opt/lel/include/lel/detail/block.hpp:129:24: note: in instantiation of function template specialization 'lel::detail::run_samples<(lambda at wrongtype.cpp:5:26)>' requested here
  129 |             in_order = run_samples(local, block, n, state, left, right);
      |                        ^
/opt/lel/include/lel/session.hpp:62:32: note: in instantiation of function template specialization 'lel::detail::render_block<(lambda at wrongtype.cpp:5:26)>' requested here
   62 |         desc.render = &detail::render_block<Fn>;
      |                                ^
wrongtype.cpp:5:13: note: in instantiation of function template specialization 'lel::Session::add<(lambda at wrongtype.cpp:5:26)>' requested here
    5 |     session.add("words", [](auto& s) { return std::string("la"); });
      |             ^
/usr/lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12/bits/basic_string.h:936:7: note: candidate function
  936 |       operator __sv_type() const noexcept
      |       ^
2 errors generated.
)clang";

TEST(Diagnostics, GccsRequiredFromLinesAreTheContextOfTheErrorAfterThem) {
    const auto diagnostics = parse_diagnostics(gcc_two_typos);
    ASSERT_EQ(diagnostics.size(), 4u);
    EXPECT_EQ(diagnostics[0].where.file, "typos.cpp");
    EXPECT_EQ(diagnostics[0].where.line, 5u);
    EXPECT_EQ(diagnostics[0].where.column, 31u);
    EXPECT_EQ(diagnostics[0].severity, Severity::error);
    EXPECT_TRUE(diagnostics[0].context.empty());
    EXPECT_EQ(diagnostics[2].where.file, "/opt/lel/include/lel/session.hpp");
    ASSERT_FALSE(diagnostics[2].context.empty());
    EXPECT_EQ(diagnostics[2].context[0].file, "typos.cpp");
    EXPECT_EQ(diagnostics[2].context[0].line, 4u);
}

TEST(Diagnostics, ClangsInstantiationNotesAreTheContextOfTheErrorBeforeThem) {
    const auto diagnostics = parse_diagnostics(clang_wrong_return);
    ASSERT_GE(diagnostics.size(), 2u);
    EXPECT_EQ(diagnostics[0].where.file, "/opt/lel/include/lel/session.hpp");
    ASSERT_FALSE(diagnostics[0].context.empty());
    EXPECT_EQ(diagnostics[0].context.back().file, "wrongtype.cpp");
    EXPECT_EQ(diagnostics[0].context.back().line, 5u);
}

TEST(Diagnostics, ErrorsInTheUsersFilesAreShownAndTheOnesTheyCauseInHeadersCounted) {
    const DiagnosticSummary s = summarize(gcc_two_typos, Severity::error, users, 5);
    EXPECT_TRUE(s.cut);
    EXPECT_EQ(s.total, 2u);
    EXPECT_EQ(s.shown, 2u);
    EXPECT_EQ(s.follow_on, 2u);
    EXPECT_EQ(s.text, "typos.cpp:5:31: error: ‘saww’ is not a member of ‘lel’; "
                      "did you mean ‘saw’?\n"
                      "typos.cpp:6:49: error: ‘gian’ was not declared in this scope\n");
}

TEST(Diagnostics, AnErrorOnlyInAHeaderIsPlacedAtTheUsersLineThatLedThereWithGccAndClang) {
    for (const std::string_view output : {gcc_wrong_return, clang_wrong_return}) {
        const DiagnosticSummary s = summarize(output, Severity::error, users, 5);
        EXPECT_TRUE(s.cut);
        EXPECT_EQ(s.total, 1u);
        ASSERT_EQ(count_lines(s.text), 1u) << s.text;
        EXPECT_TRUE(s.text.starts_with("wrongtype.cpp:5:")) << s.text;
        EXPECT_NE(s.text.find("a lel signal returns a number"), std::string::npos) << s.text;
        EXPECT_NE(s.text.find("(in session.hpp:56)"), std::string::npos) << s.text;
    }
}

TEST(Diagnostics, AtMostMaxShownAreShownAndAllCounted) {
    std::string output;
    for (int line = 1; line <= 7; ++line) output += "s.cpp:" + std::to_string(line) + ":3: error: no\n";
    const DiagnosticSummary s = summarize(output, Severity::error, users, 5);
    EXPECT_EQ(s.total, 7u);
    EXPECT_EQ(s.shown, 5u);
    EXPECT_EQ(count_lines(s.text), 5u);
    EXPECT_TRUE(s.text.starts_with("s.cpp:1:3: error: no\n"));
}

TEST(Diagnostics, WithNoErrorInTheUsersFilesNothingIsCut) {
    const std::string driver = "c++: error: unrecognized command-line option ‘-fnope’\n";
    const DiagnosticSummary s = summarize(driver, Severity::error, users, 5);
    EXPECT_FALSE(s.cut);
    EXPECT_EQ(s.text, driver);
    EXPECT_EQ(parse_diagnostics(driver).size(), 1u) << "a driver's error is an error, but in no file";
}

TEST(Diagnostics, WarningsAreCutDownTheSameWayAndErrorsLeftOut) {
    const std::string output = "s.cpp:2:2: warning: #warning tune me [-Wcpp]\ns.cpp:3:1: error: no\n";
    const DiagnosticSummary w = summarize(output, Severity::warning, users, 5);
    EXPECT_EQ(w.text, "s.cpp:2:2: warning: #warning tune me [-Wcpp]\n");
}

}  // namespace
