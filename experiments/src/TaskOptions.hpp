#pragma once
// The flags that name a researcher's own table (--table FILE.csv --target COLUMN [--target-order higher|lower]
// [--id COLUMN] [--exclude COLUMN]...), shared by evolve, evaluate, correlate, tasks and reproduce configs.
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "zcgp/tasks/Tasks.hpp"

namespace zcgp::cli {

// Adds --table, --target, --target-order, --id, --exclude and --table-space.
void addTableOptions(boost::program_options::options_description& options);

// The tables and exclusions of the parsed flags (ids and normalisation are the caller's). --target, --target-order
// and --id are given once (for every table) or once per table, in order. Throws UsageError naming the flag.
[[nodiscard]] tasks::TaskRequest tableRequest(boost::program_options::variables_map const& vm);

// The same from plain values (reproduce configs).
[[nodiscard]] tasks::TaskRequest tableRequest(std::vector<std::string> const& tables, std::vector<std::string> const& targets,
                                              std::vector<std::string> const& orders, std::vector<std::string> const& ids,
                                              std::vector<std::string> const& exclude,
                                              std::vector<std::string> const& spaces = {});

// The flags that name one table again ("--table", FILE, "--target", COLUMN, ...), e.g. to rebuild a run's inputs.
[[nodiscard]] std::vector<std::string> tableTokens(proxy_cache::TableSpec const& spec);

}  // namespace zcgp::cli
