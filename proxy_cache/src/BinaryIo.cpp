#include "BinaryIo.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/core.h>

namespace zcgp::proxy_cache::detail {

namespace {
[[noreturn]] void throwErrno(std::string const& what, std::filesystem::path const& path) {
    throw std::runtime_error(fmt::format("{} '{}': {}", what, path.string(), std::strerror(errno)));
}
constexpr std::size_t BufferSize = std::size_t{1} << 20;
}  // namespace

void writeAll(int fd, void const* data, std::size_t n, std::filesystem::path const& path) {
    auto const* p = static_cast<char const*>(data);
    while (n > 0) {
        ssize_t written = ::write(fd, p, n);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            throwErrno("cannot write", path);
        }
        p += written;
        n -= static_cast<std::size_t>(written);
    }
}

void FdWriter::put(void const* data, std::size_t n) {
    if (buffer_.size() + n > BufferSize) {
        flush();
    }
    if (n >= BufferSize) {
        writeAll(fd_, data, n, path_);
        return;
    }
    buffer_.append(static_cast<char const*>(data), n);
}

void FdWriter::putU64s(std::span<std::uint64_t const> values) {
    if constexpr (std::endian::native == std::endian::little) {
        put(values.data(), values.size_bytes());
    } else {
        for (auto v : values) {
            std::uint64_t le = toLittle(v);
            put(&le, 8);
        }
    }
}

void FdWriter::putF64s(std::span<double const> values) {
    if constexpr (std::endian::native == std::endian::little) {
        put(values.data(), values.size_bytes());
    } else {
        for (auto d : values) {
            std::uint64_t le = toLittle(std::bit_cast<std::uint64_t>(d));
            put(&le, 8);
        }
    }
}

void FdWriter::flush() {
    if (!buffer_.empty()) {
        writeAll(fd_, buffer_.data(), buffer_.size(), path_);
        buffer_.clear();
    }
}

void FdWriter::sync() {
    flush();
    if (::fsync(fd_) != 0) {
        throwErrno("cannot fsync", path_);
    }
}

void fsyncDirectory(std::filesystem::path const& dir) {
    int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        throwErrno("cannot open directory", dir);
    }
    // Some file systems refuse fsync on directories (EINVAL); the rename is still as durable as they allow.
    if (::fsync(fd) != 0 && errno != EINVAL) {
        int saved = errno;
        ::close(fd);
        errno = saved;
        throwErrno("cannot fsync directory", dir);
    }
    ::close(fd);
}

void atomicWrite(std::filesystem::path const& path, std::function<void(FdWriter&)> const& write) {
    auto dir = path.parent_path();
    // Built with append: GCC 12 warns falsely (-Wrestrict) on chained operator+ here.
    std::string base(".");
    base.append(path.filename().string()).append(".tmp.XXXXXX");
    std::string pattern = (dir / base).string();
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    int fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0) {
        throwErrno("cannot create a temporary file next to", path);
    }
    std::filesystem::path tmp(name.data());
    try {
        // mkostemp creates 0600; give the file the usual permissions (subject to the umask).
        mode_t mask = ::umask(0);
        ::umask(mask);
        if (::fchmod(fd, 0666 & ~mask) != 0) {
            throwErrno("cannot chmod", tmp);
        }
        FdWriter writer(fd, tmp);
        write(writer);
        writer.sync();
        if (::close(fd) != 0) {
            fd = -1;
            throwErrno("cannot close", tmp);
        }
        fd = -1;
        if (::rename(tmp.c_str(), path.c_str()) != 0) {
            throwErrno(fmt::format("cannot rename '{}' to", tmp.string()), path);
        }
        fsyncDirectory(dir);
    } catch (...) {
        if (fd >= 0) {
            ::close(fd);
        }
        std::error_code ignored;
        std::filesystem::remove(tmp, ignored);
        throw;
    }
}

}  // namespace zcgp::proxy_cache::detail
