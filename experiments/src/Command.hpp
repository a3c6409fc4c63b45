#pragma once
// Subcommand registry of the zcgp CLI. Each subcommand lives in its own Command<Name>.cpp and
// registers itself with a static ZCGP_REGISTER_COMMAND, so adding one never touches main.cpp.
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace zcgp::cli {

struct Command {
    std::string name;
    std::string summary;
    // Receives the arguments after the subcommand name; returns the process exit code.
    std::function<int(std::vector<std::string> const& args)> run;
};

bool registerCommand(Command command);
[[nodiscard]] std::vector<Command> const& commands();

// A user error (bad flag, unknown task, malformed file): printed without a stack of context, exit code 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Adds --data DIR and --help to a subcommand's options.
void addCommonOptions(boost::program_options::options_description& options);

// The valid values of a numeric flag, inclusive. Every flag declared as po::value<std::size_t | std::uint64_t |
// int | double> is also parsed strictly (no sign on unsigned flags, no trailing characters, no overflow, finite).
struct NumericRange {
    double min;
    double max;
};
using NumericRanges = std::map<std::string, NumericRange, std::less<>>;

// Parses args against options (and positional, if any); on --help prints usage and returns false.
// Unknown flags, stray positional words, malformed or out-of-range numbers raise UsageError naming the flag.
[[nodiscard]] bool parseArguments(std::string const& command, std::string const& usage,
                                  boost::program_options::options_description const& options,
                                  std::vector<std::string> const& args,
                                  boost::program_options::variables_map& vm,
                                  boost::program_options::positional_options_description const* positional = nullptr,
                                  NumericRanges const& ranges = {});

// --threads T: 0 means every hardware thread; a count above the hardware's is capped, with a note on stderr.
[[nodiscard]] std::size_t effectiveThreads(std::size_t requested, std::string const& flag = "--threads");

// Writes text to file.tmp, then renames it over file: a reader never sees a half-written file.
void writeAtomically(std::filesystem::path const& file, std::string const& text);

// --data DIR, else $ZCGP_DATA, else ./data. Errors if the directory does not exist.
[[nodiscard]] std::filesystem::path resolveDataDir(boost::program_options::variables_map const& vm);

}  // namespace zcgp::cli

#define ZCGP_CONCAT_INNER(a, b) a##b
#define ZCGP_CONCAT(a, b) ZCGP_CONCAT_INNER(a, b)
#define ZCGP_REGISTER_COMMAND(...) \
    [[maybe_unused]] static const bool ZCGP_CONCAT(zcgpCommandRegistered, __LINE__) = \
        ::zcgp::cli::registerCommand(::zcgp::cli::Command{__VA_ARGS__})
