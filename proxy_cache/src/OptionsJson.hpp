#pragma once
// Private: GatherOptions <-> the "options" object of the cache and journal headers (defined in StatisticsCache.cpp).
#include <nlohmann/json.hpp>

#include "zcgp/proxy_cache/StatisticsCache.hpp"

namespace zcgp::proxy_cache::detail {

[[nodiscard]] nlohmann::ordered_json optionsToJson(GatherOptions const& options);
// Throws nlohmann::json::exception for a missing or mistyped field.
[[nodiscard]] GatherOptions optionsFromJson(nlohmann::ordered_json const& json);

}  // namespace zcgp::proxy_cache::detail
