// The state directory (src/state_store.hpp): what one StateStore saves, the
// next one on the same directory reads back; what does not match is set
// aside, never misread; one leld at a time.
#include "state_store.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace lel {
namespace {

namespace fs = std::filesystem;

class StateStoreTest : public ::testing::Test {
protected:
    StateStoreTest() {
        std::string templ = (fs::temp_directory_path() / "lel-state-test-XXXXXX").string();
        dir_ = fs::path(mkdtemp(templ.data())) / "state";
    }
    ~StateStoreTest() override { fs::remove_all(dir_.parent_path()); }

    bool set_aside(std::string_view prefix) const {
        for (const fs::directory_entry& e : fs::directory_iterator(dir_)) {
            if (e.path().filename().string().starts_with(std::string(prefix) + ".set-aside-")) return true;
        }
        return false;
    }

    fs::path dir_;
};

TEST_F(StateStoreTest, WhatOneStoreSavesTheNextReadsBackWithTheArenasDoubles) {
    StateArena::Entry e;
    e.name = std::string("a name with spaces,\nnew lines and : colons");
    e.offset = 7;
    e.size = 12;
    e.index = 3;
    e.layout.laid_out = true;
    e.layout.raw = 2;
    e.layout.blocks.push_back({5, 4, "cut off"});
    e.layout.blocks.push_back({6, 1, ""});
    {
        StateStore store(dir_, 100, 8, false);
        EXPECT_TRUE(store.created());
        store.storage().doubles[7] = 0.125;
        ASSERT_TRUE(store.save_index({e}, {{"a name", "cutoff", {1234.5, 0.25}}, {"b", "gain", {0.5, std::nullopt}}}));
        const std::string module = store.next_module_name("/x/bass line.so");
        std::ofstream(store.modules_dir() / module) << "module";
        std::ofstream(store.modules_dir() / "orphan.so") << "no step names it";
        ASSERT_TRUE(store.save_program({{ProgramStep::Kind::load, module, "/x/bass line.so", {}},
                                        {ProgramStep::Kind::remove, {}, {}, "hat"},
                                        {ProgramStep::Kind::clear, {}, {}, {}}}));
        EXPECT_FALSE(fs::exists(store.modules_dir() / "orphan.so"));
    }
    StateStore again(dir_, 100, 8, false);
    EXPECT_FALSE(again.created());
    EXPECT_EQ(again.storage().doubles[7], 0.125);
    ASSERT_EQ(again.saved_names().size(), 1u);
    const StateArena::Entry& r = again.saved_names()[0];
    EXPECT_EQ(r.name, e.name);
    EXPECT_EQ(r.offset, 7u);
    EXPECT_EQ(r.size, 12u);
    EXPECT_EQ(r.index, 3u);
    EXPECT_EQ(r.layout, e.layout);
    ASSERT_EQ(again.saved_params().size(), 2u);
    EXPECT_EQ(again.saved_params()[0].value.value, 1234.5);
    EXPECT_EQ(again.saved_params()[0].value.lag, 0.25);
    EXPECT_FALSE(again.saved_params()[1].value.lag.has_value());
    ASSERT_EQ(again.saved_program().size(), 3u);
    EXPECT_EQ(again.saved_program()[0].origin, "/x/bass line.so");
    EXPECT_EQ(again.saved_program()[1].name, "hat");
    EXPECT_EQ(again.saved_program()[2].kind, ProgramStep::Kind::clear);
    // Module names go on from the highest one kept.
    EXPECT_TRUE(again.next_module_name("/y/z.so").starts_with("2-"));
}

TEST_F(StateStoreTest, AnArenaOfAnotherSizeIsSetAsideWithItsIndexAndProgram) {
    {
        StateStore store(dir_, 100, 8, false);
        store.storage().doubles[0] = 1.0;
        ASSERT_TRUE(store.save_index({}, {}));
        ASSERT_TRUE(store.save_program({}));
    }
    StateStore bigger(dir_, 200, 8, false);
    EXPECT_TRUE(bigger.created());
    EXPECT_EQ(bigger.storage().doubles[0], 0.0);
    EXPECT_TRUE(set_aside("arena"));
    EXPECT_TRUE(set_aside("index"));
    EXPECT_TRUE(set_aside("program"));
}

TEST_F(StateStoreTest, AFileFromAnotherVersionOrNotOursIsSetAside) {
    fs::create_directories(dir_);
    std::ofstream(dir_ / "arena") << "something else entirely";
    StateStore store(dir_, 100, 8, false);
    EXPECT_TRUE(store.created());
    EXPECT_TRUE(set_aside("arena"));
}

TEST_F(StateStoreTest, ADamagedIndexOrProgramIsSetAsideAndReadAsEmpty) {
    { StateStore store(dir_, 100, 8, false); }
    std::ofstream(dir_ / "index") << "lel-index 1 100 8\nname 0 10 0 1 0 1 3:abc\n 1 2";  // cut short
    std::ofstream(dir_ / "program") << "lel-program 1\nload 9:../evil.so 1:x\n";  // not a plain file name
    StateStore store(dir_, 100, 8, false);
    EXPECT_FALSE(store.created());
    EXPECT_TRUE(store.saved_names().empty());
    EXPECT_TRUE(store.saved_program().empty());
    EXPECT_TRUE(set_aside("index"));
    EXPECT_TRUE(set_aside("program"));
}

TEST_F(StateStoreTest, OneStoreAtATimeAndFreshWipesWhatWasThere) {
    {
        StateStore store(dir_, 100, 8, false);
        EXPECT_THROW(StateStore(dir_, 100, 8, false), std::runtime_error);
        store.storage().doubles[1] = 2.0;
        ASSERT_TRUE(store.save_program({{ProgramStep::Kind::clear, {}, {}, {}}}));
    }
    StateStore fresh(dir_, 100, 8, true);
    EXPECT_TRUE(fresh.created());
    EXPECT_EQ(fresh.storage().doubles[1], 0.0);
    EXPECT_TRUE(fresh.saved_program().empty());
    EXPECT_FALSE(set_aside("arena"));
}

}  // namespace
}  // namespace lel
