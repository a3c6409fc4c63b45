// zcgp tasks: one row per task with its space, size, proxies and missing-value counts; a file that cannot be read
// is listed with its error (and warned about on stderr) instead of hiding the tasks of the other files.
#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "Command.hpp"
#include "TableFormat.hpp"
#include "TaskOptions.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/tasks/Tasks.hpp"

namespace po = boost::program_options;

namespace zcgp::cli {
namespace {

struct Listing {
    ResultTable table;
    nlohmann::json json = nlohmann::json::array();

    void add(proxy_cache::ProxyTable const& t) {
        std::vector<std::string> present, absent, missing;
        nlohmann::json missingJson = nlohmann::json::object();
        for (std::size_t p = 0; p < t.proxies.size(); ++p) {
            auto const count = t.missingCount(p);
            if (count == t.size()) {  // missing on every architecture: the task does not have it
                absent.push_back(t.proxies[p]);
                continue;
            }
            present.push_back(t.proxies[p]);
            if (count > 0) {
                missing.push_back(fmt::format("{}:{}", t.proxies[p], count));
                missingJson[t.proxies[p]] = count;
            }
        }
        for (auto const& a : absent) missing.push_back(a + ":absent");
        table.rows.push_back(t.id());
        table.cells.push_back({{std::nullopt, std::string(proxy_cache::toString(t.space))},
                               {std::nullopt, std::to_string(t.size())},
                               {std::nullopt, std::to_string(present.size())},
                               {std::nullopt, fmt::format("{}", fmt::join(present, ","))},
                               {std::nullopt, missing.empty() ? std::string("none") : fmt::format("{}", fmt::join(missing, ","))}});
        json.push_back({{"task", t.id()}, {"space", proxy_cache::toString(t.space)}, {"archs", t.size()},
                        {"proxies", present}, {"absent", absent}, {"missing", missingJson}, {"target", t.target},
                        {"target_negated", t.targetNegated}, {"source", t.source.string()}});
    }

    void addError(proxy_cache::TaskSource const& source, std::string const& error) {
        table.rows.push_back(source.ids.empty() ? source.prefix + "/*" : fmt::format("{}", fmt::join(source.ids, ",")));
        table.cells.push_back({{std::nullopt, std::string(proxy_cache::toString(source.space))},
                               {std::nullopt, ""}, {std::nullopt, ""}, {std::nullopt, ""},
                               {std::nullopt, "error: " + error}});
        json.push_back({{"task", table.rows.back()}, {"space", proxy_cache::toString(source.space)},
                        {"source", source.name}, {"error", error}});
    }
};

int runTasks(std::vector<std::string> const& args) {
    po::options_description options("zcgp tasks options");
    options.add_options()("format", po::value<std::string>()->default_value("table"), "table|csv|json|markdown");
    addTableOptions(options);
    addCommonOptions(options);
    po::variables_map vm;
    if (!parseArguments("tasks", "[--format F] [--table FILE.csv --target COLUMN ...] [--data DIR]", options, args, vm)) {
        return 0;
    }
    auto const format = parseTableFormat(vm["format"].as<std::string>());
    auto request = tableRequest(vm);

    Listing listing;
    listing.table.corner = "task";
    listing.table.columns = {"space", "archs", "proxies", "present", "missing"};
    if (!request.tables.empty()) {  // the researcher's own tables only
        try {
            for (auto const& t : tasks::selectTables(proxy_cache::Benchmark{}, request)) listing.add(t);
        } catch (proxy_cache::DataError const& e) {
            throw UsageError(e.what());
        }
    } else {
        proxy_cache::Benchmark benchmark;
        try {
            benchmark = proxy_cache::Benchmark::load(resolveDataDir(vm));
        } catch (proxy_cache::DataError const& e) {
            throw UsageError(e.what());
        }
        for (auto const& status : benchmark.survey()) {
            if (!status.error.empty()) {
                std::cerr << "zcgp tasks: warning: " << status.error << '\n';
                listing.addError(*status.source, status.error);
                continue;
            }
            for (auto const* t : status.tables) {
                if (request.exclude.empty()) {
                    listing.add(*t);
                } else {
                    auto copy = *t;
                    for (auto const& name : request.exclude) copy.dropProxy(name);
                    listing.add(copy);
                }
            }
        }
    }
    if (format == TableFormat::Json) {
        std::cout << listing.json.dump(2) << '\n';
    } else {
        std::cout << listing.table.render(format);
    }
    return 0;
}

ZCGP_REGISTER_COMMAND("tasks", "list the tasks (and --table files): architectures, proxies and missing counts", runTasks);

}  // namespace
}  // namespace zcgp::cli
