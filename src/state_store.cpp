#include "state_store.hpp"

#include "atomic_file.hpp"

#include <lel/abi.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <charconv>
#include <cstring>
#include <ctime>
#include <set>
#include <stdexcept>
#include <string_view>
#include <type_traits>

namespace lel {

namespace fs = std::filesystem;

namespace {

constexpr uint32_t store_version = 1;
constexpr std::size_t header_bytes = 4096;

/// The arena file's first bytes. Any field that differs from what this leld
/// would write sets the file aside.
struct ArenaHeader {
    char magic[8];
    uint32_t version;
    uint32_t abi;  ///< helper blocks' layouts belong to the module ABI
    uint64_t header;
    uint64_t capacity;
    uint32_t max_names;
    uint32_t double_bytes;
    double one;  ///< 1.0: byte order and number format
};
static_assert(sizeof(ArenaHeader) <= header_bytes);

/// The clock, at a fixed place in the header: all zero (no clock) in a new
/// file and in one an older leld wrote.
constexpr std::size_t clock_offset = 256;
struct ClockRecord {
    uint64_t written;  ///< clock_written once the fields below mean something
    SavedClock clock;
};
constexpr uint64_t clock_written = 0x6c656c636c6f636bULL;  // "lelclock"
static_assert(clock_offset >= sizeof(ArenaHeader) && clock_offset + sizeof(ClockRecord) <= header_bytes);
static_assert(std::is_trivially_copyable_v<ClockRecord>);

ArenaHeader expected_header(std::size_t capacity, uint32_t max_names) {
    ArenaHeader h{};
    std::memcpy(h.magic, "lelstate", 8);
    h.version = store_version;
    h.abi = abi_version;
    h.header = header_bytes;
    h.capacity = capacity;
    h.max_names = max_names;
    h.double_bytes = sizeof(double);
    h.one = 1.0;
    return h;
}

std::string errno_text() { return std::strerror(errno); }

/// Makes `dir` (and its parents) if missing, mode 0700; it must be a
/// directory of this user that no one else can write.
void make_private_dir(const fs::path& dir) {
    std::error_code ec;
    const mode_t mask = umask(077);  // what is made here is this user's alone (control thread, at start)
    fs::create_directories(dir, ec);
    umask(mask);
    struct stat st{};
    if (lstat(dir.c_str(), &st) != 0) {
        throw std::runtime_error(fmt::format("cannot make the state directory {}: {}", dir.string(),
                                             ec ? ec.message() : errno_text()));
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
        throw std::runtime_error(fmt::format("the state directory {} must be a directory of this user that no one "
                                             "else can write", dir.string()));
    }
}

// -------------------------------------------------------------- text files

std::string lstring(std::string_view s) { return fmt::format("{}:{}", s.size(), s); }

/// Reads the words, numbers and length-prefixed strings of index and
/// program. Any misstep throws, so that a damaged file is set aside whole.
class Reader {
public:
    explicit Reader(std::string_view text) : text_(text) {}
    explicit Reader(std::string&&) = delete;  // it reads a view: the text must outlive it
    bool done() {
        skip();
        return at_ >= text_.size();
    }
    std::string_view word() {
        skip();
        const std::size_t from = at_;
        while (at_ < text_.size() && text_[at_] != ' ' && text_[at_] != '\n') ++at_;
        if (at_ == from) fail("a word");
        return text_.substr(from, at_ - from);
    }
    template <class T>
    T number() {
        const std::string_view w = word();
        T v{};
        const auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
        if (ec != std::errc() || end != w.data() + w.size()) fail("a number");
        return v;
    }
    std::string text() {
        skip();
        const std::size_t colon = text_.find(':', at_);
        if (colon == std::string_view::npos) fail("a string");
        std::size_t n = 0;
        const auto [end, ec] = std::from_chars(text_.data() + at_, text_.data() + colon, n);
        if (ec != std::errc() || end != text_.data() + colon || n > text_.size() - colon - 1) fail("a string");
        at_ = colon + 1 + n;
        return std::string(text_.substr(colon + 1, n));
    }
    void expect(std::string_view w) {
        if (word() != w) fail(fmt::format("'{}'", w));
    }

private:
    void skip() {
        while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\n')) ++at_;
    }
    [[noreturn]] void fail(std::string_view what) const {
        throw std::runtime_error(fmt::format("expected {} at byte {}", what, at_));
    }
    std::string_view text_;
    std::size_t at_ = 0;
};

}  // namespace

fs::path default_state_dir(const std::string& client) {
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    std::error_code ec;
    if (runtime && *runtime && fs::is_directory(runtime, ec)) return fs::path(runtime) / "lel" / client;
    // In memory, as XDG_RUNTIME_DIR is: /tmp may be a disk.
    const fs::path base = fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
    return base / fmt::format("lel-{}", geteuid()) / client;
}

StateStore::StateStore(fs::path dir, std::size_t capacity, uint32_t max_names, bool fresh)
    : dir_(std::move(dir)), max_names_(max_names) {
    make_private_dir(dir_);
    lock_fd_ = ::open((dir_ / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0) throw std::runtime_error(fmt::format("cannot open {}: {}", (dir_ / "lock").string(), errno_text()));
    if (flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        ::close(lock_fd_);
        throw std::runtime_error(fmt::format("the state directory {} is in use by another leld (give this one its "
                                             "own with --state-dir, or another JACK name with -n)", dir_.string()));
    }
    make_private_dir(modules_dir());
    // On a disk, the kernel writes the arena's dirty pages back now and
    // then, and the producer's next write to such a page waits for the file
    // system: a glitch. In memory (tmpfs) nothing is written back.
    if (struct statfs fs_info{}; statfs(dir_.c_str(), &fs_info) == 0 && fs_info.f_type != TMPFS_MAGIC &&
                                 fs_info.f_type != RAMFS_MAGIC) {
        spdlog::warn("state: {} is not in memory (tmpfs): writing the arena back to disk can stall the producer "
                     "(glitches); give --state-dir a directory under $XDG_RUNTIME_DIR or /dev/shm", dir_.string());
    }
    if (fresh) {
        std::error_code ec;
        for (const char* f : {"arena", "index", "program"}) fs::remove(dir_ / f, ec);
        for (const fs::directory_entry& e : fs::directory_iterator(modules_dir(), ec)) fs::remove(e.path(), ec);
    }
    try {
        map_arena(capacity, max_names);
    } catch (...) {
        ::close(lock_fd_);
        throw;
    }
    if (created_) {
        // The index and program belong to the arena file that is gone.
        std::error_code ec;
        fs::remove(dir_ / "index", ec);
        fs::remove(dir_ / "program", ec);
        return;
    }
    read_index(capacity, max_names);
    read_program();
}

StateStore::~StateStore() {
    if (lock_fd_ >= 0) ::close(lock_fd_);
}

void StateStore::set_aside(const fs::path& file, const std::string& why) {
    const fs::path aside = file.string() + fmt::format(".set-aside-{}", std::time(nullptr));
    std::error_code ec;
    fs::rename(file, aside, ec);
    spdlog::warn("state: {} set aside as {} ({}){}", file.string(), aside.filename().string(), why,
                 ec ? fmt::format("; the rename failed: {}", ec.message()) : "");
    if (ec) fs::remove(file, ec);
}

void StateStore::map_arena(std::size_t capacity, uint32_t max_names) {
    const fs::path file = dir_ / "arena";
    const ArenaHeader want = expected_header(capacity, max_names);
    const std::size_t bytes = header_bytes + capacity * sizeof(double);
    int fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        ArenaHeader have{};
        struct stat st{};
        const bool read_ok = pread(fd, &have, sizeof have, 0) == static_cast<ssize_t>(sizeof have);
        const bool sized = fstat(fd, &st) == 0 && static_cast<std::size_t>(st.st_size) == bytes;
        std::string why;
        if (!read_ok || std::memcmp(have.magic, want.magic, 8) != 0) {
            why = "not a lel state file";
        } else if (have.version != want.version || have.abi != want.abi || have.header != want.header ||
                   have.double_bytes != want.double_bytes || have.one != want.one) {
            why = fmt::format("written by another version of lel (state file version {}, module ABI {}; this "
                              "leld writes version {}, ABI {})", have.version, have.abi, want.version, want.abi);
        } else if (have.capacity != want.capacity || have.max_names != want.max_names) {
            why = fmt::format("an arena of {} doubles and {} names; this leld has {} and {} (--state-size)",
                              have.capacity, have.max_names, want.capacity, want.max_names);
        } else if (!sized) {
            why = "its size does not match its header";
        }
        if (!why.empty()) {
            ::close(fd);
            fd = -1;
            set_aside(file, why);
            for (const char* f : {"index", "program"}) {
                if (fs::exists(dir_ / f)) set_aside(dir_ / f, "it belongs to the arena file set aside");
            }
        }
    }
    if (fd < 0) {
        created_ = true;
        fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) throw std::runtime_error(fmt::format("cannot create {}: {}", file.string(), errno_text()));
        // Every block reserved now: a full tmpfs fails here, not as a
        // SIGBUS on the producer thread when it first writes a page.
        if (const int e = posix_fallocate(fd, 0, static_cast<off_t>(bytes)); e != 0) {
            ::close(fd);
            fs::remove(file);
            throw std::runtime_error(fmt::format("cannot reserve {} MiB for {}: {}", bytes >> 20, file.string(),
                                                 std::strerror(e)));
        }
        if (pwrite(fd, &want, sizeof want, 0) != static_cast<ssize_t>(sizeof want)) {
            ::close(fd);
            fs::remove(file);
            throw std::runtime_error(fmt::format("cannot write {}: {}", file.string(), errno_text()));
        }
    }
    void* map = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ::close(fd);
    if (map == MAP_FAILED) throw std::runtime_error(fmt::format("cannot map {}: {}", file.string(), errno_text()));
    std::shared_ptr<void> keep(map, [bytes](void* p) { munmap(p, bytes); });
    storage_ = ArenaStorage{reinterpret_cast<double*>(static_cast<char*>(map) + header_bytes), capacity, keep};
    clock_record_ = static_cast<char*>(map) + clock_offset;
    ClockRecord record{};
    std::memcpy(&record, clock_record_, sizeof record);
    if (record.written == clock_written && record.clock.sample_rate > 0.0 && std::isfinite(record.clock.sample_rate) &&
        std::isfinite(record.clock.beats_per_frame) && std::isfinite(record.clock.beat_base) &&
        std::isfinite(record.clock.tempo_bpm) && std::isfinite(record.clock.fade_ms)) {
        clock_ = record.clock;
    }
}

