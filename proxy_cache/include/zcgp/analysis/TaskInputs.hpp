#pragma once
// A task's table as the inputs of the analyses: which proxies take part, which architecture properties exist.
#include <string>
#include <vector>

#include "zcgp/analysis/Bias.hpp"
#include "zcgp/analysis/Information.hpp"
#include "zcgp/proxy_cache/ProxyTable.hpp"

namespace zcgp::analysis {

// The proxies an analysis uses: those tasks::usableProxy keeps (missing on at most 10% of the architectures),
// minus `skip` (columns used as properties).
[[nodiscard]] std::vector<std::string> analysisProxies(proxy_cache::ProxyTable const& table,
                                                       std::vector<std::string> const& skip = {});

// The architecture properties of a task, in a fixed order: the suite's cell properties where the space defines
// them (the architecture decoding library), num_params (the params column, as the suite's notebook uses it), and
// every column of the table named in `columns` (a researcher's own properties, e.g. depth). Undefined properties
// are kept with the reason. Throws DataError naming the column if a requested column is not in the table.
[[nodiscard]] std::vector<Property> taskProperties(proxy_cache::ProxyTable const& table,
                                                   std::vector<std::string> const& columns = {});

// The bias analysis input: `proxies` against accuracy and the properties. The spans point into `table`.
[[nodiscard]] BiasInput biasInput(proxy_cache::ProxyTable const& table, std::vector<std::string> const& proxies,
                                  std::vector<Property> properties);

[[nodiscard]] InformationInput informationInput(proxy_cache::ProxyTable const& table,
                                                std::vector<std::string> const& proxies);

}  // namespace zcgp::analysis
