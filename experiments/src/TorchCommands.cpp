// zcgp's side of the LibTorch subcommands: each is registered under its own name and summary, and running it
// hands the process over to zcgp-torch (built next to zcgp when ZCGP_WITH_TORCH is on).
#include "TorchCommands.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include <fmt/core.h>

#include "Command.hpp"

namespace zcgp::cli {

int handOverToTorch(std::string const& command, std::vector<std::string> const& args) {
    std::error_code ec;
    auto const self = std::filesystem::read_symlink("/proc/self/exe", ec);
    auto const target = (ec ? std::filesystem::path() : self.parent_path()) / "zcgp-torch";
    // argv[0] stays "zcgp": messages and usage lines read "zcgp score ...", as they always have
    std::vector<std::string> argvStrings{"zcgp", command};
    argvStrings.insert(argvStrings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argvStrings) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::cout.flush();
    ::execv(target.c_str(), argv.data());
    int const error = errno;  // execv returns only on failure
    std::cerr << fmt::format("zcgp: error: zcgp {} needs '{}' (the LibTorch subcommands), which cannot be run: {}\n",
                             command, target.string(), std::strerror(error));
    return 1;
}

}  // namespace zcgp::cli

#ifdef ZCGP_HAS_TORCH_COMMANDS
namespace {
bool registerTorchCommands() {
    for (auto const& c : zcgp::cli::kTorchCommands) {
        std::string const name(c.name);
        zcgp::cli::registerCommand(zcgp::cli::Command{
            name, std::string(c.summary),
            [name](std::vector<std::string> const& args) { return zcgp::cli::handOverToTorch(name, args); }});
    }
    return true;
}
[[maybe_unused]] bool const torchCommandsRegistered = registerTorchCommands();
}  // namespace
#endif