void StateStore::save_clock(const SavedClock& clock) noexcept {
    const ClockRecord record{clock_written, clock};
    std::memcpy(clock_record_, &record, sizeof record);
}

void StateStore::read_index(std::size_t capacity, uint32_t max_names) {
    const fs::path file = dir_ / "index";
    if (!fs::exists(file)) return;
    try {
        const std::string text = read_whole(file);
        Reader r(text);
        r.expect("lel-index");
        if (r.number<uint32_t>() != store_version || r.number<uint64_t>() != capacity ||
            r.number<uint32_t>() != max_names) {
            throw std::runtime_error("another version or arena size");
        }
        while (!r.done()) {
            const std::string_view what = r.word();
            if (what == "name") {
                StateArena::Entry e;
                e.offset = r.number<uint64_t>();
                e.size = r.number<uint32_t>();
                e.index = r.number<uint32_t>();
                e.layout.laid_out = r.number<uint32_t>() != 0;
                e.layout.raw = r.number<uint32_t>();
                const auto blocks = r.number<uint32_t>();
                if (blocks > detail::Recorder::max_blocks) throw std::runtime_error("too many helper blocks");
                e.name = r.text();
                for (uint32_t i = 0; i < blocks; ++i) {
                    detail::RecordedBlock b;
                    b.kind = r.number<uint32_t>();
                    b.size = r.number<uint32_t>();
                    const std::string key = r.text();
                    if (key.size() >= sizeof b.key) throw std::runtime_error("a helper key too long");
                    std::memcpy(b.key, key.data(), key.size());
                    e.layout.blocks.push_back(b);
                }
                names_.push_back(std::move(e));
            } else if (what == "param") {
                RememberedParam p;
                p.signal = r.text();
                p.param = r.text();
                p.value.value = r.number<double>();
                if (r.number<uint32_t>() != 0) p.value.lag = r.number<double>();
                params_.push_back(std::move(p));
            } else {
                throw std::runtime_error(fmt::format("unknown line '{}'", what));
            }
        }
    } catch (const std::exception& e) {
        names_.clear();
        params_.clear();
        set_aside_index(e.what());
    }
}

