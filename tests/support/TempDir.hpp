#pragma once
// A scratch folder removed with its contents when the test ends, and whole-file byte reads.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <system_error>

namespace zcgp::test {

struct TempDir {
    std::filesystem::path path;
    explicit TempDir(std::string const& prefix = "zcgp_test_") {
        std::random_device rd;
        path = std::filesystem::temp_directory_path() / (prefix + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(TempDir const&) = delete;
    TempDir& operator=(TempDir const&) = delete;
};

// Writes `text` to dir/name (binary, as given) and returns the path.
inline std::filesystem::path writeFile(std::filesystem::path const& dir, std::string const& name,
                                       std::string const& text) {
    auto const path = dir / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

// The message of the `Error` that f() throws, or "no <what>" if it throws none.
template <typename Error, typename F>
std::string errorOf(F&& f, std::string const& what = "error") {
    try {
        f();
    } catch (Error const& e) {
        return e.what();
    }
    return "no " + what;
}

inline std::string readBytes(std::filesystem::path const& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace zcgp::test
