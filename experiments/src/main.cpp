// The zcgp CLI's shared parts: the subcommand registry, option parsing and helpers (Command.hpp). main() is in
// entry/main.cpp, so that the Python module links these (the zcgp_cli library) without a second main().
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <thread>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>

#include <fmt/format.h>

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

namespace {

enum class NumberKind { None, Unsigned, Signed, Real };

NumberKind numberKind(po::value_semantic const* semantic) {
    if (dynamic_cast<po::typed_value<std::size_t> const*>(semantic) != nullptr ||
        dynamic_cast<po::typed_value<std::uint64_t> const*>(semantic) != nullptr ||
        dynamic_cast<po::typed_value<unsigned> const*>(semantic) != nullptr) {
        return NumberKind::Unsigned;
    }
    if (dynamic_cast<po::typed_value<int> const*>(semantic) != nullptr ||
        dynamic_cast<po::typed_value<std::int64_t> const*>(semantic) != nullptr) {
        return NumberKind::Signed;
    }
    if (dynamic_cast<po::typed_value<double> const*>(semantic) != nullptr) return NumberKind::Real;
    return NumberKind::None;
}

std::string bound(double v) {
    if (v >= 1.8e19) return "18446744073709551615";
    if (v <= -9.2e18) return "-9223372036854775808";
    return fmt::format("{}", v);
}

// Strict parse of one numeric flag value; boost's lexical_cast wraps "-3" into 2^64-3 for unsigned flags and
// reads "93x" as an error without naming the range.
void checkNumber(std::string const& command, std::string const& flag, std::string const& token, NumberKind kind,
                 NumericRanges const& ranges) {
    NumericRange range{-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
    if (kind == NumberKind::Unsigned) range = {0.0, 18446744073709551615.0};
    if (kind == NumberKind::Signed) range = {-2147483648.0, 2147483647.0};
    if (auto it = ranges.find(flag); it != ranges.end()) range = it->second;
    char const* first = token.data();
    char const* last = token.data() + token.size();
    double value = 0.0;
    bool ok = !token.empty();
    if (ok && kind == NumberKind::Unsigned) {
        std::uint64_t v = 0;
        auto [ptr, ec] = std::from_chars(first, last, v);
        ok = ec == std::errc() && ptr == last && token.front() != '-';
        value = static_cast<double>(v);
    } else if (ok && kind == NumberKind::Signed) {
        std::int64_t v = 0;
        auto [ptr, ec] = std::from_chars(first, last, v);
        ok = ec == std::errc() && ptr == last;
        value = static_cast<double>(v);
    } else if (ok) {
        auto [ptr, ec] = std::from_chars(first, last, value);
        ok = ec == std::errc() && ptr == last && std::isfinite(value);
    }
    ok = ok && value >= range.min && value <= range.max;
    if (!ok) {
        auto const what = kind == NumberKind::Real ? "a finite number" : "an integer";
        std::string valid = std::isinf(range.max) ? fmt::format("{} of at least {}", what, bound(range.min))
                            : std::isinf(range.min) ? fmt::format("{} of at most {}", what, bound(range.max))
                                                    : fmt::format("{} from {} to {}", what, bound(range.min), bound(range.max));
        if (std::isinf(range.min) && std::isinf(range.max)) valid = what;
        throw UsageError(fmt::format("zcgp {}: --{} '{}' is invalid: expected {}", command, flag, token, valid));
    }
}

// Words that belong to no flag: a usage error. When they follow a single-valued flag, the user most likely split
// a comma list (--proxies jacov nwot synflow).
void rejectStrayWords(std::string const& command, std::vector<std::string> const& args,
                      std::vector<po::option> const& parsed) {
    std::vector<std::string> stray;
    for (auto const& o : parsed) {
        if (o.string_key.empty()) stray.insert(stray.end(), o.value.begin(), o.value.end());
    }
    if (stray.empty()) return;
    std::string hint;
    auto const it = std::find(args.begin(), args.end(), stray.front());
    if (it != args.begin() && it != args.end()) {
        auto flag = std::find_if(std::make_reverse_iterator(it), args.rend(),
                                 [](std::string const& a) { return a.rfind("--", 0) == 0; });
        if (flag != args.rend() && std::distance(flag.base(), it) == 1) {
            std::vector<std::string> list{*(flag.base())};
            list.insert(list.end(), stray.begin(), stray.end());
            hint = fmt::format("; if they belong to {}, give a comma list: {} {}", *flag, *flag, fmt::join(list, ","));
        }
    }
    throw UsageError(fmt::format("zcgp {}: unexpected argument{} '{}'{}", command, stray.size() > 1 ? "s" : "",
                                 fmt::join(stray, " "), hint));
}

}  // namespace

bool parseArguments(std::string const& command, std::string const& usage, po::options_description const& options,
                    std::vector<std::string> const& args, po::variables_map& vm,
                    po::positional_options_description const* positional, NumericRanges const& ranges) {
    try {
        po::command_line_parser parser(args);
        parser.options(options);
        if (positional != nullptr) {
            parser.positional(*positional);
        }
        auto const parsed = parser.run();
        bool const help = std::any_of(parsed.options.begin(), parsed.options.end(),
                                      [](po::option const& o) { return o.string_key == "help"; });
        if (!help) {
            rejectStrayWords(command, args, parsed.options);
            for (auto const& o : parsed.options) {
                auto const* description = options.find_nothrow(o.string_key, false);
                if (description == nullptr) continue;
                auto const kind = numberKind(description->semantic().get());
                if (kind == NumberKind::None) continue;
                for (auto const& token : o.value) checkNumber(command, o.string_key, token, kind, ranges);
            }
        }
        po::store(parsed, vm);
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

std::size_t effectiveThreads(std::size_t requested, std::string const& flag) {
    std::size_t const hardware = std::max<std::size_t>(1, std::thread::hardware_concurrency());
    if (requested == 0) return hardware;
    if (requested > hardware) {
        std::cerr << fmt::format("zcgp: note: {} {} capped at the {} hardware threads\n", flag, requested, hardware);
        return hardware;
    }
    return requested;
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
