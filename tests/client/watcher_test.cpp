// watcher: saves are seen however they are made, other files are not.
#include "test_support.hpp"
#include "watcher.hpp"

#include <gtest/gtest.h>
#include <thread>

namespace {

using namespace lel::client;
using namespace lel::test;
using namespace std::chrono_literals;

TEST(FileWatcher, NothingHappeningTimesOut) {
    TempDir dir;
    write_file(dir / "s.cpp", "a");
    FileWatcher w(dir / "s.cpp");
    EXPECT_FALSE(w.wait_change(100ms));
}

TEST(FileWatcher, AnInPlaceWriteIsASave) {
    TempDir dir;
    write_file(dir / "s.cpp", "a");
    FileWatcher w(dir / "s.cpp");
    write_file(dir / "s.cpp", "b");
    EXPECT_TRUE(w.wait_change(1s));
}

TEST(FileWatcher, ASaveByRenameIsASave) {
    TempDir dir;
    write_file(dir / "s.cpp", "a");
    FileWatcher w(dir / "s.cpp");
    write_file(dir / ".s.cpp.swp", "b");
    fs::rename(dir / ".s.cpp.swp", dir / "s.cpp");
    EXPECT_TRUE(w.wait_change(1s));
}

TEST(FileWatcher, OtherFilesInTheDirectoryAreIgnored) {
    TempDir dir;
    write_file(dir / "s.cpp", "a");
    FileWatcher w(dir / "s.cpp");
    write_file(dir / "s.so", "x");
    write_file(dir / "other.cpp", "x");
    EXPECT_FALSE(w.wait_change(150ms));
}

TEST(FileWatcher, ABurstOfWritesIsOneChange) {
    TempDir dir;
    write_file(dir / "s.cpp", "a");
    FileWatcher w(dir / "s.cpp");
    std::thread writer([&] {
        for (int i = 0; i < 5; ++i) {
            write_file(dir / "s.cpp", std::to_string(i));
            std::this_thread::sleep_for(10ms);
        }
    });
    EXPECT_TRUE(w.wait_change(1s, 50ms));
    writer.join();
    EXPECT_FALSE(w.wait_change(100ms)) << "the burst was reported more than once";
}

TEST(FileWatcher, WatchingSeveralFilesItSeesASaveOfAnyAndSaysWhich) {
    TempDir dir;
    fs::create_directories(dir / "parts");
    write_file(dir / "s.cpp", "a");
    write_file(dir / "parts" / "h.hpp", "a");
    write_file(dir / "other.hpp", "a");
    FileWatcher w(std::vector<fs::path>{dir / "s.cpp", dir / "parts" / "h.hpp"});
    write_file(dir / "other.hpp", "b");
    EXPECT_FALSE(w.wait_change(200ms)) << "a file not watched";
    write_file(dir / "parts" / "h.hpp", "b");
    ASSERT_TRUE(w.wait_change(1s));
    ASSERT_EQ(w.changed().size(), 1u);
    EXPECT_EQ(w.changed()[0], dir / "parts" / "h.hpp");
    write_file(dir / "s.cpp", "b");
    ASSERT_TRUE(w.wait_change(1s));
    EXPECT_EQ(w.changed(), std::vector<fs::path>{dir / "s.cpp"});
}

TEST(FileWatcher, AMissingDirectoryThrows) {
    TempDir dir;
    EXPECT_THROW(FileWatcher(dir / "nowhere" / "s.cpp"), WatchError);
}

}  // namespace
