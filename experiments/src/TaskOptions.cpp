#include "TaskOptions.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "Command.hpp"

namespace po = boost::program_options;

namespace zcgp::cli {

void addTableOptions(po::options_description& options) {
    options.add_options()
        ("table", po::value<std::vector<std::string>>()->composing(),
         "FILE.csv: a researcher's own table of proxy scores, task table:<file stem> (repeatable)")
        ("target", po::value<std::vector<std::string>>()->composing(), "ground-truth column of --table (once, or per table)")
        ("target-order", po::value<std::vector<std::string>>()->composing(),
         "higher | lower (losses, perplexities: tau against the negated target); default higher")
        ("id", po::value<std::vector<std::string>>()->composing(), "architecture id column of --table (default: row number)")
        ("exclude", po::value<std::vector<std::string>>()->composing(),
         "COLUMN: drop a table column or a task's proxy (repeatable)")
        ("table-space", po::value<std::vector<std::string>>()->composing(),
         "nb101 | nb201 | nb301 | tnb101_micro | tnb101_macro: the --id column holds that space's architecture keys "
         "(as the suite files write them), so --terminals graph works on the table (once, or per table)");
}

namespace {
std::vector<std::string> list(po::variables_map const& vm, char const* name) {
    return vm.count(name) != 0U ? vm[name].as<std::vector<std::string>>() : std::vector<std::string>{};
}
}  // namespace

tasks::TaskRequest tableRequest(po::variables_map const& vm) {
    return tableRequest(list(vm, "table"), list(vm, "target"), list(vm, "target-order"), list(vm, "id"),
                        list(vm, "exclude"), list(vm, "table-space"));
}

tasks::TaskRequest tableRequest(std::vector<std::string> const& tables, std::vector<std::string> const& targets,
                                std::vector<std::string> const& orders, std::vector<std::string> const& ids,
                                std::vector<std::string> const& exclude, std::vector<std::string> const& spaces) {
    tasks::TaskRequest request;
    request.exclude = exclude;
    auto const perTable = [&](std::vector<std::string> const& values, char const* flag, std::size_t t) -> std::string {
        if (values.empty()) return {};
        if (values.size() == 1) return values.front();
        if (values.size() != tables.size()) {
            throw UsageError(fmt::format("--{} is given {} times for {} --table files (give it once, or once per table)",
                                         flag, values.size(), tables.size()));
        }
        return values[t];
    };
    if (tables.empty()) {
        for (auto const* flag : {"target", "target-order", "id", "table-space"}) {
            bool const given = flag == std::string_view("target")        ? !targets.empty()
                               : flag == std::string_view("id")          ? !ids.empty()
                               : flag == std::string_view("table-space") ? !spaces.empty()
                                                                         : !orders.empty();
            if (given) throw UsageError(fmt::format("--{} needs --table FILE.csv", flag));
        }
        return request;
    }
    if (targets.empty()) throw UsageError("--table needs --target COLUMN (the ground-truth column)");
    for (std::size_t t = 0; t < tables.size(); ++t) {
        proxy_cache::TableSpec spec;
        spec.file = tables[t];
        spec.target = perTable(targets, "target", t);
        spec.idColumn = perTable(ids, "id", t);
        auto const order = perTable(orders, "target-order", t);
        if (order == "lower") spec.order = proxy_cache::TargetOrder::Lower;
        else if (order.empty() || order == "higher") spec.order = proxy_cache::TargetOrder::Higher;
        else throw UsageError(fmt::format("--target-order: unknown '{}' (valid: higher, lower)", order));
        if (auto const space = perTable(spaces, "table-space", t); !space.empty()) {
            static std::vector<std::string> const valid{"nb101", "nb201", "nb301", "tnb101_micro", "tnb101_macro"};
            if (std::find(valid.begin(), valid.end(), space) == valid.end()) {
                throw UsageError(fmt::format("--table-space: unknown '{}' (valid: {})", space, fmt::join(valid, ", ")));
            }
            if (spec.idColumn.empty()) {
                throw UsageError(fmt::format("--table-space {} needs --id COLUMN (the column of architecture keys)", space));
            }
            spec.space = proxy_cache::parseSearchSpace(space);
            spec.collection = proxy_cache::kTableCollection;  // still task table:<stem>
        }
        if (!std::filesystem::is_regular_file(spec.file)) {
            throw UsageError(fmt::format("--table {}: no such file", spec.file.string()));
        }
        request.tables.push_back(std::move(spec));
    }
    return request;
}

std::vector<std::string> tableTokens(proxy_cache::TableSpec const& spec) {
    std::vector<std::string> tokens{"--table", spec.file.string(), "--target", spec.target, "--target-order",
                                    spec.order == proxy_cache::TargetOrder::Lower ? "lower" : "higher"};
    if (!spec.idColumn.empty()) tokens.insert(tokens.end(), {"--id", spec.idColumn});
    if (spec.space != proxy_cache::SearchSpace::Table) {
        tokens.insert(tokens.end(), {"--table-space", std::string(proxy_cache::toString(spec.space))});
    }
    return tokens;
}

}  // namespace zcgp::cli
