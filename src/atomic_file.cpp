#include "atomic_file.hpp"

#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <unistd.h>
#include <utility>

namespace lel {
namespace fs = std::filesystem;

fs::path temporary_beside(const fs::path& file) {
    return file.parent_path() / fmt::format(".{}.{}.tmp", file.filename().string(), getpid());
}

AtomicFile::AtomicFile(fs::path destination)
    : destination_(std::move(destination)), temporary_(temporary_beside(destination_)) {}

AtomicFile::~AtomicFile() {
    if (!committed_) discard();
}

int AtomicFile::open() noexcept {
    if (fd_ < 0) fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    return fd_;
}

std::error_code AtomicFile::commit() noexcept {
    std::error_code ec;
    if (fd_ >= 0 && ::close(std::exchange(fd_, -1)) != 0) ec.assign(errno, std::generic_category());
    if (!ec) fs::rename(temporary_, destination_, ec);
    if (ec) {
        discard();
    } else {
        committed_ = true;
    }
    return ec;
}

void AtomicFile::discard() noexcept {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
    std::error_code ignored;
    fs::remove(temporary_, ignored);
}

bool write_atomically(const fs::path& file, std::string_view text) {
    AtomicFile atomic(file);
    {
        std::ofstream out(atomic.temporary(), std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        if (!out) return false;
    }
    return !atomic.commit();
}

std::string read_whole(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace lel
