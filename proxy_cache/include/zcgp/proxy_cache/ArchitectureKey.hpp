#pragma once
// Architecture keys as the benchmark files write them, and their one canonical form.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zcgp::proxy_cache {

// One spelling per architecture: brackets become parentheses, separators ", ", no other white space. NB301's
// genotype is "[[(0, 5), ...], [...]]" in zc_nasbench301.json and "(((0, 5), ...), (...))" in nb360/; both map to
// the latter. Keys that do not start with '(' or '[' (table ids such as "17") are returned unchanged.
[[nodiscard]] std::string canonicalArchKey(std::string_view key);

// The integers of a flat tuple "(0, 2, 3, 2, 3, 1)"; nullopt if the key is not one (nested, empty, non-digits).
// Scans the key once without recursion or regex, so a 10,000-op key is as cheap as a six-op one. Throws
// std::out_of_range naming the number if one does not fit in an int.
[[nodiscard]] std::optional<std::vector<int>> parseOpTuple(std::string_view key);

}  // namespace zcgp::proxy_cache
