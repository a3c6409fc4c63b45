#pragma once
// The reports of `zcgp analyze` and of the reproduce experiments bias / information / surrogate: the analysis
// library's results (zcgp::analysis) laid out as tables, notes and heat maps, per task.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "Plot.hpp"
#include "TableFormat.hpp"
#include "zcgp/analysis/Search.hpp"
#include "zcgp/analysis/Surrogate.hpp"
#include "zcgp/engine/Evolution.hpp"
#include "zcgp/fitness/RankStatistics.hpp"
#include "zcgp/proxy_cache/ProxyTable.hpp"

namespace zcgp::cli {

struct Heatmap {
    std::string stem, title;
    std::vector<std::string> rows, columns;
    std::vector<std::vector<double>> values;
    std::string colorLabel;
    double min{-1}, max{1};
};

struct AnalysisReport {
    std::string task;  // "" for a summary over tasks
    std::vector<std::pair<std::string, ResultTable>> tables;  // (name, table)
    std::vector<std::string> notes;
    std::vector<Heatmap> heatmaps;
    std::vector<std::pair<std::string, PlotSpec>> plots;  // (stem, spec)
};

struct BiasOptions {
    fitness::Metric metric{fitness::Metric::Pearson};
    std::vector<std::string> propertyColumns;  // table columns used as properties
    std::string correct{"cell_size"};           // the property the correction removes
    std::size_t trainArchs{100};                // labels the excess correction may see (accuracy's own slope)
    std::uint64_t seed{0};
};
[[nodiscard]] std::vector<AnalysisReport> biasReports(std::vector<proxy_cache::ProxyTable> const& tables,
                                                      BiasOptions const& options);

struct InformationOptions {
    std::size_t maxK{5};
    bool evolved{false};                       // beyond the paper: the evolved formula against the best pair
    std::size_t trainArchs{100};
    std::uint64_t seed{0};
    engine::EvolutionConfig evolution{};
};
[[nodiscard]] std::vector<AnalysisReport> informationReports(std::vector<proxy_cache::ProxyTable> const& tables,
                                                             InformationOptions const& options);

struct SurrogateReportOptions {
    analysis::SurrogateOptions surrogate{};
    engine::EvolutionConfig evolution{};  // for encoding+evolved
};
[[nodiscard]] std::vector<AnalysisReport> surrogateReports(std::vector<proxy_cache::ProxyTable> const& tables,
                                                           SurrogateReportOptions const& options);

// The predictor-guided search: best test accuracy found after each checkpoint budget, per method, and its regret.
[[nodiscard]] AnalysisReport searchReport(analysis::SearchCells const& cells, analysis::SearchOptions const& options);

// Text, CSV, Markdown (a heading per task and table) or one JSON object {task: {table: ..., "notes": [...]}}.
[[nodiscard]] std::string renderReports(std::vector<AnalysisReport> const& reports, TableFormat format);
// Every heat map and plot of every report into dir (gnuplot, Plot.hpp). Returns the number rendered.
std::size_t writeHeatmaps(std::vector<AnalysisReport> const& reports, std::filesystem::path const& dir);

// One surrogate train size: a decimal integer of at least 2, or nullopt (the caller names the flag or config key).
std::optional<std::size_t> parseTrainSize(std::string const& text);

}  // namespace zcgp::cli
