// zcgp tasks: one row per loaded task with its size, proxies and missing-value counts.
#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "Command.hpp"
#include "TableFormat.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"

namespace po = boost::program_options;

namespace zcgp::cli {
namespace {

int runTasks(std::vector<std::string> const& args) {
    po::options_description options("zcgp tasks options");
    options.add_options()("format", po::value<std::string>()->default_value("table"), "table|csv|json|markdown");
    addCommonOptions(options);
    po::variables_map vm;
    if (!parseArguments("tasks", "[--format F] [--data DIR]", options, args, vm)) {
        return 0;
    }
    auto const format = parseTableFormat(vm["format"].as<std::string>());
    auto const benchmark = proxy_cache::Benchmark::load(resolveDataDir(vm));

    ResultTable table;
    table.corner = "task";
    table.columns = {"space", "archs", "proxies", "present", "missing"};
    nlohmann::json json = nlohmann::json::array();
    for (auto const& t : benchmark.tasks()) {
        std::vector<std::string> missing;
        nlohmann::json missingJson = nlohmann::json::object();
        for (std::size_t p = 0; p < t.proxies.size(); ++p) {
            if (auto const count = t.missingCount(p); count > 0) {
                missing.push_back(fmt::format("{}:{}", t.proxies[p], count));
                missingJson[t.proxies[p]] = count;
            }
        }
        table.rows.push_back(t.id());
        table.cells.push_back({{std::nullopt, std::string(proxy_cache::toString(t.space))},
                               {std::nullopt, std::to_string(t.size())},
                               {std::nullopt, std::to_string(t.proxies.size())},
                               {std::nullopt, fmt::format("{}", fmt::join(t.proxies, ","))},
                               {std::nullopt, missing.empty() ? std::string("none") : fmt::format("{}", fmt::join(missing, ","))}});
        json.push_back({{"space", proxy_cache::toString(t.space)}, {"task", t.task}, {"archs", t.size()},
                        {"proxies", t.proxies}, {"missing", missingJson}, {"source", t.source.string()}});
    }
    if (format == TableFormat::Json) {
        std::cout << json.dump(2) << '\n';
    } else {
        std::cout << table.render(format);
    }
    return 0;
}

ZCGP_REGISTER_COMMAND("tasks", "list the benchmark tasks: architectures, proxies and missing counts", runTasks);

}  // namespace
}  // namespace zcgp::cli
