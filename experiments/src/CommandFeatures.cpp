// zcgp features: what zcgp computes from each architecture's encoding alone (proxy_cache/ArchitectureGraph.hpp), one
// row per architecture: the graph features (--terminals graph), the suite's bias properties or NASLib-style
// encodings. The Python baselines read it (scripts/*_baseline.py) instead of computing the features again.
#include <iostream>

#include <fmt/format.h>

#include "Command.hpp"
#include "TableFormat.hpp"
#include "TaskOptions.hpp"
#include "zcgp/proxy_cache/ArchitectureGraph.hpp"
#include "zcgp/tasks/Tasks.hpp"

namespace po = boost::program_options;

namespace zcgp::cli {
namespace {

int runFeatures(std::vector<std::string> const& args) {
    po::options_description options("zcgp features options");
    options.add_options()
        ("task", po::value<std::string>(), "SPACE/TASK")
        ("kind", po::value<std::string>()->default_value("graph"),
         "graph (the graph terminals, without their graph_ prefix) | bias (cell_size, num_skip, conv_minus_pool, "
         "large_kernels, unique_ops; empty where undefined for the space) | encoding (NASLib-style) | proxies (the "
         "task's terminal data as zcgp evolve reads it: its architectures and usable proxies, raw, and the target)")
        ("format", po::value<std::string>()->default_value("csv"), "csv|json|table|markdown");
    addTableOptions(options);
    addCommonOptions(options);
    po::variables_map vm;
    if (!parseArguments("features", "(--task SPACE/TASK | --table FILE.csv --target COLUMN --id COLUMN --table-space SPACE) "
                        "[--kind graph|bias|encoding] [--format csv|json|table|markdown] [--data DIR]",
                        options, args, vm)) {
        return 0;
    }
    auto const format = parseTableFormat(vm["format"].as<std::string>());
    auto const kind = vm["kind"].as<std::string>();
    if (kind != "graph" && kind != "bias" && kind != "encoding" && kind != "proxies") {
        throw UsageError(fmt::format("--kind: unknown '{}' (valid: graph, bias, encoding, proxies)", kind));
    }
    auto request = tableRequest(vm);
    if (vm.count("task") != 0U) request.ids = {vm["task"].as<std::string>()};
    if (request.ids.size() + request.tables.size() != 1) {
        throw UsageError("zcgp features: give one --task SPACE/TASK or one --table FILE.csv");
    }
    ResultTable out;
    out.corner = "key";
    out.precision = -1;  // exact: the baselines read these values
    try {
        auto const benchmark = request.ids.empty() ? proxy_cache::Benchmark{} : proxy_cache::Benchmark::load(resolveDataDir(vm));
        if (kind == "proxies") {
            // the rows and terminals zcgp evolve keeps (same missing-value policy), before any transform
            auto const task = tasks::loadTasks(benchmark, request).front();
            out.columns = {"target"};
            out.columns.insert(out.columns.end(), task.data.scalarNames().begin(), task.data.scalarNames().end());
            for (std::size_t r = 0; r < task.data.rows(); ++r) {
                out.rows.push_back(task.data.archKeys()[r]);
                auto& row = out.cells.emplace_back();
                row.push_back({task.data.target()[r], {}});
                for (std::size_t c = 0; c < task.data.scalarCount(); ++c) row.push_back({task.data.scalar(c)[r], {}});
            }
            std::cout << out.render(format);
            return 0;
        }
        auto const table = tasks::selectTables(benchmark, request).front();
        auto const features = kind == "graph"  ? proxy_cache::graphFeatureTable(table)
                              : kind == "bias" ? proxy_cache::biasPropertyTable(table)
                                               : proxy_cache::encodingTable(table);
        out.columns = features.names;
        for (std::size_t r = 0; r < table.size(); ++r) {
            out.rows.push_back(table.archs[r].key);
            auto& row = out.cells.emplace_back();
            for (Eigen::Index c = 0; c < features.values.cols(); ++c) {
                row.push_back({features.values(static_cast<Eigen::Index>(r), c), {}});
            }
        }
    } catch (proxy_cache::DataError const& e) {
        throw UsageError(e.what());
    }
    std::cout << out.render(format);
    return 0;
}

ZCGP_REGISTER_COMMAND("features", "per-architecture graph features, bias properties or encodings of a task", runFeatures);

}  // namespace
}  // namespace zcgp::cli