void StateStore::set_aside_index(const std::string& why) {
    names_.clear();
    set_aside(dir_ / "index", why);
    // Without its index the arena's doubles mean nothing: they are zeroed
    // by StateArena::restore({}) (the caller's).
}

void StateStore::read_program() {
    const fs::path file = dir_ / "program";
    if (!fs::exists(file)) return;
    try {
        const std::string text = read_whole(file);
        Reader r(text);
        r.expect("lel-program");
        if (r.number<uint32_t>() != store_version) throw std::runtime_error("another version");
        while (!r.done()) {
            const std::string_view what = r.word();
            ProgramStep s;
            if (what == "load") {
                s.kind = ProgramStep::Kind::load;
                s.module = r.text();
                s.origin = r.text();
                if (s.module.empty() || s.module.find('/') != std::string::npos || s.module[0] == '.') {
                    throw std::runtime_error("a module name that is not a plain file name");
                }
                uint64_t seq = 0;
                std::from_chars(s.module.data(), s.module.data() + s.module.size(), seq);
                next_module_ = std::max(next_module_, seq + 1);
            } else if (what == "remove") {
                s.kind = ProgramStep::Kind::remove;
                s.name = r.text();
            } else if (what == "clear") {
                s.kind = ProgramStep::Kind::clear;
            } else {
                throw std::runtime_error(fmt::format("unknown step '{}'", what));
            }
            program_.push_back(std::move(s));
        }
    } catch (const std::exception& e) {
        program_.clear();
        set_aside(file, e.what());
    }
}

