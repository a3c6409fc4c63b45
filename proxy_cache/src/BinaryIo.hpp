#pragma once
// Private helpers of the statistics cache and journal: little-endian encoding, POSIX file writing with
// fsync, and atomic replacement of a file (temporary file in the same directory + fsync + rename).
#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace zcgp::proxy_cache::detail {

[[nodiscard]] inline std::uint64_t toLittle(std::uint64_t v) {
    if constexpr (std::endian::native == std::endian::little) {
        return v;
    } else {
        std::uint64_t r = 0;
        for (int i = 0; i < 8; ++i) {
            r = (r << 8) | ((v >> (8 * i)) & 0xffU);
        }
        return r;
    }
}

inline void appendU64(std::string& out, std::uint64_t v) {
    v = toLittle(v);
    char bytes[8];
    std::memcpy(bytes, &v, 8);
    out.append(bytes, 8);
}

inline void appendF64(std::string& out, double d) { appendU64(out, std::bit_cast<std::uint64_t>(d)); }

[[nodiscard]] inline std::uint64_t loadU64(char const* p) {
    std::uint64_t v = 0;
    std::memcpy(&v, p, 8);
    return toLittle(v);
}

[[nodiscard]] inline double loadF64(char const* p) { return std::bit_cast<double>(loadU64(p)); }

// FNV-1a 64.
[[nodiscard]] inline std::uint64_t fnv1a(std::string_view bytes, std::uint64_t h = 0xcbf29ce484222325ULL) {
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

// Buffered writer over a POSIX file descriptor; errors throw std::runtime_error naming `path`.
class FdWriter {
public:
    FdWriter(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
    FdWriter(FdWriter const&) = delete;
    FdWriter& operator=(FdWriter const&) = delete;
    ~FdWriter() = default;

    void put(void const* data, std::size_t n);
    void put(std::string_view s) { put(s.data(), s.size()); }
    void putU64s(std::span<std::uint64_t const> values);
    void putF64s(std::span<double const> values);
    void flush();  // to the OS: survives a killed process
    void sync();   // flush + fsync: survives a power loss

private:
    int fd_;
    std::filesystem::path path_;
    std::string buffer_;
};

// Writes `path` atomically: `write` fills a temporary file in the same directory, which is fsynced and renamed
// over `path`; the directory is fsynced too. On any exception the temporary file is removed.
void atomicWrite(std::filesystem::path const& path, std::function<void(FdWriter&)> const& write);

// Writes all of [data, data + n) to fd, retrying short writes and EINTR.
void writeAll(int fd, void const* data, std::size_t n, std::filesystem::path const& path);

void fsyncDirectory(std::filesystem::path const& dir);

}  // namespace zcgp::proxy_cache::detail
