// zcgp: evolve zero-cost proxies for neural architecture search. The entry point of the zcgp and zcgp-torch
// executables; the registry and option helpers it uses are in ../main.cpp (library zcgp_cli).
#include <algorithm>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "Command.hpp"

namespace {
void printUsage(std::ostream& out) {
    out << "zcgp " ZCGP_VERSION " - evolve zero-cost proxies for neural architecture search\n\n"
        << "usage: zcgp <command> [options]   (zcgp <command> --help for details)\n\ncommands:\n";
    for (auto const& c : zcgp::cli::commands()) {
        out << fmt::format("  {:<12} {}\n", c.name, c.summary);
    }
}
}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        printUsage(std::cout);
        return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
        std::cout << "zcgp " ZCGP_VERSION "\n";
        return 0;
    }
    auto const& cmds = zcgp::cli::commands();
    auto it = std::find_if(cmds.begin(), cmds.end(), [&](auto const& c) { return c.name == args[0]; });
    if (it == cmds.end()) {
        std::string valid;
        for (auto const& c : cmds) {
            valid += (valid.empty() ? "" : ", ") + c.name;
        }
        std::cerr << fmt::format("zcgp: unknown command '{}' (valid commands: {})\n", args[0], valid);
        return 2;
    }
    try {
        return it->run(std::vector<std::string>(args.begin() + 1, args.end()));
    } catch (zcgp::cli::UsageError const& e) {
        std::cerr << "zcgp: error: " << e.what() << '\n';
        return 2;
    } catch (std::exception const& e) {
        std::cerr << "zcgp: error: " << e.what() << '\n';
        return 1;
    }
}