bool StateStore::save_index(const std::vector<StateArena::Entry>& names, const std::vector<RememberedParam>& params) {
    std::string out = fmt::format("lel-index {} {} {}\n", store_version, storage_.capacity, max_names_);
    for (const StateArena::Entry& e : names) {
        out += fmt::format("name {} {} {} {} {} {} {}\n", e.offset, e.size, e.index, e.layout.laid_out ? 1 : 0,
                           e.layout.raw, e.layout.blocks.size(), lstring(e.name));
        for (const detail::RecordedBlock& b : e.layout.blocks) {
            out += fmt::format(" {} {} {}\n", b.kind, b.size, lstring(b.key));
        }
    }
    for (const RememberedParam& p : params) {
        out += fmt::format("param {} {} {} {}", lstring(p.signal), lstring(p.param), p.value.value,
                           p.value.lag ? 1 : 0);
        out += p.value.lag ? fmt::format(" {}\n", *p.value.lag) : "\n";
    }
    if (write_atomically(dir_ / "index", out)) return true;
    spdlog::warn("state: cannot write {}: names would not find their state after a restart", (dir_ / "index").string());
    return false;
}

bool StateStore::save_program(const std::vector<ProgramStep>& steps) {
    std::string out = fmt::format("lel-program {}\n", store_version);
    std::set<std::string> used;
    for (const ProgramStep& s : steps) {
        switch (s.kind) {
            case ProgramStep::Kind::load:
                out += fmt::format("load {} {}\n", lstring(s.module), lstring(s.origin));
                used.insert(s.module);
                break;
            case ProgramStep::Kind::remove: out += fmt::format("remove {}\n", lstring(s.name)); break;
            case ProgramStep::Kind::clear: out += "clear\n"; break;
        }
    }
    const bool ok = write_atomically(dir_ / "program", out);
    if (!ok) spdlog::warn("state: cannot write {}: the program would not resume after a restart", (dir_ / "program").string());
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(modules_dir(), ec)) {
        if (!used.count(e.path().filename().string())) fs::remove(e.path(), ec);
    }
    return ok;
}

std::string StateStore::next_module_name(const fs::path& origin) {
    std::string stem = origin.stem().string().substr(0, 64);
    for (char& c : stem) {
        if (c == '/' || c == ' ' || c == '\n') c = '_';
    }
    return fmt::format("{}-{}.so", next_module_++, stem);
}

}  // namespace lel
