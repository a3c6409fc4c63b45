#pragma once
// Where tests find the real benchmark data: $ZCGP_DATA, else <source>/data (scripts/setup.sh links it).
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace zcgp::test {

inline std::filesystem::path dataDir() {
    if (const char* env = std::getenv("ZCGP_DATA"); env != nullptr && *env != '\0') {
        return env;
    }
    return std::filesystem::path(ZCGP_SOURCE_DIR) / "data";
}

// The real data is required: a missing data directory is a test failure, never a skip.
inline std::filesystem::path requireData(std::string const& relative) {
    auto p = dataDir() / relative;
    if (!std::filesystem::exists(p)) {
        throw std::runtime_error("test data not found: " + p.string() +
                                 " (run scripts/setup.sh, or set ZCGP_DATA)");
    }
    return p;
}

inline std::filesystem::path cliPath() { return ZCGP_CLI_PATH; }

}  // namespace zcgp::test
