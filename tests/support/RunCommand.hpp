#pragma once
// Runs a shell command (typically the real zcgp binary) and captures exit code, stdout and stderr.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "TestData.hpp"

namespace zcgp::test {

struct CommandResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};

inline CommandResult runCommand(std::string const& command) {
    static int counter = 0;
    auto const errFile = std::filesystem::temp_directory_path() /
                         ("zcgp_test_stderr_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    CommandResult result;
    std::string const full = command + " 2>" + errFile.string();
    FILE* pipe = ::popen(full.c_str(), "r");
    if (pipe == nullptr) {
        return result;
    }
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        result.out.append(buffer.data(), n);
    }
    int const status = ::pclose(pipe);
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(errFile);
    std::ostringstream err;
    err << in.rdbuf();
    result.err = err.str();
    std::filesystem::remove(errFile);
    return result;
}


}  // namespace zcgp::test

namespace zcgp::test {

// The real zcgp binary with `args`, reading the test data directory.
inline std::string zcgpCli(std::string const& args) {
    return cliPath().string() + " " + args + " --data " + requireData("nbsz").parent_path().string();
}

// The folder every scratchDir of this test process lives in: removed when the process exits normally
// (set ZCGP_KEEP_TEST_FILES=1 to keep it for a look after a failure).
inline std::filesystem::path scratchRoot() {
    struct Root {
        std::filesystem::path path =
            std::filesystem::temp_directory_path() / ("zcgp_test_" + std::to_string(::getpid()));
        Root() = default;
        Root(Root const&) = delete;
        Root& operator=(Root const&) = delete;
        ~Root() {
            if (std::getenv("ZCGP_KEEP_TEST_FILES") != nullptr) return;
            std::error_code ec;
            std::filesystem::remove_all(path, ec);
        }
    };
    static Root const root;
    return root.path;
}

// A fresh scratch folder, unique to this test process.
inline std::filesystem::path scratchDir(std::string const& name) {
    auto dir = scratchRoot() / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

// experiments/configs/<name>.toml
inline std::string experimentConfig(std::string const& name) {
    return (std::filesystem::path(ZCGP_SOURCE_DIR) / "experiments" / "configs" / (name + ".toml")).string();
}

}  // namespace zcgp::test
