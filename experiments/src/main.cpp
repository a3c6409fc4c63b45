// zcgp: evolve zero-cost proxies for neural architecture search.
#include <algorithm>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>

#include <fmt/core.h>

#include "Command.hpp"

namespace po = boost::program_options;

namespace zcgp::cli {

namespace {
std::vector<Command>& registry() {
    static std::vector<Command> instance;
    return instance;
}
}  // namespace

bool registerCommand(Command command) {
    registry().push_back(std::move(command));
    std::sort(registry().begin(), registry().end(),
              [](Command const& a, Command const& b) { return a.name < b.name; });
    return true;
}

std::vector<Command> const& commands() { return registry(); }

void addCommonOptions(po::options_description& options) {
    options.add_options()
        ("data", po::value<std::string>()->value_name("DIR"),
         "data directory (default: $ZCGP_DATA, else ./data)")
        ("help,h", "show this help");
}

bool parseArguments(std::string const& command, std::string const& usage, po::options_description const& options,
                    std::vector<std::string> const& args, po::variables_map& vm,
                    po::positional_options_description const* positional) {
    try {
        po::command_line_parser parser(args);
        parser.options(options);
        if (positional != nullptr) {
            parser.positional(*positional);
        }
        po::store(parser.run(), vm);
    } catch (po::error const& e) {
        std::string valid;
        for (auto const& opt : options.options()) {
            valid += (valid.empty() ? "" : ", ") + opt->canonical_display_name(po::command_line_style::allow_long);
        }
        throw UsageError(fmt::format("zcgp {}: {} (valid flags: {})", command, e.what(), valid));
    }
    if (vm.count("help") != 0U) {
        std::cout << "usage: zcgp " << command << ' ' << usage << "\n\n" << options << '\n';
        return false;
    }
    try {
        po::notify(vm);
    } catch (po::error const& e) {
        throw UsageError(fmt::format("zcgp {}: {}", command, e.what()));
    }
    return true;
}

void writeAtomically(std::filesystem::path const& file, std::string const& text) {
    auto tmp = file;
    tmp += ".tmp";
    {
        std::ofstream os(tmp);
        os << text;
        if (!os.flush()) {
            throw std::runtime_error(fmt::format("cannot write '{}'", tmp.string()));
        }
    }
    std::filesystem::rename(tmp, file);
}

std::filesystem::path resolveDataDir(po::variables_map const& vm) {
    std::filesystem::path dir = "data";
    std::string origin = "default ./data";
    if (vm.count("data") != 0U) {
        dir = vm["data"].as<std::string>();
        origin = "--data";
    } else if (char const* env = std::getenv("ZCGP_DATA"); env != nullptr && *env != '\0') {
        dir = env;
        origin = "$ZCGP_DATA";
    }
    if (!std::filesystem::is_directory(dir)) {
        throw UsageError(fmt::format("data directory '{}' ({}) does not exist; run scripts/setup.sh or pass --data DIR",
                                     dir.string(), origin));
    }
    return dir;
}

}  // namespace zcgp::cli

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
