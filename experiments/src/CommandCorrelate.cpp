// zcgp correlate: rank correlation of every cached proxy with ground-truth accuracy, proxies x tasks
// (the NAS-Bench-Suite-Zero table). Missing values are handled pairwise-complete.
#include <algorithm>
#include <iostream>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "Command.hpp"
#include "TableFormat.hpp"
#include "TaskOptions.hpp"
#include "zcgp/fitness/RankStatistics.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/tasks/Tasks.hpp"

namespace po = boost::program_options;

namespace zcgp::cli {
namespace {

int runCorrelate(std::vector<std::string> const& args) {
    po::options_description options("zcgp correlate options");
    options.add_options()
        ("task", po::value<std::vector<std::string>>()->composing(),
         "SPACE/TASK, or SPACE for all its tasks (repeatable; default: every task)")
        ("metric", po::value<std::string>()->default_value("kendall"), "kendall|spearman|pearson|topk")
        ("format", po::value<std::string>()->default_value("table"), "table|csv|json|markdown")
        ("precision", po::value<int>()->default_value(3), "decimals in table/markdown/csv output");
    addTableOptions(options);
    addCommonOptions(options);
    po::variables_map vm;
    if (!parseArguments("correlate", "[--task SPACE/TASK ...] [--table FILE.csv --target COLUMN ...] [--metric M] [--format F]",
                        options, args, vm, nullptr, {{"precision", {0, 17}}})) {
        return 0;
    }
    fitness::Metric metric{};
    try {
        metric = fitness::parseMetric(vm["metric"].as<std::string>());
    } catch (std::invalid_argument const& e) {
        throw UsageError(fmt::format("--metric: {}", e.what()));
    }
    auto const format = parseTableFormat(vm["format"].as<std::string>());
    auto request = tableRequest(vm);
    request.patterns = true;
    if (vm.count("task") != 0U) request.ids = vm["task"].as<std::vector<std::string>>();
    else if (request.tables.empty()) request.ids = {"all"};  // default: every task
    std::vector<proxy_cache::ProxyTable> selected;
    try {
        auto const benchmark = request.ids.empty() ? proxy_cache::Benchmark{} : proxy_cache::Benchmark::load(resolveDataDir(vm));
        selected = tasks::selectTables(benchmark, request);
    } catch (proxy_cache::DataError const& e) {
        throw UsageError(e.what());
    }
    std::vector<proxy_cache::ProxyTable const*> tasks;
    for (auto const& t : selected) {
        tasks.push_back(&t);
        if (t.targetNegated) {
            std::cerr << fmt::format("{}: {} against the negated target '{}' (--target-order lower)\n", t.id(),
                                     fitness::toString(metric), t.target);
        }
    }

    std::set<std::string> proxyNames;
    for (auto const* t : tasks) proxyNames.insert(t->proxies.begin(), t->proxies.end());

    ResultTable table;
    table.corner = fmt::format("{} \\ task", fitness::toString(metric));
    table.precision = vm["precision"].as<int>();
    for (auto const* t : tasks) table.columns.push_back(t->id());
    for (auto const& proxy : proxyNames) {
        table.rows.push_back(proxy);
        std::vector<ResultTable::Cell> row;
        for (auto const* t : tasks) {
            if (!t->proxyIndex(proxy)) {
                row.push_back({std::nullopt, ""});
                continue;
            }
            std::span<double const> truth(t->accuracy.data(), t->size());
            row.push_back({fitness::correlate(metric, t->column(proxy), truth), ""});
        }
        table.cells.push_back(std::move(row));
    }
    std::cout << table.render(format);
    return 0;
}

ZCGP_REGISTER_COMMAND("correlate", "correlation of each cached proxy with accuracy, proxies x tasks", runCorrelate);

}  // namespace
}  // namespace zcgp::cli
