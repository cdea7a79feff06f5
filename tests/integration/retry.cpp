#include "retry.hpp"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <exception>
#include <iostream>
#include <vector>

namespace lel::test {

namespace {

std::vector<::testing::TestPartResult> failures(const ::testing::TestPartResultArray& results) {
    std::vector<::testing::TestPartResult> out;
    for (int i = 0; i < results.size(); ++i) {
        if (results.GetTestPartResult(i).failed()) out.push_back(results.GetTestPartResult(i));
    }
    return out;
}

}  // namespace

void retry_on_glitches(int attempts,
                       const std::function<std::string(int attempt, const std::function<bool()>& failed)>& attempt) {
    for (int n = 1; n <= attempts; ++n) {
        ::testing::TestPartResultArray results;
        std::string glitches;
        {
            const ::testing::ScopedFakeTestPartResultReporter intercept(
                ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ALL_THREADS, &results);
            try {
                glitches = attempt(n, [&results] { return !failures(results).empty(); });
            } catch (const std::exception& e) {
                ADD_FAILURE() << e.what();
            }
        }
        const std::vector<::testing::TestPartResult> failed = failures(results);
        if (failed.empty()) return;
        if (glitches.empty() || n == attempts) {
            for (const ::testing::TestPartResult& r : failed) {
                ADD_FAILURE_AT(r.file_name() ? r.file_name() : "?", r.line_number()) << r.message();
            }
            if (!glitches.empty()) ADD_FAILURE() << "every attempt glitched: the machine may be too busy for real time";
            return;
        }
        std::cerr << "=== attempt " << n << " failed with " << glitches << "; discarding these failures:\n";
        for (const ::testing::TestPartResult& r : failed) std::cerr << r << "\n";
        std::cerr << "=== trying again\n";
    }
}

}  // namespace lel::test
