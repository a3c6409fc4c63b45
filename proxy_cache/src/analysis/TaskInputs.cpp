#include "zcgp/analysis/TaskInputs.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "zcgp/analysis/ArchitectureFeatures.hpp"
#include "zcgp/proxy_cache/Benchmark.hpp"
#include "zcgp/tasks/Tasks.hpp"

namespace zcgp::analysis {

namespace pc = zcgp::proxy_cache;

std::vector<std::string> analysisProxies(pc::ProxyTable const& table, std::vector<std::string> const& skip) {
    std::vector<std::string> out;
    for (std::size_t c = 0; c < table.proxies.size(); ++c) {
        auto const& name = table.proxies[c];
        if (std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
        if (tasks::usableProxy(table, c)) out.push_back(name);
    }
    return out;
}

std::vector<Property> taskProperties(pc::ProxyTable const& table, std::vector<std::string> const& columns) {
    auto out = spaceProperties(table);
    if (auto const params = table.proxyIndex("params")) {
        auto const column = table.column("params");
        out.push_back({"num_params", {column.begin(), column.end()}, ""});
    } else {
        out.push_back({"num_params", {}, "the task has no params column"});
    }
    for (auto const& name : columns) {
        if (!table.proxyIndex(name)) {
            throw pc::DataError(fmt::format("{}: no column '{}' to use as a property (columns: {})", table.id(), name,
                                            fmt::join(table.proxies, ", ")));
        }
        auto const column = table.column(name);
        out.push_back({name, {column.begin(), column.end()}, ""});
    }
    return out;
}

BiasInput biasInput(pc::ProxyTable const& table, std::vector<std::string> const& proxies, std::vector<Property> properties) {
    BiasInput in;
    in.proxies = proxies;
    for (auto const& p : proxies) in.scores.push_back(table.column(p));
    in.accuracy = {table.accuracy.data(), table.size()};
    in.properties = std::move(properties);
    return in;
}

InformationInput informationInput(pc::ProxyTable const& table, std::vector<std::string> const& proxies) {
    InformationInput in;
    in.proxies = proxies;
    for (auto const& p : proxies) {
        auto const c = table.column(p);
        in.scores.emplace_back(c.begin(), c.end());
    }
    in.accuracy.assign(table.accuracy.data(), table.accuracy.data() + table.size());
    return in;
}

}  // namespace zcgp::analysis
