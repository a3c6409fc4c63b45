#pragma once
// What one architecture's scoring produces, as plain C++ (no LibTorch types): the records that
// torch/ArchitectureScorer.hpp returns and that StatisticsCache stores. Kept torch-free so the cache,
// the GP engine CLI and their tests build with -DZCGP_WITH_TORCH=OFF.
#include <map>
#include <string>
#include <vector>

namespace zcgp::proxy_cache {

// One per-layer statistic of one architecture: a LayerVector value (one number per layer / node).
struct LayerStatistic {
    std::string name;                    // e.g. "weight_l2", "grad_abs_mean", "snip_layer", "act_sparsity"
    std::vector<double> values;
};

struct ArchitectureMeasurement {
    std::string archKey;                         // the NASLib tuple key, e.g. "(0, 2, 3, 2, 3, 1)"
    std::map<std::string, double> proxies;       // proxy name -> score
    std::vector<LayerStatistic> statistics;      // same names, same order, for every architecture
    double seconds = 0.0;                        // wall time of measure(); not stored in the cache (not deterministic)
};

}  // namespace zcgp::proxy_cache
